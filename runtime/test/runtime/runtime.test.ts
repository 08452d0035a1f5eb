/**
 * The delivery pipeline on the memory transport and SQLite, with a manual clock: time moves only
 * when a test says so, and `flush()` replaces sleeping.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/contracts/envelope.js';
import { newTenantId, startEnvelope } from '../../src/contracts/envelope.js';
import { messageCatalog } from '../../src/contracts/messages.js';
import { ManualClock } from '../../src/runtime/clock.js';
import type { Endpoint, EndpointDefinition, HandlerContext } from '../../src/runtime/handler.js';
import { PermanentError } from '../../src/runtime/handler.js';
import { silentLogger } from '../../src/runtime/logger.js';
import { MemoryTransport } from '../../src/runtime/memory-transport.js';
import { InvalidMessage } from '../../src/runtime/outgoing.js';
import { Runtime } from '../../src/runtime/runtime.js';
import { SqliteStore } from '../../src/runtime/sqlite-store.js';
import { ConcurrencyConflict } from '../../src/runtime/store.js';

const directory = mkdtempSync(join(tmpdir(), 'runtime-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const newFile = () => `file:${join(directory, `runtime-${(files += 1)}.db`)}`;

const running: { runtime: Runtime; store: SqliteStore }[] = [];
afterEach(async () => {
  for (const { runtime, store } of running.splice(0)) {
    await runtime.stop();
    await store.close();
  }
});

type Handle = (ctx: HandlerContext) => Promise<void>;
type TestEndpoint = EndpointDefinition & { readonly calls: HandlerContext[] };

/** An endpoint that records every call; retries: exponential from 100 ms (100, 200, 400, …). */
function endpoint(
  name: string,
  types: string[],
  handle: Handle = async () => {},
  attempts = 3,
): TestEndpoint {
  const calls: HandlerContext[] = [];
  return {
    name,
    types,
    calls,
    retry: { attempts, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 1000 },
    async handle(ctx) {
      calls.push(ctx);
      await handle(ctx);
    },
  };
}

async function start(endpoints: Endpoint[], options: { url?: string; clock?: ManualClock } = {}) {
  const clock = options.clock ?? new ManualClock();
  const store = new SqliteStore({ url: options.url ?? ':memory:', clock });
  await store.migrate();
  const transport = new MemoryTransport({ redeliveryDelayMs: 1 });
  const runtime = new Runtime({
    transport,
    store,
    messages: messageCatalog,
    clock,
    logger: silentLogger,
  });
  for (const definition of endpoints) runtime.register(definition);
  await runtime.start();
  running.push({ runtime, store });
  return { clock, store, transport, runtime };
}

const pastDue = (clock: ManualClock, tenantId: TenantId = newTenantId()) =>
  startEnvelope({
    type: 'PaymentPastDue',
    payload: { invoiceId: 'inv-1' },
    tenantId,
    occurredAt: clock.now(),
  });

const at = (clock: ManualClock, ms: number) => new Date(clock.now().getTime() + ms).toISOString();

describe('runtime', () => {
  it('applies a message, then dispatches what its handler published after commit', async () => {
    const billing = endpoint('billing', ['PaymentPastDue'], async (ctx) => {
      ctx.publish('TenantSuspended', { reason: 'past due' });
    });
    const audit = endpoint('audit', ['TenantSuspended']);
    const { clock, store, runtime } = await start([billing, audit]);

    const message = pastDue(clock);
    await runtime.execute(async (ctx) => ctx.publish(message));
    await runtime.flush();

    expect(audit.calls).toHaveLength(1);
    const suspended = audit.calls[0]!.message;
    expect(suspended).toMatchObject({
      type: 'TenantSuspended',
      payload: { reason: 'past due' },
      tenantId: message.tenantId,
      correlationId: message.correlationId,
      causationId: message.eventId,
    });
    expect(suspended.traceId.slice(0, 35)).toBe(message.traceId.slice(0, 35));
    expect(await store.pendingOutbox(10)).toEqual([]);
  });

  it('applies a duplicate delivery once', async () => {
    const billing = endpoint('billing', ['PaymentPastDue'], async (ctx) => {
      await ctx.tx.addToCounter(ctx.message.tenantId, 'reminders', 1, null);
    });
    const { clock, store, transport, runtime } = await start([billing]);

    const message = pastDue(clock);
    await Promise.all([transport.publish(message), transport.publish(message)]);
    await transport.publish(message);
    await runtime.flush();

    expect(billing.calls).toHaveLength(1);
    expect(await store.counters(message.tenantId)).toEqual({ reminders: 1 });
  });

  it('retries a transient failure at the delays of its policy, then succeeds', async () => {
    const billing = endpoint(
      'billing',
      ['PaymentPastDue'],
      async (ctx) => {
        // Written, then rolled back with the failed attempt.
        await ctx.tx.putRecord({
          collection: 'reminders',
          tenantId: ctx.message.tenantId,
          id: 'r',
          data: {},
        });
        if (ctx.attempt < 3) throw new Error(`attempt ${ctx.attempt} failed`);
      },
      4,
    );
    const { clock, store, transport, runtime } = await start([billing]);
    const message = pastDue(clock);
    const attempts = () => billing.calls.map((call) => call.attempt);

    await transport.publish(message);
    await runtime.flush();
    expect(attempts()).toEqual([1]);
    expect(await store.getRecord('reminders', message.tenantId, 'r')).toBeUndefined();
    expect(await store.nextDue()).toEqual(new Date(at(clock, 100)));

    clock.advance(99);
    await runtime.flush();
    expect(attempts()).toEqual([1]);
    clock.advance(1);
    await runtime.flush();
    expect(attempts()).toEqual([1, 2]);
    clock.advance(200);
    await runtime.flush();
    expect(attempts()).toEqual([1, 2, 3]);

    expect(await store.getRecord('reminders', message.tenantId, 'r')).toBeDefined();
    expect(await store.listDeadLetters()).toEqual([]);
    expect(await store.nextDue()).toBeUndefined();
  });

  it('dead-letters a message whose retries ran out, with its envelope and its failures', async () => {
    const billing = endpoint('billing', ['PaymentPastDue'], async () => {
      throw new TypeError('card declined');
    });
    const { clock, store, transport, runtime } = await start([billing]);
    const message = pastDue(clock);
    const firstFailedAt = clock.now().toISOString();

    await transport.publish(message);
    await runtime.flush();
    for (const delay of [100, 200]) {
      clock.advance(delay);
      await runtime.flush();
    }

    expect(billing.calls.map((call) => call.attempt)).toEqual([1, 2, 3]);
    expect(await store.listDeadLetters()).toEqual([
      {
        id: expect.any(String),
        endpoint: 'billing',
        envelope: message,
        errorType: 'TypeError',
        errorMessage: 'card declined',
        attempts: 3,
        firstFailedAt,
        lastFailedAt: clock.now().toISOString(),
      },
    ]);
    expect(await store.nextDue()).toBeUndefined();
  });

  it('dead-letters an invalid message without calling its handler', async () => {
    const billing = endpoint('billing', ['PaymentPastDue']);
    const { clock, store, transport, runtime } = await start([billing]);
    const badPayload = { ...pastDue(clock), payload: { invoiceId: 42 } };
    const badTrace = { ...pastDue(clock), traceId: `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01` };

    await transport.publish(badPayload as never);
    await transport.publish(badTrace as never);
    await runtime.flush();

    expect(billing.calls).toEqual([]);
    const letters = await store.listDeadLetters();
    expect(letters.map((letter) => [letter.errorType, letter.attempts])).toEqual([
      ['InvalidMessage', 1],
      ['InvalidMessage', 1],
    ]);
    expect(letters[0]!.envelope).toEqual(badPayload);
    expect(letters[0]!.errorMessage).toContain('/payload/invoiceId');
    expect(letters[1]!.errorMessage).toContain('traceparent');
  });

  it('refuses to publish an invalid message, from a handler or a unit of work', async () => {
    const billing = endpoint('billing', ['PaymentPastDue'], async (ctx) => {
      ctx.publish('TenantSuspended', { reason: 5 } as never);
    });
    const audit = endpoint('audit', ['TenantSuspended']);
    const { clock, store, transport, runtime } = await start([billing, audit]);

    await transport.publish(pastDue(clock));
    await runtime.flush();
    expect(audit.calls).toEqual([]);
    expect(
      (await store.listDeadLetters()).map((letter) => [letter.errorType, letter.attempts]),
    ).toEqual([['InvalidMessage', 1]]);

    const invalid = { ...pastDue(clock), tenantId: 'not-a-uuid' as TenantId };
    const work = runtime.execute(async (ctx) => {
      await ctx.tx.putRecord({ collection: 'c', tenantId: invalid.tenantId, id: 'x', data: {} });
      ctx.publish(invalid);
    });
    await expect(work).rejects.toBeInstanceOf(InvalidMessage);
    expect(await store.getRecord('c', invalid.tenantId, 'x')).toBeUndefined();
  });

  it('dead-letters a PermanentError at once', async () => {
    const billing = endpoint(
      'billing',
      ['PaymentPastDue'],
      async () => {
        throw new PermanentError('tenant unknown');
      },
      5,
    );
    const { clock, store, transport, runtime } = await start([billing]);

    await transport.publish(pastDue(clock));
    await runtime.flush();

    expect(billing.calls).toHaveLength(1);
    expect(await store.listDeadLetters()).toMatchObject([
      { errorType: 'PermanentError', errorMessage: 'tenant unknown', attempts: 1 },
    ]);
    expect(await store.nextDue()).toBeUndefined();
  });

  it('replays a dead letter to its endpoint as a first attempt', async () => {
    let broken = true;
    const billing = endpoint('billing', ['PaymentPastDue'], async () => {
      if (broken) throw new PermanentError('misconfigured');
    });
    const notification = endpoint('notification', ['PaymentPastDue']);
    const { clock, store, transport, runtime } = await start([billing, notification]);

    await transport.publish(pastDue(clock));
    await runtime.flush();
    const [letter] = await store.listDeadLetters();

    broken = false;
    expect(await runtime.replayDeadLetter(letter!.id)).toEqual(letter);
    await runtime.flush();

    expect(billing.calls.map((call) => call.attempt)).toEqual([1, 1]);
    expect(notification.calls).toHaveLength(1);
    expect(await store.listDeadLetters()).toEqual([]);
    expect(await runtime.replayDeadLetter(letter!.id)).toBeUndefined();
  });

  it('dispatches outbox rows a crash left behind, once per consumer', async () => {
    const url = newFile();
    const clock = new ManualClock();
    const crashed = new SqliteStore({ url, clock });
    await crashed.migrate();
    const messages = [pastDue(clock), pastDue(clock)];
    await crashed.transaction(async (tx) => {
      tx.publishAfterCommit(messages);
    });
    await crashed.close();

    const billing = endpoint('billing', ['PaymentPastDue']);
    const notification = endpoint('notification', ['PaymentPastDue']);
    const { store, runtime } = await start([billing, notification], { url, clock });
    await runtime.flush();

    const eventIds = messages.map((message) => message.eventId);
    expect(billing.calls.map((call) => call.message.eventId).sort()).toEqual(eventIds.sort());
    expect(notification.calls.map((call) => call.message.eventId).sort()).toEqual(eventIds.sort());
    expect(await store.pendingOutbox(10)).toEqual([]);

    // A further restart has nothing left to send.
    const later = endpoint('billing', ['PaymentPastDue']);
    const next = await start([later], { url, clock });
    await next.runtime.flush();
    expect(later.calls).toEqual([]);
  });

  it('keeps a scheduled retry across a restart', async () => {
    const url = newFile();
    const failing = endpoint('billing', ['PaymentPastDue'], async () => {
      throw new Error('down');
    });
    const first = await start([failing], { url });
    await first.transport.publish(pastDue(first.clock));
    await first.runtime.flush();
    await first.runtime.stop();

    const healed = endpoint('billing', ['PaymentPastDue']);
    const second = await start([healed], { url, clock: first.clock });
    first.clock.advance(100);
    await second.runtime.flush();
    expect(healed.calls.map((call) => call.attempt)).toEqual([2]);
    expect(healed.calls[0]!.message.eventId).toBe(failing.calls[0]!.message.eventId);
  });

  it('retries a concurrency conflict at once, without counting an attempt', async () => {
    let conflicts = 3;
    const saga = endpoint('tenant-management', ['PaymentPastDue'], async (ctx) => {
      await ctx.tx.addToCounter(ctx.message.tenantId, 'applied', 1, null);
      if (conflicts-- > 0) throw new ConcurrencyConflict('onboarding', ctx.message.tenantId);
    });
    const { clock, store, transport, runtime } = await start([saga]);
    const message = pastDue(clock);

    await transport.publish(message);
    await runtime.flush();

    expect(saga.calls.map((call) => call.attempt)).toEqual([1, 1, 1, 1]);
    expect(await store.counters(message.tenantId)).toEqual({ applied: 1 });
    expect(await store.listDeadLetters()).toEqual([]);
    expect(await store.nextDue()).toBeUndefined();
  });

  it('counts a conflict that does not go away as a failed attempt', async () => {
    const saga = endpoint('tenant-management', ['PaymentPastDue'], async (ctx) => {
      throw new ConcurrencyConflict('onboarding', ctx.message.tenantId);
    });
    const { clock, store, transport, runtime } = await start([saga]);

    await transport.publish(pastDue(clock));
    await runtime.flush();

    expect(saga.calls).toHaveLength(21);
    expect(saga.calls.every((call) => call.attempt === 1)).toBe(true);
    expect(await store.nextDue()).toEqual(new Date(at(clock, 100)));
  });

  it('delivers a scheduled message when it falls due, to the endpoint it names', async () => {
    const billing = endpoint('billing', ['PaymentPastDue'], async (ctx) => {
      const dueAt = new Date(ctx.now.getTime() + 1000);
      ctx.schedule(
        'TenantSuspended',
        { reason: 'grace period over' },
        { dueAt, endpoint: 'audit' },
      );
    });
    const audit = endpoint('audit', ['TenantSuspended']);
    const metrics = endpoint('metrics', ['TenantSuspended']);
    const { clock, transport, runtime } = await start([billing, audit, metrics]);
    const message = pastDue(clock);

    await transport.publish(message);
    await runtime.flush();
    clock.advance(999);
    await runtime.flush();
    expect(audit.calls).toEqual([]);

    clock.advance(1);
    await runtime.flush();
    expect(audit.calls.map((call) => call.message.causationId)).toEqual([message.eventId]);
    expect(metrics.calls).toEqual([]);
  });

  it('commits nothing of a unit of work that throws', async () => {
    const billing = endpoint('billing', ['PaymentPastDue']);
    const { clock, store, runtime } = await start([billing]);
    const message = pastDue(clock);

    const work = runtime.execute(async (ctx) => {
      ctx.publish(message);
      await ctx.tx.putRecord({ collection: 'c', tenantId: message.tenantId, id: 'x', data: {} });
      throw new Error('slug taken');
    });
    await expect(work).rejects.toThrow('slug taken');
    await runtime.flush();

    expect(billing.calls).toEqual([]);
    expect(await store.getRecord('c', message.tenantId, 'x')).toBeUndefined();
  });

  it('prunes inbox entries and dispatched outbox rows after the retention', async () => {
    const billing = endpoint('billing', ['PaymentPastDue']);
    const { clock, runtime } = await start([billing]);
    await runtime.execute(async (ctx) => ctx.publish(pastDue(clock)));
    await runtime.flush();

    expect(await runtime.prune()).toEqual({ inbox: 0, outbox: 0, windows: 0 });
    clock.advance(7 * 24 * 3600_000 + 1);
    expect(await runtime.prune()).toEqual({ inbox: 1, outbox: 1, windows: 0 });
  });

  it('writes no outbox row for a message that no endpoint of the in-process bus receives', async () => {
    const billing = endpoint('billing', ['PaymentPastDue'], async (ctx) => {
      ctx.publish('TenantSuspended', { reason: 'past due' }); // nobody subscribes to it
    });
    const { clock, store, transport, runtime } = await start([billing]);
    const enqueued: string[] = [];
    const transaction = store.transaction.bind(store);
    store.transaction = (work) =>
      transaction((tx) => {
        const publish = tx.publishAfterCommit.bind(tx);
        tx.publishAfterCommit = (envelopes) => {
          enqueued.push(...envelopes.map((envelope) => envelope.type));
          return publish(envelopes);
        };
        return work(tx);
      });

    expect(transport.receives('PaymentPastDue')).toBe(true);
    expect(transport.receives('TenantSuspended')).toBe(false);
    await runtime.execute(async (ctx) => ctx.publish(pastDue(clock)));
    await runtime.flush();
    expect(billing.calls).toHaveLength(1);
    expect(enqueued).toEqual(['PaymentPastDue']);
  });

  it('runs a sink outside any transaction, retrying it and dead-lettering it like any endpoint', async () => {
    const sent: { attempt: number; inTransaction: boolean }[] = [];
    let fails = 1;
    const { clock, store, transport, runtime } = await start([
      {
        kind: 'sink',
        name: 'mail',
        types: ['PaymentPastDue'],
        retry: { attempts: 2, backoff: 'exponential', initialDelayMs: 100, maxDelayMs: 1000 },
        async send(_message, attempt) {
          // A store call inside a transaction is refused: the sink may use the store freely.
          const inTransaction = await store.pendingOutbox(1).then(
            () => false,
            () => true,
          );
          sent.push({ attempt, inTransaction });
          if (fails-- > 0) throw new Error('mail server down');
        },
      },
    ]);

    const first = pastDue(clock);
    await transport.publish(first);
    await runtime.flush();
    clock.advance(100);
    await runtime.flush();
    expect(sent).toEqual([
      { attempt: 1, inTransaction: false },
      { attempt: 2, inTransaction: false },
    ]);
    expect(await store.listDeadLetters()).toEqual([]);

    // No inbox: a message sent again is sent again (a sink is idempotent by itself).
    await transport.publish(first);
    await runtime.flush();
    expect(sent).toHaveLength(3);

    fails = 2;
    const second = pastDue(clock);
    await transport.publish(second);
    await runtime.flush();
    clock.advance(100);
    await runtime.flush();
    expect(await store.listDeadLetters()).toMatchObject([
      { endpoint: 'mail', envelope: second, errorMessage: 'mail server down', attempts: 2 },
    ]);
  });
});
