/**
 * `app.stop()`, which `SIGTERM` calls: it stops taking work, lets what is in flight finish, and
 * gives up after `SHUTDOWN_TIMEOUT_MS` rather than wait for something that never ends, so that the
 * process exits before whatever stops it loses patience and kills it.
 */
import type { Socket } from 'node:net';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ShutdownTimeout } from '../../src/app.js';
import { onboardingSteps, productPerTest } from './harness.js';
import { infrastructure } from './infrastructure.js';

const product = productPerTest();
const deadlineMs = 500;
/** How late past the deadline `stop()` may settle: timers and the event loop, not the work. */
const slackMs = 1_500;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A mail server that accepts connections and never says a word (nodemailer waits 30 s). */
async function silentSmtpServer(): Promise<{ url: string; connected: Promise<void> }> {
  const sockets: Socket[] = [];
  let connected!: () => void;
  const connection = new Promise<void>((resolve) => (connected = resolve));
  const server = createServer((socket) => {
    sockets.push(socket);
    connected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('the mail server has no port');
  return { url: `smtp://127.0.0.1:${address.port}`, connected: connection };
}

/** How long `stop()` took to settle, and how. */
async function timedStop(stop: () => Promise<void>) {
  const started = Date.now();
  const outcome = await stop().then(
    () => ({ ok: true as const }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { ...outcome, ms: Date.now() - started };
}

describe(`shutdown (${infrastructure})`, () => {
  it('gives up on a delivery that hangs (a mail server that never answers) at the deadline', async () => {
    const smtp = await silentSmtpServer();
    const p = await product({
      env: { SMTP_URL: smtp.url, SHUTDOWN_TIMEOUT_MS: String(deadlineMs) },
    });
    await p.signUp();
    // The onboarding runs on its own up to the owner's activation e-mail, whose delivery now
    // waits for the mail server.
    await smtp.connected;
    const stopped = await timedStop(() => p.app.stop());
    expect(stopped.ok).toBe(false);
    const error = (stopped as { error: unknown }).error;
    expect(error).toBeInstanceOf(ShutdownTimeout);
    expect((error as Error).message).toMatch(
      new RegExp(
        `gave up after ${deadlineMs} ms \\(SHUTDOWN_TIMEOUT_MS\\) waiting for the deliveries in flight`,
      ),
    );
    expect(stopped.ms).toBeGreaterThanOrEqual(deadlineMs - 50);
    expect(stopped.ms).toBeLessThan(deadlineMs + slackMs);
    // Stopping again answers the same, at once.
    const again = await timedStop(() => p.app.stop());
    expect(again).toMatchObject({ ok: false, error });
    expect(again.ms).toBeLessThan(100);
  });

  it('gives up on an HTTP request that never finishes at the deadline, and refuses new ones', async () => {
    const p = await product({ env: { SHUTDOWN_TIMEOUT_MS: String(deadlineMs) } });
    let entered!: () => void;
    const inFlight = new Promise<void>((resolve) => (entered = resolve));
    p.app.server.get('/test/hangs', { config: { access: 'public' } }, () => {
      entered();
      return new Promise<never>(() => undefined);
    });
    await p.app.server.listen({ port: 0, host: '127.0.0.1' });
    const address = p.app.server.server.address();
    if (typeof address !== 'object' || !address) throw new Error('the API has no port');
    const base = `http://127.0.0.1:${address.port}`;
    cleanups.push(() => p.app.server.server.closeAllConnections());
    const hanging = fetch(`${base}/test/hangs`).catch(() => undefined);
    await inFlight;
    const stopping = timedStop(() => p.app.stop());
    // Closing: a new request is refused (503 while the listener closes, then no connection).
    const late = await fetch(`${base}/health/live`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    const stopped = await stopping;
    expect(stopped.ok).toBe(false);
    expect((stopped as { error: unknown }).error).toBeInstanceOf(ShutdownTimeout);
    expect(String((stopped as { error: unknown }).error)).toContain('the HTTP requests in flight');
    expect(stopped.ms).toBeLessThan(deadlineMs + slackMs);
    p.app.server.server.closeAllConnections();
    await hanging;
  });

  it('resolves well before the deadline when nothing is in flight, and closes the store', async () => {
    const p = await product({ env: { SHUTDOWN_TIMEOUT_MS: '10000' } });
    const { tenantId } = await p.signUp();
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Active');
    const stopped = await timedStop(() => p.app.stop());
    expect(stopped).toMatchObject({ ok: true });
    expect(stopped.ms).toBeLessThan(5_000);
    await expect(p.app.store.transaction(async () => true)).rejects.toThrow();
  });

  it('is not held by a step that SAAS_FAULTS makes hang: it ends its delivery without an answer', async () => {
    const p = await product({
      faults: `${onboardingSteps[0]!.id}:hang`,
      env: { SHUTDOWN_TIMEOUT_MS: '10000' },
    });
    const { tenantId } = await p.signUp();
    await p.settle();
    expect((await p.tenant(tenantId)).state).toBe('Provisioning');
    const stopped = await timedStop(() => p.app.stop());
    expect(stopped).toMatchObject({ ok: true });
    expect(stopped.ms).toBeLessThan(5_000);
  });
});
