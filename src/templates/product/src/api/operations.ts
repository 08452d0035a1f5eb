/**
 * The operators' view of what went wrong: dead letters with their whole envelope and failure,
 * replayed one by one or from an explicit list (with a dry run), and the Prometheus metrics.
 *
 * A replay sends the message to its consumer again as a first attempt. Deduplication only
 * remembers messages for the inbox retention, so a message older than that may re-run a side
 * effect its consumer already had; such a replay is refused unless `?force=true`.
 */
import type { FastifyInstance } from 'fastify';
import type { DeadLetter } from '../runtime/store.js';
import { problem } from './problem.js';
import * as schemas from './schemas.js';
import type { ApiContext } from './server.js';

type Outcome = 'replayed' | 'wouldReplay' | 'notFound' | 'tooOld';

export function operationRoutes(app: FastifyInstance, context: ApiContext): void {
  const { store, runtime, clock, metrics, inboxRetentionMs } = context;

  /** When the message was sent; a message too broken to say falls back to its first failure. */
  const sentAt = (letter: DeadLetter) => {
    const at = Date.parse((letter.envelope as { occurredAt?: unknown }).occurredAt as string);
    return Number.isNaN(at) ? Date.parse(letter.firstFailedAt) : at;
  };
  const replayable = (letter: DeadLetter) =>
    clock.now().getTime() - sentAt(letter) <= inboxRetentionMs;

  const view = (letter: DeadLetter) => ({
    id: letter.id,
    consumer: letter.endpoint,
    envelope: letter.envelope,
    errorType: letter.errorType,
    errorMessage: letter.errorMessage,
    attempts: letter.attempts,
    firstFailedAt: letter.firstFailedAt,
    lastFailedAt: letter.lastFailedAt,
    replayable: replayable(letter),
  });

  async function replay(
    id: string,
    options: { force: boolean; dryRun: boolean },
  ): Promise<Outcome> {
    const letter = await store.getDeadLetter(id);
    if (!letter) return 'notFound';
    if (!options.force && !replayable(letter)) return 'tooOld';
    if (options.dryRun) return 'wouldReplay';
    // Another operator may have replayed it meanwhile: then it is gone.
    return (await runtime.replayDeadLetter(id)) ? 'replayed' : 'notFound';
  }

  app.get<{ Querystring: { tenantId?: string; type?: string } }>(
    '/dead-letters',
    {
      schema: { querystring: schemas.deadLetterQuery },
      config: {
        docs: {
          operationId: 'listDeadLetters',
          summary: 'Dead letters, with their envelope and failure; by tenant and message type',
          tag: 'operations',
          responses: { 200: { description: 'The dead letters.', schema: schemas.deadLetterList } },
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
          tag: 'operations',
          responses: { 200: { description: 'The dead letter.', schema: schemas.deadLetter } },
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
          tag: 'operations',
          responses: {
            202: { description: 'Replayed.', schema: schemas.replayed },
            409: {
              description: 'Older than the inbox retention; pass force=true to replay anyway.',
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
          tag: 'operations',
          responses: { 200: { description: 'What became of each.', schema: schemas.bulkReplayed } },
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

  app.get(
    '/metrics',
    {
      config: {
        // Public like /health, so that a scraper needs no credentials: it names no tenant.
        access: 'public',
        docs: {
          operationId: 'metrics',
          summary: 'Prometheus metrics',
          tag: 'operations',
          responses: {
            200: {
              description: 'The text exposition format.',
              schema: { type: 'string' },
              contentType: 'text/plain',
            },
          },
        },
      },
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()),
  );
}
