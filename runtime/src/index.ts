/**
 * `@saas-gen/runtime`: everything a saas-gen product runs on that does not depend on its
 * blueprint. A product imports it from here (its test kit from `@saas-gen/runtime/testing`);
 * the modules behind these exports are not part of the package's interface.
 */
export * from './app.js';
export * from './config.js';
export * from './env.js';
export * from './product-definition.js';
export * from './entitlements.js';
export * from './contracts/envelope.js';
export * from './contracts/builtins.js';
export * from './runtime/clock.js';
export * from './runtime/handler.js';
export * from './runtime/logger.js';
export * from './runtime/messages.js';
export * from './runtime/store.js';
export * from './runtime/transport.js';
export * from './runtime/runtime.js';
export * from './runtime/memory-transport.js';
export * from './runtime/sqlite-store.js';
export * from './runtime/postgres-store.js';
export * from './runtime/rabbitmq-transport.js';
export * from './saga/definition.js';
export * from './saga/machine.js';
export * from './saga/tenant-machine.js';
export * from './saga/workflow-machine.js';
export * from './saga/endpoints.js';
export * from './services/activation.js';
export * from './services/builtin-steps.js';
export * from './services/step-context.js';
export * from './services/steps.js';
export * from './services/mailer.js';
export * from './services/faults.js';
export * from './services/tenants.js';
export * from './api/problem.js';
export * from './api/server.js';
export * from './observability/metrics.js';
export * from './observability/tracing.js';
