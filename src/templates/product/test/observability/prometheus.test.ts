/**
 * The dashboards against a real Prometheus: it scrapes running products (with METRICS_TOKEN, read
 * from its credentials file) while tenants onboard, some fail, one times out and a domain workflow
 * runs; then every PromQL expression of every dashboard panel must return data, and every rule of
 * alerts.yml must evaluate without error (the ones without a `for` firing).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflows } from '../../src/saga/definitions.js';
import type { TestProduct } from '@saas-gen/runtime/testing';
import { lastSteps, samplePayload, startTestProduct } from '@saas-gen/runtime/testing';
import { productDefinition } from '../../src/product.js';
import { productUnderTest } from '../product.js';
import { binary, observabilityDir, prometheusConfigCopy } from './tools.js';

const prometheusBinary = binary('prometheus');
const token = 'scrape-token-0123456789abcdef';
const onboarding = workflows.onboarding;
const firstStep = onboarding.steps.find((step) => step.on === onboarding.trigger)!;
const lastStep = lastSteps(onboarding)[0]!;

/** What Grafana puts in place of its built-in variables, for a scrape every second. */
const builtins: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1s',
  __range: '5m',
};

interface Dashboard {
  readonly title: string;
  readonly panels: readonly {
    title: string;
    targets?: readonly { refId: string; expr?: string; datasource?: { type: string } }[];
  }[];
  readonly templating: { list: readonly { name: string; current?: { value: string } }[] };
}

/** Every Prometheus query of every dashboard, its variables filled in as Grafana would. */
function dashboardQueries(): { where: string; expr: string }[] {
  const dir = join(observabilityDir, 'grafana/dashboards');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const board = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard;
      const values: Record<string, string> = { ...builtins };
      for (const variable of board.templating.list)
        values[variable.name] = variable.current?.value ?? '';
      return board.panels.flatMap((panel) =>
        (panel.targets ?? [])
          .filter((target) => target.datasource?.type === 'prometheus')
          .map((target) => ({
            where: `${file} › ${panel.title} › ${target.refId}`,
            expr: target.expr!.replace(
              /\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g,
              (all, a?: string, b?: string) => values[(a ?? b)!] ?? all,
            ),
          })),
      );
    });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!prometheusBinary)('the dashboards and alerts on a real Prometheus', () => {
  const products: TestProduct[] = [];
  let prometheus: ChildProcess | undefined;
  let base = '';
  let log = '';

  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const query = (expr: string) =>
    api<{ resultType: string; result: unknown[] }>(
      `/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
  /** Polls until `check` passes (returns true) or `ms` runs out; returns its last verdict. */
  const eventually = async (ms: number, check: () => Promise<boolean>) => {
    const deadline = Date.now() + ms;
    for (;;) {
      if (await check().catch(() => false)) return true;
      if (Date.now() > deadline) return false;
      await sleep(250);
    }
  };

  beforeAll(async () => {
    const start = async (faults = '') => {
      const p = await startTestProduct({
        ...productUnderTest(),
        faults,
        env: { METRICS_TOKEN: token },
      });
      products.push(p);
      await p.app.server.listen({ port: 0, host: '127.0.0.1' });
      return p;
    };
    // Three instances, as replicas would be: the dashboards sum over them.
    const healthy = await start();
    const failing = await start(`${lastStep.id}:fail`);
    const stuck = await start(`${firstStep.id}:transient:${firstStep.retry.attempts}`);
    const targets = products.map((p) => {
      const { port } = p.app.server.server.address() as AddressInfo;
      return `127.0.0.1:${port}`;
    });

    const { dir, configFile } = prometheusConfigCopy({
      token,
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape: (tokenFile) => [
        {
          job_name: 'api',
          authorization: { type: 'Bearer', credentials_file: tokenFile },
          static_configs: [{ targets }],
        },
      ],
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      prometheusBinary!,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    prometheus.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    // Every target scraped once (with the token: a refused scrape is `up` 0) before anything
    // happens, so that each counter has its zero to increase from.
    const scraped = await eventually(15_000, async () => {
      const up = await query('up == 1');
      return up.result.length === targets.length;
    });
    expect(scraped, `Prometheus did not scrape ${targets.join(', ')}:\n${log}`).toBe(true);

    // Tenants onboard; a domain workflow runs for each.
    for (let i = 0; i < 3; i++) {
      const { tenantId } = await healthy.signUp();
      await healthy.settle();
      for (const workflow of Object.values(workflows).filter((w) => w.kind === 'domain')) {
        const started = await healthy.inject({
          method: 'POST',
          url: `/tenants/${tenantId}/workflows/${workflow.id}`,
          payload: samplePayload(productDefinition, workflow.trigger),
        });
        expect(started.statusCode, started.body).toBe(202);
      }
      await healthy.settle();
      await healthy.inject({ method: 'GET', url: `/tenants/${tenantId}` });
    }
    // A few fail: the last step fails irrecoverably, the others are compensated.
    for (let i = 0; i < 2; i++) await failing.signUp();
    await failing.settle();
    // One times out: its first step is dead-lettered after its retries, and the clock runs past
    // the onboarding's timeout.
    const { tenantId: late } = await stuck.signUp();
    await stuck.elapse(onboarding.timeoutMs + 1000);
    expect((await stuck.tenant(late)).state).toBe('ProvisioningFailed');
  }, 60_000);

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await Promise.all(products.map((p) => p.stop().catch(() => undefined)));
  });

  it('answers every PromQL expression of every dashboard panel with data', async () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    const empty = async () => {
      const results = await Promise.all(
        queries.map(async (q) => ({ ...q, result: (await query(q.expr)).result })),
      );
      return results.filter((r) => r.result.length === 0);
    };
    // Until the scrapes after the last event are in: a few seconds at most.
    let missing: { where: string; expr: string }[] = [];
    await eventually(15_000, async () => (missing = await empty()).length === 0);
    expect(missing.map((m) => `${m.where}: ${m.expr}`)).toEqual([]);
    // And the events are there, not just zeros: each is counted once its delivery has finished,
    // which may be after the state it led to was read, so until the next scrape has it.
    const ended = async (outcome: string) => {
      const answer = await query(
        `sum(saas_workflow_runs_ended_total{workflow=${JSON.stringify(workflows.onboarding.id)},outcome="${outcome}"})`,
      );
      return Number((answer.result[0] as { value: [number, string] } | undefined)?.value[1]);
    };
    const expected = { completed: 3, failed: 2, timed_out: 1 };
    let counted: Record<string, number> = {};
    await eventually(15_000, async () => {
      counted = Object.fromEntries(
        await Promise.all(
          Object.keys(expected).map(async (outcome) => [outcome, await ended(outcome)]),
        ),
      );
      return Object.entries(expected).every(([outcome, count]) => counted[outcome] === count);
    });
    expect(counted).toEqual(expected);
  });

  it('loads alerts.yml: every rule evaluates, and those without a `for` fire', async () => {
    const rulesIn = (
      readFileSync(join(observabilityDir, 'alerts.yml'), 'utf8').match(/^\s+- alert: /gm) ?? []
    ).length;
    type Rule = { name: string; health: string; lastError?: string; state: string };
    let rules: Rule[] = [];
    await eventually(10_000, async () => {
      const data = await api<{ groups: { rules: Rule[] }[] }>('/api/v1/rules?type=alert');
      rules = data.groups.flatMap((group) => group.rules);
      return rules.length === rulesIn && rules.every((rule) => rule.health !== 'unknown');
    });
    expect(rules).toHaveLength(rulesIn);
    for (const rule of rules) expect(rule.health, `${rule.name}: ${rule.lastError}`).toBe('ok');
    const firing = async () =>
      (
        await api<{ alerts: { state: string; labels: { alertname: string } }[] }>('/api/v1/alerts')
      ).alerts
        .filter((alert) => alert.state === 'firing')
        .map((alert) => alert.labels.alertname);
    let names: string[] = [];
    await eventually(10_000, async () => {
      names = await firing();
      return names.includes('OnboardingTimedOut') && names.includes('DeadLettersGrowing');
    });
    expect(names).toEqual(expect.arrayContaining(['OnboardingTimedOut', 'DeadLettersGrowing']));
    // Every instance answers its scrape.
    expect(names).not.toContain('TargetDown');
  });
});
