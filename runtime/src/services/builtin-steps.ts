/**
 * The built-in services' steps, for a product's step registry: the registry maps each step of
 * the blueprint to one of these or to a domain handler.
 */
import type { Catalog } from '../product-definition.js';
import { billingStep } from './billing.js';
import { configurationStep } from './configuration.js';
import { identity } from './identity.js';
import type { Mailer } from './mailer.js';
import { notification } from './notification.js';
import type { NotificationOptions } from './notification.js';
import type { StepImplementation } from './steps.js';

export interface BuiltinSteps {
  readonly billing: StepImplementation;
  readonly configuration: StepImplementation;
  readonly identity: StepImplementation;
  readonly notification: StepImplementation;
}

export function builtinSteps(
  catalog: Catalog,
  mailer: Mailer,
  options: NotificationOptions = {},
): BuiltinSteps {
  return {
    billing: billingStep(catalog),
    configuration: configurationStep(catalog),
    identity,
    notification: notification(mailer, { productTitle: catalog.product.title }, options),
  };
}
