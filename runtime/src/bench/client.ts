/**
 * The benchmark's load: `concurrency` clients in a closed loop, in a process of its own (forked
 * by `runBench`, index.ts) so that building and sending the sign-ups does not take the product's
 * thread, as clients on other machines would not. Each client signs a tenant up through the HTTP API, waits until the main
 * thread says that tenant's onboarding ended, then signs up the next (or, with `awaitEnd` false,
 * signs up the next at once).
 */

export interface ClientJob {
  readonly base: string;
  readonly tenants: number;
  readonly concurrency: number;
  readonly slugs: readonly string[];
  /** Whether a client waits for each onboarding to end before the next sign-up. */
  readonly awaitEnd: boolean;
}

/** What the clients tell the main thread. */
export type ClientReport =
  | { readonly kind: 'signedUp'; readonly tenantId: string; readonly sentAt: number }
  | { readonly kind: 'refused'; readonly status: number; readonly body: string }
  | { readonly kind: 'ready' }
  | { readonly kind: 'done' };

/** What the main thread tells the clients: this tenant's onboarding ended. */
export interface EndedNotice {
  readonly tenantId: string;
}

if (!process.send) throw new Error('the bench client runs as a child of runBench');
const report = (message: ClientReport) => process.send?.(message);

/** The first message is the job; each one after it names a tenant whose onboarding ended. */
const received = new Promise<ClientJob>((resolve) => process.once('message', resolve));
report({ kind: 'ready' });
const job = await received;
const waiting = new Map<string, () => void>();
const ended = new Set<string>();
process.on('message', ({ tenantId }: EndedNotice) => {
  if (tenantId === undefined) return;
  ended.add(tenantId);
  waiting.get(tenantId)?.();
});
const onboarded = (tenantId: string) =>
  new Promise<void>((resolve) => {
    if (ended.has(tenantId)) return resolve();
    waiting.set(tenantId, resolve);
  });

let next = 0;
async function client(): Promise<void> {
  while (next < job.tenants) {
    const slug = job.slugs[next]!;
    next += 1;
    const sentAt = Date.now();
    const response = await fetch(`${job.base}/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        slug,
        name: `Bench ${slug}`,
        owner: { email: `owner@${slug}.example`, name: 'Owner' },
      }),
    });
    if (response.status !== 202) {
      report({ kind: 'refused', status: response.status, body: await response.text() });
      continue;
    }
    const { tenantId } = (await response.json()) as { tenantId: string };
    report({ kind: 'signedUp', tenantId, sentAt });
    if (job.awaitEnd) await onboarded(tenantId);
  }
}

await Promise.all(Array.from({ length: job.concurrency }, client));
report({ kind: 'done' });
process.disconnect();
