/**
 * The contract every store adapter passes: call `storeContract` from the adapter's test with a
 * factory of fresh, migrated, empty stores that stamp time with the given clock. One part per role
 * of the port (runtime/store.ts), named after it: the roles of a transaction (`Tx`) with the
 * roles outside one (`Store`) that read what they wrote.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/contracts/envelope.js';
import { newTenantId } from '../../src/contracts/envelope.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { deadLetterId, fromTransport } from '../../src/runtime/dead-letters.js';
import type {
  AuditEntry,
  CauseQuery,
  DeadLetter,
  QueuedMessages,
  Store,
} from '../../src/runtime/store.js';
import type { TransportDeadLetter } from '../../src/runtime/transport.js';
import { ConcurrencyConflict } from '../../src/runtime/store.js';
import { deferred, envelope } from './support.js';

const tenantA = randomUUID();
const tenantB = randomUUID();

const audit = (tenantId: string, action: string, at: string): AuditEntry => ({
  id: randomUUID(),
  tenantId,
  correlationId: 'correlation',
  causationId: 'cause',
  action,
  fromState: null,
  toState: action,
  detail: { action },
  at,
});

const deadLetter = (message: Envelope, endpoint = 'billing'): DeadLetter => ({
  id: randomUUID(),
  endpoint,
  envelope: message,
  errorType: 'TypeError',
  errorMessage: 'boom',
  attempts: 3,
  firstFailedAt: '2030-01-01T00:00:00.000Z',
  lastFailedAt: '2030-01-01T00:00:01.000Z',
});

export function storeContract(
  name: string,
  makeStore: (clock: ManualClock) => Promise<Store>,
): void {
  describe(`${name} store (contract)`, () => {
    let clock: ManualClock;
    let store: Store;

    beforeEach(async () => {
      clock = new ManualClock();
      store = await makeStore(clock);
    });
    afterEach(async () => {
      await store.close();
    });

    const saga = (state: string, id: string = randomUUID(), tenantId = tenantA) => ({
      type: 'onboarding',
      id,
      tenantId,
      state: { state },
    });

    const receive = (endpoint: string, eventId: string, cause?: CauseQuery) =>
      store.transaction((tx) => tx.receive(endpoint, eventId, cause));

    /** Publishes messages in one transaction; resolves with their outbox rows. */
    const publish = async (...messages: Envelope[]) => {
      const queued = await store.transaction(async (tx) => tx.publishAfterCommit(messages));
      return queued.committed;
    };

    describe('sagas (SagaRepository, SagaQueries)', () => {
      it('inserts at version 1 and bumps the version on every save', async () => {
        const record = saga('Registered');
        await store.transaction((tx) => tx.saveSaga(record, 0));
        await store.transaction((tx) => tx.saveSaga({ ...record, state: { state: 'Active' } }, 1));
        expect(await store.getSaga('onboarding', record.id)).toMatchObject({
          tenantId: tenantA,
          state: { state: 'Active' },
          version: 2,
        });
        expect(await store.transaction((tx) => tx.loadSaga('onboarding', record.id))).toMatchObject(
          {
            version: 2,
          },
        );
      });

      it('refuses a stale version and a second insert with ConcurrencyConflict', async () => {
        const record = saga('Registered');
        await store.transaction((tx) => tx.saveSaga(record, 0));
        await store.transaction((tx) => tx.saveSaga(record, 1));
        await expect(store.transaction((tx) => tx.saveSaga(record, 1))).rejects.toBeInstanceOf(
          ConcurrencyConflict,
        );
        await expect(store.transaction((tx) => tx.saveSaga(record, 0))).rejects.toBeInstanceOf(
          ConcurrencyConflict,
        );
        expect(await store.getSaga('onboarding', record.id)).toMatchObject({ version: 2 });
      });

      it('lets exactly one of two concurrent saves of the same version win', async () => {
        const record = saga('Registered');
        await store.transaction((tx) => tx.saveSaga(record, 0));
        const results = await Promise.allSettled(
          ['Provisioning', 'ProvisioningFailed'].map((state) =>
            store.transaction((tx) => tx.saveSaga({ ...record, state: { state } }, 1)),
          ),
        );
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const [lost] = results.filter((result) => result.status === 'rejected');
        expect(lost?.reason).toBeInstanceOf(ConcurrencyConflict);
        expect(await store.getSaga('onboarding', record.id)).toMatchObject({ version: 2 });
      });

      it('pages through sagas with filters and an opaque cursor', async () => {
        for (let index = 0; index < 25; index += 1) {
          const state = index % 5 === 0 ? 'Active' : 'Provisioning';
          const tenantId = index < 20 ? tenantA : tenantB;
          await store.transaction((tx) => tx.saveSaga(saga(state, `saga-${index}`, tenantId), 0));
        }
        const ids: string[] = [];
        const sizes: number[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listSagas({ type: 'onboarding', limit: 10, cursor });
          ids.push(...page.items.map((item) => item.id));
          sizes.push(page.items.length);
          cursor = page.nextCursor;
        } while (cursor);
        expect(sizes).toEqual([10, 10, 5]);
        expect(new Set(ids).size).toBe(25);

        const active = await store.listSagas({ type: 'onboarding', state: 'Active', limit: 100 });
        expect(active.items).toHaveLength(5);
        expect(active.nextCursor).toBeUndefined();
        const ofB = await store.listSagas({ type: 'onboarding', tenantId: tenantB, limit: 100 });
        expect(ofB.items.map((item) => item.tenantId)).toEqual(Array(5).fill(tenantB));
        expect(await store.listSagas({ type: 'other', limit: 10 })).toEqual({ items: [] });
        expect(await store.countSagas('onboarding')).toEqual({ Active: 5, Provisioning: 20 });
      });

      it('finds sagas whose slug or name holds a text, in any case, with the other filters', async () => {
        const named = (id: string, slug: string, name: string, state = 'Active') => ({
          type: 'onboarding',
          id,
          tenantId: tenantA,
          state: { state, slug, name },
        });
        await store.transaction(async (tx) => {
          await tx.saveSaga(named('s1', 'acme-corp', 'Acme Corporation'), 0);
          await tx.saveSaga(named('s2', 'globex', 'Globex ACME Partners', 'Provisioning'), 0);
          await tx.saveSaga(named('s3', 'initech', 'Initech'), 0);
          await tx.saveSaga(named('s4', 'umlaut', 'Ärger Über Alles'), 0);
          // Wildcards of LIKE are plain characters to a search.
          await tx.saveSaga(named('s5', 'percent', '100% sure_thing'), 0);
          await tx.saveSaga(saga('Active', 's6'), 0);
        });
        const ids = async (search: string, state?: string) =>
          (
            await store.listSagas({
              type: 'onboarding',
              search,
              limit: 100,
              ...(state ? { state } : {}),
            })
          ).items.map((item) => item.id);
        expect(await ids('acme')).toEqual(['s1', 's2']);
        expect(await ids('AcMe')).toEqual(['s1', 's2']);
        expect(await ids('acme', 'Active')).toEqual(['s1']);
        expect(await ids('TECH')).toEqual(['s3']);
        expect(await ids('über')).toEqual(['s4']);
        expect(await ids('ärger')).toEqual(['s4']);
        expect(await ids('%')).toEqual(['s5']);
        expect(await ids('_')).toEqual(['s5']);
        expect(await ids('nothing')).toEqual([]);
        const first = await store.listSagas({ type: 'onboarding', search: 'a', limit: 1 });
        expect(first.items.map((item) => item.id)).toEqual(['s1']);
        const next = await store.listSagas({
          type: 'onboarding',
          search: 'a',
          limit: 100,
          cursor: first.nextCursor!,
        });
        expect(next.items.map((item) => item.id)).toEqual(['s2', 's4']);
      });
    });

    describe('inbox (Inbox)', () => {
      it('takes a message once per endpoint', async () => {
        const receipts = await store.transaction(async (tx) => [
          await tx.receive('billing', 'event-1'),
          await tx.receive('billing', 'event-1'),
          await tx.receive('identity', 'event-1'),
        ]);
        expect(receipts).toEqual(['new', 'duplicate', 'new']);
        expect(await receive('billing', 'event-1')).toBe('duplicate');
      });

      it('forgets the entry of a transaction that rolled back', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.receive('billing', 'event-2');
            throw new Error('handler failed');
          }),
        ).rejects.toThrow('handler failed');
        expect(await receive('billing', 'event-2')).toBe('new');
      });

      it('tells whether an endpoint has yet to handle the message that caused another', async () => {
        const cause = envelope('Registered');
        await publish(cause);
        let effects = 0;
        const awaits = async (endpoint: string, types: string[], eventId: string = cause.eventId) =>
          (await receive(endpoint, `effect-${(effects += 1)}`, { eventId, types })) ===
          'awaits-cause';
        expect(await awaits('saga', ['Invited', 'Registered'])).toBe(true);
        // An endpoint that does not receive the cause, and a cause that is not in the outbox.
        expect(await awaits('saga', ['Invited'])).toBe(false);
        expect(await awaits('saga', ['Registered'], 'unknown-event')).toBe(false);

        await receive('saga', cause.eventId);
        expect(await awaits('saga', ['Registered'])).toBe(false);
        expect(await awaits('billing', ['Registered'])).toBe(true);
        await store.transaction((tx) => tx.addDeadLetter(deadLetter(cause, 'billing')));
        expect(await awaits('billing', ['Registered'])).toBe(false);
      });

      it('receives a message in one call: a duplicate, early (its cause is still to come), or new', async () => {
        const cause = envelope('Registered');
        await publish(cause);
        const early = (types: string[]) => ({ eventId: cause.eventId, types });
        expect(await receive('saga', 'effect-1', early(['Registered']))).toBe('awaits-cause');
        // Early means rolled back by the pipeline; here it committed, so it is a duplicate now.
        expect(await receive('saga', 'effect-1', early(['Registered']))).toBe('duplicate');
        expect(await receive('saga', 'effect-2', early(['Invited']))).toBe('new');
        expect(await receive('saga', 'effect-3')).toBe('new');
        await receive('saga', cause.eventId);
        expect(await receive('saga', 'effect-4', early(['Registered']))).toBe('new');
      });

      it('holds an effect back while the taking of its cause rolled back', async () => {
        const cause = envelope('Registered');
        await publish(cause);
        await expect(
          store.transaction(async (tx) => {
            expect(await tx.receive('saga', cause.eventId)).toBe('new');
            throw new Error('handler failed');
          }),
        ).rejects.toThrow('handler failed');
        const early = { eventId: cause.eventId, types: ['Registered'] };
        expect(await receive('saga', 'effect-1', early)).toBe('awaits-cause');
        await receive('saga', cause.eventId);
        expect(await receive('saga', 'effect-2', early)).toBe('new');
      });
    });

    describe('outbox (Outbox, OutboxRelay)', () => {
      it('writes messages with the commit, and tells their rows in order once it is done', async () => {
        const messages = [envelope('One'), envelope('Two'), envelope('Three')];
        const queued = await store.transaction(async (tx) => tx.publishAfterCommit(messages));
        const committed = await queued.committed;
        expect(committed.map((record) => record.envelope)).toEqual(messages);
        expect(await store.pendingOutbox(10)).toEqual(committed);

        let lost: QueuedMessages | undefined;
        await expect(
          store.transaction(async (tx) => {
            lost = tx.publishAfterCommit([envelope('Lost')]);
            throw new Error('handler failed');
          }),
        ).rejects.toThrow('handler failed');
        await expect(lost!.committed).rejects.toThrow();
        expect(await store.pendingOutbox(10)).toHaveLength(3);
      });

      it('tells the rows of queued messages only once their transaction has committed', async () => {
        let told = false;
        const queued = await store.transaction(async (tx) => {
          const queued = tx.publishAfterCommit([envelope('One')]);
          void queued.committed.then(() => (told = true));
          // Another statement, then a turn of the event loop: still not committed.
          await tx.loadSaga('onboarding', 'none');
          await new Promise((resolve) => setImmediate(resolve));
          expect(told).toBe(false);
          return queued;
        });
        expect(await queued.committed).toHaveLength(1);
        expect(told).toBe(true);
        const none = await store.transaction(async (tx) => tx.publishAfterCommit([]));
        expect(await none.committed).toEqual([]);
      });

      it('holds committed messages until they are marked dispatched', async () => {
        const [first, second] = [envelope('One'), envelope('Two')];
        const ids = (await publish(first, second)).map((record) => record.id);
        expect(await store.pendingOutbox(10)).toEqual([
          { id: ids[0], envelope: first },
          { id: ids[1], envelope: second },
        ]);
        expect(await store.pendingOutbox(1)).toHaveLength(1);
        await store.markDispatched([ids[0]!]);
        expect(await store.pendingOutbox(10)).toEqual([{ id: ids[1], envelope: second }]);
      });

      it('counts what waits to be dispatched and knows since when (for metrics)', async () => {
        expect(await store.outboxBacklog()).toEqual({ pending: 0, oldestAt: undefined });
        const first = clock.now();
        const one = await publish(envelope('One'));
        clock.advance(5_000);
        await publish(envelope('Two'), envelope('Three'));
        expect(await store.outboxBacklog()).toEqual({ pending: 3, oldestAt: first });
        await store.markDispatched(one.map((record) => record.id));
        const { pending, oldestAt } = await store.outboxBacklog();
        expect(pending).toBe(2);
        expect(oldestAt?.getTime()).toBe(first.getTime() + 5_000);
      });

      it('never shows a message of a transaction that rolls back, even while it is open', async () => {
        const enqueued = deferred();
        const readStarted = deferred();
        const failing = store.transaction(async (tx) => {
          tx.publishAfterCommit([envelope('Doomed')]);
          // A statement after it, so that a store that holds the message back has written it.
          await tx.loadSaga('onboarding', 'none');
          enqueued.resolve();
          await readStarted.promise;
          throw new Error('rolled back');
        });
        await enqueued.promise;
        const read = store.pendingOutbox(10);
        readStarted.resolve();
        await expect(failing).rejects.toThrow('rolled back');
        expect(await read).toEqual([]);
        expect(await store.pendingOutbox(10)).toEqual([]);
      });
    });

    describe('transactions (Tx)', () => {
      it('leaves nothing behind a transaction that throws', async () => {
        const message = envelope('Anything', {}, tenantA as never);
        const record = saga('Registered');
        await expect(
          store.transaction(async (tx) => {
            await tx.saveSaga(record, 0);
            await tx.receive('billing', message.eventId);
            tx.publishAfterCommit([message]);
            await tx.schedule({
              id: 'timeout',
              dueAt: clock.now().toISOString(),
              endpoint: null,
              envelope: message,
              attempt: 1,
            });
            await tx.appendAudit(audit(tenantA, 'Registered', clock.now().toISOString()));
            await tx.addDeadLetter(deadLetter(message));
            await tx.putRecord({
              collection: 'users',
              tenantId: tenantA,
              id: 'u1',
              data: { name: 'Ada' },
            });
            await tx.claimUnique('slug', 'acme', tenantA);
            await tx.addToCounter(tenantA, 'seats', 1, 10);
            throw new Error('nothing happened');
          }),
        ).rejects.toThrow('nothing happened');

        expect(await store.getSaga('onboarding', record.id)).toBeUndefined();
        expect(await store.pendingOutbox(10)).toEqual([]);
        expect(await store.nextDue()).toBeUndefined();
        expect(await store.timeline(tenantA)).toEqual([]);
        expect(await store.listDeadLetters()).toEqual([]);
        expect(await store.listRecords('users', tenantA)).toEqual([]);
        expect(await store.counters(tenantA)).toEqual({});
        await store.transaction(async (tx) => {
          expect(await tx.receive('billing', message.eventId)).toBe('new');
          expect(await tx.claimUnique('slug', 'acme', 'someone-else')).toBe('someone-else');
        });
      });
    });

    describe('scheduled messages (Schedule, DueMessages)', () => {
      const at = (ms: number) => new Date(clock.now().getTime() + ms);
      const schedule = (id: string, dueInMs: number, endpoint: string | null = null) =>
        store.transaction((tx) =>
          tx.schedule({
            id,
            dueAt: at(dueInMs).toISOString(),
            endpoint,
            envelope: envelope(id),
            attempt: 2,
          }),
        );

      it('hands out due messages, oldest first, and says when the next one is due', async () => {
        await schedule('later', 2000);
        await schedule('soon', 1000, 'billing');
        await schedule('never', 60_000);
        expect(await store.nextDue()).toEqual(at(1000));
        expect(await store.claimDue(at(999), 10)).toEqual([]);

        const due = await store.claimDue(at(2000), 10);
        expect(due.map((record) => record.id)).toEqual(['soon', 'later']);
        expect(due[0]).toMatchObject({
          endpoint: 'billing',
          attempt: 2,
          dueAt: at(1000).toISOString(),
        });
        expect(due[0]!.envelope.type).toBe('soon');
      });

      it('leases a claim: nobody else gets it until it is completed or the lease runs out', async () => {
        await schedule('timeout', 0);
        expect(await store.claimDue(at(0), 10, 5000)).toHaveLength(1);
        expect(await store.claimDue(at(0), 10, 5000)).toEqual([]);
        expect(await store.nextDue()).toEqual(at(5000));

        // The claimer crashed: after the lease the message is claimed again.
        const again = await store.claimDue(at(5000), 10, 5000);
        expect(again.map((record) => record.id)).toEqual(['timeout']);
        await store.completeScheduled(['timeout']);
        expect(await store.claimDue(at(60_000), 10)).toEqual([]);
        expect(await store.nextDue()).toBeUndefined();
      });

      it('keeps a message rescheduled after its claim, and replaces a pending one', async () => {
        await schedule('timeout', 0);
        await store.claimDue(at(0), 10);
        await schedule('timeout', 3000);
        await store.completeScheduled(['timeout']);
        expect(await store.nextDue()).toEqual(at(3000));

        await schedule('timeout', 4000);
        expect(await store.nextDue()).toEqual(at(4000));
        await store.transaction((tx) => tx.cancelScheduled('timeout'));
        expect(await store.nextDue()).toBeUndefined();
      });

      it('gives each due message to exactly one of many concurrent claimers', async () => {
        for (let index = 0; index < 50; index += 1) await schedule(`message-${index}`, index);
        const claims = await Promise.all(
          Array.from({ length: 10 }, () => store.claimDue(at(100), 7)),
        );
        const ids = claims.flat().map((record) => record.id);
        expect(ids).toHaveLength(new Set(ids).size);
        const rest = await store.claimDue(at(100), 100);
        expect(ids.length + rest.length).toBe(50);
      });
    });

    describe('audit log and tenant history (AuditLog, TenantHistory)', () => {
      it('keeps the audit trail of a tenant in the order it was written', async () => {
        // `at` runs backwards: the order must come from insertion, not from the timestamps.
        await store.transaction(async (tx) => {
          await tx.appendAudit(audit(tenantA, 'Registered', '2030-01-01T00:00:03.000Z'));
          await tx.appendAudit(audit(tenantB, 'Registered', '2030-01-01T00:00:02.000Z'));
        });
        await store.transaction((tx) =>
          tx.appendAudit(audit(tenantA, 'Provisioning', '2030-01-01T00:00:01.000Z')),
        );
        await store.transaction((tx) =>
          tx.appendAudit(audit(tenantA, 'Active', '2030-01-01T00:00:00.000Z')),
        );
        const timeline = await store.timeline(tenantA);
        expect(timeline.map((entry) => entry.action)).toEqual([
          'Registered',
          'Provisioning',
          'Active',
        ]);
        expect(timeline[0]).toEqual(
          expect.objectContaining({ tenantId: tenantA, detail: { action: 'Registered' } }),
        );
      });

      it("lists a tenant's messages in the order they were committed, the newest when limited", async () => {
        const a = newTenantId();
        const b = newTenantId();
        const first = [envelope('One', {}, a), envelope('Other', {}, b), envelope('Two', {}, a)];
        await publish(...first);
        const third = envelope('Three', {}, a);
        await store.markDispatched((await publish(third)).map((record) => record.id));
        expect(await store.tenantMessages(a, 10)).toEqual([first[0], first[2], third]);
        expect(await store.tenantMessages(b, 10)).toEqual([first[1]]);
        expect(await store.tenantMessages(a, 2)).toEqual([first[2], third]);
        expect(await store.tenantMessages(newTenantId(), 10)).toEqual([]);
      });
    });

    describe('dead letters (DeadLetters, DeadLetterQueries)', () => {
      it('keeps dead letters with their whole envelope until they are taken back', async () => {
        const first = deadLetter(envelope('PaymentFailed', { invoice: 1 }, tenantA as never));
        const second = deadLetter(envelope('Other', {}, tenantB as never), 'identity');
        await store.transaction(async (tx) => {
          await tx.addDeadLetter(first);
          await tx.addDeadLetter(second);
        });
        expect(await store.getDeadLetter(first.id)).toEqual(first);
        expect(await store.listDeadLetters()).toEqual([first, second]);
        expect(await store.listDeadLetters({ tenantId: tenantB })).toEqual([second]);
        expect(await store.listDeadLetters({ type: 'PaymentFailed' })).toEqual([first]);

        expect(await store.transaction((tx) => tx.removeDeadLetter(first.id))).toEqual(first);
        expect(await store.transaction((tx) => tx.removeDeadLetter(first.id))).toBeUndefined();
        expect(await store.listDeadLetters()).toEqual([second]);
      });

      it('never lets a later failure overwrite the message a dead letter keeps', async () => {
        const message = envelope('PaymentFailed', { invoice: 1 }, tenantA as never);
        const first = deadLetter(message);
        await store.transaction((tx) => tx.addDeadLetter(first));
        // A letter under the same id, with another message, endpoint and first failure: only its
        // failure, the latest, is taken.
        const later = {
          ...deadLetter({ ...message, payload: { invoice: 'forged' } }, 'identity'),
          id: first.id,
          errorType: 'PermanentError',
          errorMessage: 'gave up',
          attempts: 1,
          firstFailedAt: '2030-01-02T00:00:00.000Z',
          lastFailedAt: '2030-01-02T00:00:01.000Z',
        };
        await store.transaction((tx) => tx.addDeadLetter(later));
        const updated = {
          ...first,
          errorType: 'PermanentError',
          errorMessage: 'gave up',
          attempts: 1,
          lastFailedAt: later.lastFailedAt,
        };
        expect(await store.getDeadLetter(first.id)).toEqual(updated);
        // A failure older than the one kept changes nothing but, earlier still, the first failure.
        const older = { ...first, errorType: 'Stale', firstFailedAt: '2029-12-31T00:00:00.000Z' };
        await store.transaction((tx) => tx.addDeadLetter(older));
        expect(await store.listDeadLetters()).toEqual([
          { ...updated, firstFailedAt: older.firstFailedAt },
        ]);
      });

      it('keeps two messages that claim one eventId as two letters, and one message as one', async () => {
        const real = envelope('PaymentFailed', { invoice: 1 }, tenantA as never);
        const forged = { ...real, payload: { invoice: 'forged' } };
        const letterOf = (message: Envelope, attempts: number): DeadLetter => ({
          ...deadLetter(message),
          id: deadLetterId('billing', { json: message }),
          attempts,
        });
        await store.transaction((tx) => tx.addDeadLetter(letterOf(real, 3)));
        await store.transaction((tx) => tx.addDeadLetter(letterOf(forged, 1)));
        // The same message with its keys in another order (as jsonb hands them back) is the same.
        const reordered = Object.fromEntries(Object.entries(real).reverse()) as unknown as Envelope;
        await store.transaction((tx) => tx.addDeadLetter(letterOf(reordered, 5)));
        const letters = await store.listDeadLetters();
        expect(letters.map((letter) => [letter.envelope, letter.attempts])).toEqual([
          [real, 5],
          [forged, 1],
        ]);
      });

      it('keeps a letter from the broker whose body is not JSON, byte for byte', async () => {
        const found = (body: Buffer): TransportDeadLetter => ({
          endpoint: 'billing',
          body,
          errorType: 'UnparsableMessage',
          errorMessage: 'not a JSON object',
          attempts: 1,
          firstFailedAt: '2030-01-01T00:00:00.000Z',
          lastFailedAt: '2030-01-01T00:00:00.000Z',
        });
        const garbled = Buffer.concat([Buffer.from('{not json '), Buffer.from([0x00, 0xff, 0xfe])]);
        // Valid JSON, but no jsonb column could hold it.
        const nul = Buffer.from('{"eventId":"e-1","type":"T","payload":"\\u0000"}');
        const letters = [fromTransport(found(garbled)), fromTransport(found(nul))];
        await store.transaction(async (tx) => {
          for (const letter of letters) await tx.addDeadLetter(letter);
        });
        expect(await store.listDeadLetters()).toEqual(letters);
        const kept = await store.getDeadLetter(letters[0]!.id);
        expect(kept).toMatchObject({ envelope: null, source: 'broker' });
        expect(Buffer.from(kept!.body!, 'base64')).toEqual(garbled);
        expect(Buffer.from(letters[1]!.body!, 'base64')).toEqual(nul);
      });

      it('counts dead letters per endpoint, in one row each', async () => {
        expect(await store.countDeadLetters()).toEqual({});
        await store.transaction(async (tx) => {
          for (const endpoint of ['billing', 'identity', 'billing', 'billing'])
            await tx.addDeadLetter(deadLetter(envelope('Failed'), endpoint));
        });
        expect(await store.countDeadLetters()).toEqual({ billing: 3, identity: 1 });
      });
    });

    describe('records (Records, RecordQueries)', () => {
      it('keeps text and JSON exactly as written, whatever characters they hold', async () => {
        const awkward = `it's a \\ back\\slash "quoted" $1 ünïcødé 🎉\nnext line`;
        const data = { awkward, nested: { list: [awkward, 1.5, null, true] } };
        await store.transaction(async (tx) => {
          await tx.putRecord({ collection: 'notes', tenantId: tenantA, id: awkward, data });
          await tx.appendAudit({
            ...audit(tenantA, awkward, '2030-01-01T00:00:00.000Z'),
            toState: awkward,
            detail: data,
          });
        });
        expect((await store.getRecord('notes', tenantA, awkward))?.data).toEqual(data);
        const [entry] = await store.timeline(tenantA);
        expect(entry).toMatchObject({ action: awkward, toState: awkward, detail: data });
      });

      it('keeps records per collection and tenant', async () => {
        await store.transaction(async (tx) => {
          await tx.putRecord({
            collection: 'users',
            tenantId: tenantA,
            id: 'u2',
            data: { name: 'Bo' },
          });
          await tx.putRecord({
            collection: 'users',
            tenantId: tenantA,
            id: 'u1',
            data: { name: 'Ada' },
          });
          await tx.putRecord({
            collection: 'users',
            tenantId: tenantB,
            id: 'u1',
            data: { name: 'Cy' },
          });
          await tx.putRecord({
            collection: 'users',
            tenantId: tenantA,
            id: 'u1',
            data: { name: 'Ada L.' },
          });
          expect(await tx.getRecord('users', tenantA, 'u1')).toMatchObject({
            data: { name: 'Ada L.' },
          });
        });
        expect((await store.listRecords('users', tenantA)).map((record) => record.data)).toEqual([
          { name: 'Ada L.' },
          { name: 'Bo' },
        ]);
        expect(await store.getRecord('users', tenantB, 'u1')).toEqual({
          collection: 'users',
          tenantId: tenantB,
          id: 'u1',
          data: { name: 'Cy' },
        });
        expect(await store.getRecord('users', tenantB, 'u2')).toBeUndefined();
        expect(await store.listRecords('teams', tenantA)).toEqual([]);
      });
    });

    describe('tenant spaces (TenantSpaces)', () => {
      it('provisions a tenant’s space idempotently, ready for its records', async () => {
        const tenant = '9c4e2a71-5b3d-4f6e-8a1c-2d3e4f5a6b7c'; // no other test's
        const first = await store.transaction((tx) => tx.provisionTenantSpace(tenant));
        const again = await store.transaction((tx) => tx.provisionTenantSpace(tenant));
        expect(again).toBe(first);
        await store.transaction((tx) =>
          tx.putRecord({ collection: 'users', tenantId: tenant, id: 'u1', data: {} }),
        );
        expect(await store.listRecords('users', tenant)).toHaveLength(1);
      });
    });

    describe('unique claims (UniqueClaims)', () => {
      it('gives a unique key to its first claimer only', async () => {
        const owners = await Promise.all(
          ['tenant-1', 'tenant-2', 'tenant-3'].map((owner) =>
            store.transaction((tx) => tx.claimUnique('slug', 'acme', owner)),
          ),
        );
        expect(new Set(owners).size).toBe(1);
        expect(
          await store.transaction((tx) => tx.claimUnique('idempotency', 'acme', 'tenant-2')),
        ).toBe('tenant-2');
      });

      it('releases a unique key for its owner only, and then it can be claimed again', async () => {
        await store.transaction((tx) => tx.claimUnique('slug', 'released', 'tenant-1'));
        expect(
          await store.transaction((tx) => tx.releaseUnique('slug', 'released', 'tenant-2')),
          "another owner's release",
        ).toBe(false);
        expect(
          await store.transaction((tx) => tx.claimUnique('slug', 'released', 'tenant-2')),
        ).toBe('tenant-1');
        expect(
          await store.transaction((tx) => tx.releaseUnique('slug', 'released', 'tenant-1')),
        ).toBe(true);
        expect(
          await store.transaction((tx) => tx.claimUnique('slug', 'released', 'tenant-2')),
        ).toBe('tenant-2');
      });

      it('counts the keys claimed in one scope, as commits leave them', async () => {
        expect(await store.countClaims('awaiting')).toBe(0);
        await store.transaction(async (tx) => {
          await tx.claimUnique('awaiting', 'tenant-1', 'a');
          await tx.claimUnique('awaiting', 'tenant-2', 'b');
          await tx.claimUnique('slug', 'tenant-1', 'a');
        });
        await store
          .transaction(async (tx) => {
            await tx.claimUnique('awaiting', 'tenant-3', 'c');
            throw new Error('rolled back');
          })
          .catch(() => undefined);
        expect(await store.countClaims('awaiting')).toBe(2);
        await store.transaction((tx) => tx.releaseUnique('awaiting', 'tenant-1', 'a'));
        expect(await store.countClaims('awaiting')).toBe(1);
      });
    });

    describe('counters (Counters, RecordQueries)', () => {
      it('never lets a counter exceed its maximum, under 200 concurrent adds', async () => {
        const results = await Promise.all(
          Array.from({ length: 200 }, () =>
            store.transaction((tx) => tx.addToCounter(tenantA, 'projects', 1, 50)),
          ),
        );
        expect(results.filter((value) => value !== undefined)).toHaveLength(50);
        expect(results.filter((value) => value === undefined)).toHaveLength(150);
        expect(await store.counters(tenantA)).toEqual({ projects: 50 });

        await store.transaction(async (tx) => {
          expect(await tx.addToCounter(tenantA, 'seats', 5, 3)).toBeUndefined();
          expect(await tx.addToCounter(tenantA, 'seats', 2, 3)).toBe(2);
          expect(await tx.addToCounter(tenantA, 'seats', -1, 3)).toBe(1);
          expect(await tx.addToCounter(tenantA, 'exports', 1000, null)).toBe(1000);
        });
        expect(await store.counters(tenantA)).toEqual({ exports: 1000, projects: 50, seats: 1 });
        expect(await store.counters(tenantB)).toEqual({});
      });
    });

    describe('throttles (Throttles, Maintenance)', () => {
      const hit = (key: string, windowMs = 60_000) =>
        store.transaction((tx) => tx.countHit(key, windowMs));

      it('counts the hits of a key in a window that opens at its first hit', async () => {
        const opened = clock.now().getTime();
        expect(await hit('signup:a')).toEqual({ hits: 1, resetAt: new Date(opened + 60_000) });
        clock.advance(59_999);
        expect(await hit('signup:a')).toEqual({ hits: 2, resetAt: new Date(opened + 60_000) });
        expect((await hit('signup:b')).hits, 'another key').toBe(1);
        clock.advance(1);
        // The window closed: this hit opens the next.
        expect(await hit('signup:a')).toEqual({ hits: 1, resetAt: new Date(opened + 120_000) });
      });

      it('counts every one of 100 concurrent hits', async () => {
        const counts = await Promise.all(Array.from({ length: 100 }, () => hit('flood')));
        expect(counts.map((count) => count.hits).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 100 }, (_, index) => index + 1),
        );
      });

      it('forgets a hit whose transaction rolled back', async () => {
        await expect(
          store.transaction(async (tx) => {
            await tx.countHit('rolled-back', 60_000);
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect((await hit('rolled-back')).hits).toBe(1);
      });

      it('prunes the windows that closed, and only those', async () => {
        await hit('closed', 1_000);
        await hit('open', 10_000);
        clock.advance(5_000);
        expect(await store.pruneWindows(clock.now())).toBe(1);
        expect(await store.pruneWindows(clock.now())).toBe(0);
        expect((await hit('open', 10_000)).hits).toBe(2);
      });
    });

    describe('maintenance (Maintenance)', () => {
      it('prunes inbox entries and dispatched outbox rows older than a date', async () => {
        const before = await store.transaction(async (tx) => {
          await tx.receive('billing', 'old-event');
          return tx.publishAfterCommit([envelope('Pending'), envelope('Old')]);
        });
        const [, old] = await before.committed;
        await store.markDispatched([old!.id]);
        clock.advance(2 * 24 * 3600_000);
        const after = await store.transaction(async (tx) => {
          await tx.receive('billing', 'new-event');
          return tx.publishAfterCommit([envelope('New')]);
        });
        await store.markDispatched((await after.committed).map((record) => record.id));

        const cutoff = new Date(clock.now().getTime() - 24 * 3600_000);
        expect(await store.prune(cutoff)).toEqual({ inbox: 1, outbox: 1 });

        // Undispatched rows are never pruned; the old event is outside the dedupe window now.
        expect((await store.pendingOutbox(10)).map((record) => record.envelope.type)).toEqual([
          'Pending',
        ]);
        await store.transaction(async (tx) => {
          expect(await tx.receive('billing', 'old-event')).toBe('new');
          expect(await tx.receive('billing', 'new-event')).toBe('duplicate');
        });
      });
    });
  });
}
