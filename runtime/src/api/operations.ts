/**
 * The operators' view of what went wrong: dead letters with their whole envelope and failure,
 * replayed one by one or from an explicit list (with a dry run), or deleted; and the Prometheus
 * metrics (served in every role, `metricsRoute`).
 *
 * A replay sends the message to its consumer again as a first attempt. Deduplication only
 * remembers messages for the inbox retention, so a message older than that may re-run a side
 * effect its consumer already had; such a replay is refused unless `?force=true`. A letter the
 * broker dead-lettered on its own (`source: broker`) is replayed the same way, to its queue; one
 * whose body is no message at all (not JSON, or JSON without an `eventId` and `type`) cannot be,
 * and is refused: read it, then delete it.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { isMessage, NotAMessage } from '../runtime/dead-letters.js';
import type { DeadLetter } from '../runtime/store.js';
import { problem } from './problem.js';
import * as schemas from './schemas.js';
import type { ApiContext } from './server.js';

type Outcome = 'replayed' | 'wouldReplay' | 'notFound' | 'tooOld' | 'notAMessage';

const outcome = {
  type: 'string',
  enum: ['replayed', 'wouldReplay', 'notFound', 'tooOld', 'notAMessage'],
} as const;

/** The letter as the API shows it: the shared schema, with where it came from and its body. */
const deadLetterSchema = {
  ...schemas.deadLetter,
  required: [...schemas.deadLetter.required, 'source'],
  properties: {
    ...schemas.deadLetter.properties,
    envelope: {
      description:
        'The message as it travelled, unchanged (it may be invalid: that can be why); `null` for a body from the broker that is not JSON (see `body`).',
      anyOf: [schemas.envelope, { not: { type: 'object' } }],
    },
    replayable: {
      type: 'boolean',
      description:
        'False when the letter holds no message (it cannot be replayed), or when the message is older than the inbox retention (replay needs force).',
    },
    source: {
      type: 'string',
      enum: ['runtime', 'broker'],
      description:
        '`runtime`: recorded by the consumer as it failed; `broker`: found in `<queue>_error`, where the broker transport put it (a body it could not parse, or a message whose failures could not be recorded).',
    },
    body: {
      type: 'object',
      required: ['encoding', 'data'],
      description: 'The body as the broker held it, when it is not JSON.',
      properties: {
        encoding: { type: 'string', enum: ['utf8', 'base64'] },
        data: { type: 'string' },
      },
    },
  },
} as const;

const replayedSchema = {
  ...schemas.replayed,
  properties: { ...schemas.replayed.properties, outcome },
} as const;

const bulkReplayedSchema = {
  ...schemas.bulkReplayed,
  properties: {
    ...schemas.bulkReplayed.properties,
    results: { type: 'array', items: replayedSchema },
  },
} as const;

/** A body as text when it is UTF-8 text, else as base64. */
function bodyView(base64: string): { encoding: 'utf8' | 'base64'; data: string } {
  const bytes = Buffer.from(base64, 'base64');
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (!text.includes('\u0000')) return { encoding: 'utf8', data: text };
  } catch {
    // not UTF-8: base64 below
  }
  return { encoding: 'base64', data: base64 };
}

export function operationRoutes(app: FastifyInstance, context: ApiContext): void {
  const { store, runtime, clock, inboxRetentionMs } = context;

  /** When the message was sent; a message too broken to say falls back to its first failure. */
  const sentAt = (letter: DeadLetter) => {
    const occurredAt = (letter.envelope as { occurredAt?: unknown } | null)?.occurredAt;
    const at = typeof occurredAt === 'string' ? Date.parse(occurredAt) : NaN;
    return Number.isNaN(at) ? Date.parse(letter.firstFailedAt) : at;
  };
  const recent = (letter: DeadLetter) => clock.now().getTime() - sentAt(letter) <= inboxRetentionMs;

  const view = (letter: DeadLetter) => ({
    id: letter.id,
    consumer: letter.endpoint,
    envelope: letter.envelope,
    errorType: letter.errorType,
    errorMessage: letter.errorMessage,
    attempts: letter.attempts,
    firstFailedAt: letter.firstFailedAt,
    lastFailedAt: letter.lastFailedAt,
    replayable: isMessage(letter.envelope) && recent(letter),
    source: letter.source ?? 'runtime',
    ...(letter.body === undefined ? {} : { body: bodyView(letter.body) }),
  });

  async function replay(
    id: string,
    options: { force: boolean; dryRun: boolean },
  ): Promise<Outcome> {
    const letter = await store.getDeadLetter(id);
    if (!letter) return 'notFound';
    if (!isMessage(letter.envelope)) return 'notAMessage';
    if (!options.force && !recent(letter)) return 'tooOld';
    if (options.dryRun) return 'wouldReplay';
    try {
      // Another operator may have replayed it meanwhile: then it is gone.
      return (await runtime.replayDeadLetter(id)) ? 'replayed' : 'notFound';
    } catch (error) {
      if (error instanceof NotAMessage) return 'notAMessage';
      throw error;
    }
  }

  app.get<{ Querystring: { tenantId?: string; type?: string } }>(
    '/dead-letters',
    {
      schema: { querystring: schemas.deadLetterQuery },
      config: {
        docs: {
          operationId: 'listDeadLetters',
          summary: 'Dead letters, with their envelope and failure; by tenant and message type',
          description:
            'The messages a consumer gave up on after its retries, each with the envelope it received, the last error and how often it failed, and whether it may still be replayed; `tenantId` and `type` narrow the list. Operators only.',
          tag: 'operations',
          responses: {
            200: {
              description: 'The dead letters.',
              schema: {
                ...schemas.deadLetterList,
                properties: { items: { type: 'array', items: deadLetterSchema } },
              },
            },
          },
        },
      },
    },
    async (request) => {
      const { tenantId, type } = request.query;
      const letters = await store.listDeadLetters({
        ...(tenantId ? { tenantId } : {}),
        ...(type ? { type } : {}),
      });
      return { items: letters.map(view) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/dead-letters/:id',
    {
      schema: { params: schemas.deadLetterParams },
      config: {
        docs: {
          operationId: 'getDeadLetter',
          summary: 'One dead letter',
          description:
            'A dead letter by its id: the envelope its consumer received, the last error, its attempts and when they failed, and whether it may still be replayed. Operators only.',
          tag: 'operations',
          responses: { 200: { description: 'The dead letter.', schema: deadLetterSchema } },
        },
      },
    },
    async (request) => {
      const letter = await store.getDeadLetter(request.params.id);
      if (!letter)
        throw problem(404, 'Dead letter not found', `no dead letter ${request.params.id}`);
      return view(letter);
    },
  );

  app.post<{ Params: { id: string }; Querystring: { force?: boolean } }>(
    '/dead-letters/:id/replay',
    {
      schema: { params: schemas.deadLetterParams, querystring: schemas.forceQuery },
      config: {
        docs: {
          operationId: 'replayDeadLetter',
          summary: 'Send a dead letter to its consumer again',
          description:
            "Once the cause is fixed: hands the message back to the consumer that gave up on it, and removes it from the dead letters. One older than the inbox retention is refused unless `force=true`, since its consumer's deduplication no longer remembers it. Operators only.",
          tag: 'operations',
          responses: {
            202: { description: 'Replayed.', schema: replayedSchema },
            409: {
              description:
                'Older than the inbox retention (pass force=true to replay anyway), or no message at all (it cannot be replayed; delete it).',
            },
          },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const outcome = await replay(id, { force: request.query.force ?? false, dryRun: false });
      if (outcome === 'notFound')
        throw problem(404, 'Dead letter not found', `no dead letter ${id}`);
      if (outcome === 'notAMessage')
        throw problem(
          409,
          'Not a message',
          'the dead letter holds no message that could be sent again (its body is not JSON, or has no eventId and type): read it, then DELETE it',
        );
      if (outcome === 'tooOld')
        throw problem(
          409,
          'Too old to replay safely',
          `the message is older than the inbox retention (${inboxRetentionMs} ms): its consumer may have done it already; replay with ?force=true if it has not`,
        );
      return reply.code(202).send({ id, outcome });
    },
  );

  app.post<{ Body: { ids: string[]; dryRun?: boolean }; Querystring: { force?: boolean } }>(
    '/dead-letters/replay',
    {
      schema: { body: schemas.bulkReplayBody, querystring: schemas.forceQuery },
      config: {
        docs: {
          operationId: 'replayDeadLetters',
          summary: 'Replay the listed dead letters (dryRun: say what would happen)',
          description:
            'Replays each listed dead letter as `POST /dead-letters/{id}/replay` would, one at a time, and answers what became of each; with `dryRun` it replays nothing and says what would happen. Operators only.',
          tag: 'operations',
          responses: { 200: { description: 'What became of each.', schema: bulkReplayedSchema } },
        },
      },
    },
    async (request) => {
      const dryRun = request.body.dryRun ?? false;
      const force = request.query.force ?? false;
      const results: { id: string; outcome: Outcome }[] = [];
      // One at a time: each replay is its own transaction, and the list is bounded (500).
      for (const id of request.body.ids)
        results.push({ id, outcome: await replay(id, { force, dryRun }) });
      return { dryRun, results };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/dead-letters/:id',
    {
      schema: { params: schemas.deadLetterParams },
      config: {
        docs: {
          operationId: 'deleteDeadLetter',
          summary: 'Discard a dead letter without replaying it',
          description:
            'Deletes the dead letter: its message is never delivered. For a message that must not be done again, or one that cannot be replayed. Operators only.',
          tag: 'operations',
          responses: { 204: { description: 'Deleted.' } },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const removed = await store.transaction((tx) => tx.removeDeadLetter(id));
      if (!removed) throw problem(404, 'Dead letter not found', `no dead letter ${id}`);
      request.log.info({ deadLetterId: id, consumer: removed.endpoint }, 'dead letter deleted');
      return reply.code(204).send();
    },
  );
}

/**
 * `GET /metrics`, in every role: a worker's counters (its steps, retries, dead letters) are
 * scraped from it, like the API's.
 */
export function metricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get(
    '/metrics',
    {
      config: {
        // Public like /health, so that a scraper needs no credentials: it names no tenant. With
        // METRICS_TOKEN set, the route itself asks for that token, and for no other: an operator's
        // token is not needed to scrape, nor is it a metrics token.
        access: 'public',
        docs: {
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          description:
            "This process's metrics in the Prometheus text format: tenants per state, step durations, retries, compensations, dead letters, messages in and out, HTTP requests. Public unless METRICS_TOKEN is set; then that token only.",
          tag: 'operations',
          responses: {
            200: {
              description: 'The text exposition format.',
              schema: { type: 'string' },
              contentType: 'text/plain',
            },
            401: { description: 'METRICS_TOKEN is set, and the request does not bear it.' },
          },
        },
      },
    },
    async (request, reply) => {
      if (!metrics.allows(request.headers.authorization))
        throw problem(
          401,
          'Unauthorized',
          'these metrics need `Authorization: Bearer <METRICS_TOKEN>`',
          {},
          { 'www-authenticate': 'Bearer realm="metrics"' },
        );
      return reply.type(metrics.contentType).send(await metrics.text());
    },
  );
}
