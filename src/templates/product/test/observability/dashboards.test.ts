/**
 * observability/grafana: the dashboards read as Grafana reads them. Every datasource a panel or
 * query names is one the provisioning declares, every Prometheus query has an expression, every
 * variable a dashboard uses is one it defines, every link is a URL once its variables are filled
 * in, and every step of every workflow in src/saga/definitions.ts has its panels.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workflows } from '../../src/saga/definitions.js';

const root = fileURLToPath(new URL('../../observability/grafana/', import.meta.url));
const read = (path: string) => readFileSync(`${root}${path}`, 'utf8');

interface Ref {
  readonly type: string;
  readonly uid: string;
}
interface Target {
  readonly refId: string;
  readonly datasource?: Ref;
  readonly expr?: string;
  readonly queryType?: string;
  readonly tags?: string;
}
interface Link {
  readonly title: string;
  readonly url: string;
  readonly type?: string;
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly datasource?: Ref;
  readonly targets?: readonly Target[];
  readonly links?: readonly Link[];
}
interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly links: readonly Link[];
  readonly templating: {
    list: readonly { name: string; type: string; query?: string; current?: { value: string } }[];
  };
}

const provisioned = parse(read('provisioning/datasources/datasources.yml')) as {
  datasources: { uid: string; type: string; url: string }[];
};
const datasourceTypes = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));

const files = readdirSync(`${root}dashboards`)
  .filter((file) => file.endsWith('.json'))
  .sort();
const boards = files.map(
  (file) => [file, JSON.parse(read(`dashboards/${file}`)) as Dashboard] as const,
);
const all = boards.map(([, board]) => board);

const queryPanels = (board: Dashboard) => board.panels.filter((p) => p.targets !== undefined);
const exprs = (board: Dashboard) =>
  queryPanels(board).flatMap((panel) => (panel.targets ?? []).map((t) => t.expr ?? ''));

/** The label sets of every selector of `metric` in `expr`: `metric{a="x",b="y"}`. */
function selectors(expr: string, metric: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const match of expr.matchAll(new RegExp(`\\b${metric}\\{([^}]*)\\}`, 'g'))) {
    const labels: Record<string, string> = {};
    for (const pair of match[1]!.matchAll(/(\w+)=("(?:[^"\\]|\\.)*")/g))
      labels[pair[1]!] = JSON.parse(pair[2]!) as string;
    found.push(labels);
  }
  return found;
}

/** The variables a text refers to: `$name`, `${name}`, `${name:format}`; not Grafana's `$__…`. */
function variablesIn(text: string): string[] {
  return [...text.matchAll(/\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g)]
    .map((m) => (m[1] ?? m[2])!)
    .filter((name) => !name.startsWith('__'));
}

/** A URL with each variable replaced by its default (or a sample value). */
const filled = (url: string, board: Dashboard) =>
  url.replace(/\$(?:\{(\w+)(?::\w+)?\}|(\w+))/g, (_all, a?: string, b?: string) => {
    const variable = board.templating.list.find((v) => v.name === (a ?? b));
    return variable?.current?.value || variable?.query || 'sample-value';
  });

describe('the Grafana provisioning', () => {
  it('declares the Prometheus and Jaeger datasources the compose services serve', () => {
    expect(provisioned.datasources).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          uid: 'prometheus',
          type: 'prometheus',
          url: 'http://prometheus:9090',
        }),
        expect.objectContaining({ uid: 'jaeger', type: 'jaeger', url: 'http://jaeger:16686' }),
      ]),
    );
    const providers = parse(read('provisioning/dashboards/dashboards.yml')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers.map((p) => p.type)).toEqual(['file']);
  });
});

describe.each(boards)('dashboard %s', (_file, board) => {
  it('has a unique uid and unique panel ids, laid out on the 24-column grid', () => {
    expect(board.uid).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    expect(all.filter((b) => b.uid === board.uid)).toHaveLength(1);
    const ids = board.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of board.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      expect(panel.gridPos.h, panel.title).toBeGreaterThan(0);
    }
  });

  it('picks each datasource with a variable that starts on a provisioned one', () => {
    const pickers = board.templating.list.filter((v) => v.type === 'datasource');
    expect(pickers.length).toBeGreaterThan(0);
    for (const picker of pickers) {
      // The variable lists the datasources of its type; it starts on the provisioned one.
      expect(datasourceTypes.get(picker.current?.value ?? ''), picker.name).toBe(picker.query);
      expect(board.templating.list.indexOf(picker), 'before the variables that may use it').toBe(
        pickers.indexOf(picker),
      );
    }
    if (queryPanels(board).some((panel) => panel.datasource?.type === 'prometheus'))
      expect(pickers.find((v) => v.name === 'datasource')?.query).toBe('prometheus');
  });

  it('names every datasource by its variable, and gives every Prometheus query an expression', () => {
    /** The provisioned uid a reference reaches: through its variable, of the same type. */
    const resolved = (ref: Ref | undefined, where: string) => {
      const name = /^\$\{(\w+)\}$/.exec(ref?.uid ?? '')?.[1];
      expect(name, `${where}: ${JSON.stringify(ref)} names a variable, not a uid`).toBeDefined();
      const picker = board.templating.list.find((v) => v.name === name);
      expect(picker?.type, `${where}: $${name}`).toBe('datasource');
      expect(picker?.query, `${where}: $${name}`).toBe(ref!.type);
      return picker!.current!.value;
    };
    expect(queryPanels(board).length).toBeGreaterThan(0);
    for (const panel of queryPanels(board)) {
      expect(panel.targets!.length, panel.title).toBeGreaterThan(0);
      expect(datasourceTypes.get(resolved(panel.datasource, panel.title)), panel.title).toBe(
        panel.datasource?.type,
      );
      for (const target of panel.targets!) {
        const ref = target.datasource ?? panel.datasource!;
        const where = `${panel.title} ${target.refId}`;
        expect(ref.type, where).toBe(panel.datasource!.type);
        expect(datasourceTypes.get(resolved(ref, where)), where).toBe(ref.type);
        if (ref.type === 'prometheus') {
          expect(target.expr?.trim(), `${panel.title} ${target.refId}`).toBeTruthy();
          // Brackets balance: a cheap guard; prometheus.test.ts runs every expression for real.
          for (const [open, close] of ['()', '{}', '[]'])
            expect(target.expr!.split(open!).length, `${panel.title}: ${target.expr}`).toBe(
              target.expr!.split(close!).length,
            );
        }
      }
    }
    // Rate windows follow the scrape interval Grafana knows, never a fixed one.
    for (const expr of exprs(board))
      for (const window of expr.matchAll(/\b(?:rate|increase)\([^[]*\[([^\]]+)\]/g))
        expect(['$__rate_interval', '$__range'], expr).toContain(window[1]);
  });

  it('refers only to variables it defines, and links to well-formed URLs', () => {
    const defined = new Set(board.templating.list.map((v) => v.name));
    for (const name of variablesIn(JSON.stringify(board.panels) + JSON.stringify(board.links)))
      expect(defined, `$${name}`).toContain(name);
    const links = [...board.links, ...board.panels.flatMap((p) => p.links ?? [])];
    for (const link of links) {
      expect(link.title, JSON.stringify(link)).toBeTruthy();
      if (link.type === 'dashboards') continue;
      const url = new URL(filled(link.url, board));
      expect(url.protocol, link.url).toMatch(/^https?:$/);
    }
  });
});

describe('the dashboards cover the blueprint', () => {
  const onboarding = all.find((b) => exprs(b).some((e) => e.includes('saas_saga_instances')))!;

  it('has an onboarding overview: sign-ups, outcomes, states, latency, backlog, HTTP, builds', () => {
    expect(onboarding).toBeDefined();
    const text = exprs(onboarding).join('\n');
    const id = workflows.onboarding.id;
    expect(selectors(text, 'saas_workflow_runs_started_total')).toContainEqual({ workflow: id });
    for (const outcome of ['completed', 'failed', 'timed_out'])
      expect(selectors(text, 'saas_workflow_runs_ended_total')).toContainEqual({
        workflow: id,
        outcome,
      });
    expect(selectors(text, 'saas_saga_instances')).toContainEqual({ saga: 'tenant' });
    expect(selectors(text, 'saas_workflow_run_duration_seconds_bucket')).toContainEqual({
      workflow: id,
      outcome: 'completed',
    });
    for (const metric of [
      'saas_outbox_pending',
      'saas_outbox_oldest_age_seconds',
      'saas_dead_letters_pending',
      'http_server_request_duration_seconds_bucket',
      'saas_build_info',
    ])
      expect(text, metric).toContain(metric);
  });

  it('shows billing on the onboarding overview when the onboarding has a billing step', () => {
    const text = exprs(onboarding).join('\n');
    const billing = workflows.onboarding.steps.some((step) => step.service === 'billing');
    for (const metric of [
      'saas_payments_awaited',
      'saas_payments_settled_total',
      'saas_trials_expired_total',
      'saas_unpaid_subscriptions_canceled_total',
      'saas_billing_webhooks_total',
    ])
      expect(text.includes(metric), metric).toBe(billing);
  });

  it.each(Object.values(workflows).map((w) => [w.id, w] as const))(
    'gives each step of %s its duration, retries, dead letters and compensations',
    (_id, workflow) => {
      const board =
        workflow.kind === 'onboarding'
          ? onboarding
          : all.find(
              (b) =>
                selectors(exprs(b).join('\n'), 'saas_workflow_runs_started_total').some(
                  (l) => l.workflow === workflow.id,
                ) && b !== onboarding,
            );
      expect(board, `a dashboard of ${workflow.id}`).toBeDefined();
      const text = exprs(board!).join('\n');
      for (const step of [...workflow.steps, ...workflow.reactions]) {
        const labels = { workflow: workflow.id, step: step.id };
        expect(selectors(text, 'saas_step_duration_seconds_bucket'), step.id).toContainEqual({
          ...labels,
          phase: 'run',
        });
        expect(selectors(text, 'saas_step_retries_total'), step.id).toContainEqual(labels);
        expect(selectors(text, 'saas_step_dead_letters_total'), step.id).toContainEqual(labels);
        if (step.compensate)
          expect(selectors(text, 'saas_compensations_total'), step.id).toContainEqual(labels);
      }
      if (workflow.kind === 'domain')
        for (const q of ['0.5', '0.95', '0.99'])
          expect(text).toMatch(
            new RegExp(
              `histogram_quantile\\(${q}, sum by \\(le\\) \\(rate\\(saas_workflow_run_duration_seconds_bucket`,
            ),
          );
    },
  );

  it('has one dashboard per domain workflow, besides the onboarding and the tenant', () => {
    const domain = Object.values(workflows).filter((w) => w.kind === 'domain');
    expect(all).toHaveLength(domain.length + 2);
  });

  it('drills down into one tenant: its traces by tenant or correlation id, its state and timeline', () => {
    const tenant = all.find((b) => b.templating.list.some((v) => v.name === 'tenant'))!;
    expect(tenant).toBeDefined();
    const variables = Object.fromEntries(tenant.templating.list.map((v) => [v.name, v]));
    expect(variables.tenant?.type).toBe('textbox');
    expect(variables.correlationId?.type).toBe('textbox');
    expect(variables.traceViewer?.query).toBe('http://localhost:16686');
    const searches = tenant.panels
      .flatMap((p) => p.targets ?? [])
      .filter((t) => t.datasource?.type === 'jaeger');
    expect(searches.map((t) => [t.queryType, t.tags])).toEqual(
      expect.arrayContaining([
        ['search', 'tenant.id="$tenant"'],
        ['search', 'messaging.message.conversation_id="$correlationId"'],
      ]),
    );
    const urls = [...tenant.links, ...tenant.panels.flatMap((p) => p.links ?? [])].map((l) =>
      decodeURIComponent(filled(l.url, tenant)),
    );
    expect(urls).toEqual(
      expect.arrayContaining([
        'http://localhost:3000/tenants/sample-value',
        'http://localhost:3000/tenants/sample-value/timeline',
        expect.stringMatching(
          /^http:\/\/localhost:16686\/search\?service=.+&tags=\{"tenant\.id":"sample-value"\}$/,
        ),
        expect.stringMatching(
          /^http:\/\/localhost:16686\/search\?service=.+&tags=\{"messaging\.message\.conversation_id":"sample-value"\}$/,
        ),
      ]),
    );
  });
});
