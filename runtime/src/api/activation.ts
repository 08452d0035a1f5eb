/**
 * `POST /activation`: the invited owner activates their account with the code of the e-mail.
 * Public and rate-limited per client address like the sign-up; the identity service decides
 * (activateOwner), this route only translates its result to HTTP.
 */
import type { FastifyInstance } from 'fastify';
import { activateOwner } from '../services/identity.js';
import type { ActivationRequest } from '../services/identity.js';
import { problem } from './problem.js';
import { activated, activationBody } from './schemas.js';
import type { ApiContext } from './server.js';

export function activationRoutes(
  app: FastifyInstance,
  { runtime, activation, signUpRateLimit }: ApiContext,
): void {
  app.post<{ Body: ActivationRequest }>(
    '/activation',
    {
      schema: { body: activationBody },
      config: {
        access: 'public',
        // Per client address, as the sign-up: a code must not be guessed by trying many.
        rateLimit: signUpRateLimit > 0 ? { max: signUpRateLimit, timeWindow: 60_000 } : false,
        docs: {
          operationId: 'activateOwner',
          summary: "Activate the tenant's invited owner with the e-mailed code",
          tag: 'tenants',
          description:
            'The owner user moves from `Invited` to `Active` and `UserActivated` is published. A code activates within `ACTIVATION_TTL_HOURS` of its invitation. Each client address may try `SIGNUP_RATE_LIMIT` times a minute.',
          responses: {
            200: { description: 'Activated.', schema: activated },
            400: {
              description:
                'The code is wrong, or the tenant unknown (one answer for both), or the body is invalid.',
            },
            409: { description: 'The code was used already, or the user was disabled.' },
            410: { description: 'The invitation expired: older than `ACTIVATION_TTL_HOURS`.' },
            429: {
              description:
                'Too many attempts from this client; `Retry-After` says when to try again.',
            },
          },
        },
      },
    },
    async (request) => {
      const result = await activateOwner(runtime, request.body, activation);
      switch (result.kind) {
        case 'activated':
          request.log.info({ tenantId: result.tenantId, userId: result.userId }, 'owner activated');
          return { tenantId: result.tenantId, userId: result.userId, status: 'Active' };
        case 'invalid':
          throw problem(
            400,
            'Invalid activation code',
            'the code does not activate an invitation of this tenant',
          );
        case 'already-active':
          throw problem(409, 'Already activated', 'this invitation was activated already');
        case 'disabled':
          throw problem(409, 'User disabled', 'the invited user was disabled: nothing to activate');
        case 'expired':
          throw problem(410, 'Invitation expired', `the invitation expired at ${result.expiredAt}`);
      }
    },
  );
}
