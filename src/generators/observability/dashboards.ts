/**
 * The product's Grafana dashboards, drawn from the blueprint: an onboarding overview, one
 * dashboard per domain workflow and a tenant drill-down. Every workflow step gets its own row of
 * panels, so a step added to the blueprint appears on the next `saas-gen generate`. The output is
 * a pure function of the model: panel ids count up in layout order and uids derive from names.
 */
import type { ObservabilityPlan, ObservedStep, ObservedWorkflow } from './plan.js';
import { grafanaUid, humanSeconds, matchers } from './plan.js';

/** The datasources `provisioning/datasources/datasources.yml` declares, by uid. */
export const datasources = {
  prometheus: { type: 'prometheus', name: 'Prometheus', uid: 'prometheus' },
  jaeger: { type: 'jaeger', name: 'Jaeger', uid: 'jaeger' },
} as const;

type DatasourceKind = keyof typeof datasources;

/**
 * The dashboard variable that picks each kind of datasource: a panel names the variable, not a
 * uid, so a dashboard imported into another Grafana asks for its Prometheus (or Jaeger) instead
 * of failing on a uid that is not there; here it starts on the provisioned one.
 */
export const datasourceVariables: Record<DatasourceKind, string> = {
  prometheus: 'datasource',
  jaeger: 'traces',
};

/** What a panel or query names: the type, and the variable as its uid. */
const ref = (kind: DatasourceKind) =>
  ({ type: datasources[kind].type, uid: `\${${datasourceVariables[kind]}}` }) as const;

function datasourceVariable(kind: DatasourceKind): Variable {
  const { type, name, uid } = datasources[kind];
  return {
    name: datasourceVariables[kind],
    label: name,
    description: `The ${name} datasource the panels query.`,
    type: 'datasource',
    query: type,
    current: { selected: false, text: name, value: uid },
    options: [],
    refresh: 1,
    regex: '',
    includeAll: false,
    multi: false,
    hide: 0,
    skipUrlSync: false,
  };
}

/** Where the trace viewer and the product's API are, as seen from the operator's browser. */
export const defaultTraceViewerUrl = 'http://localhost:16686';
export const defaultApiUrl = 'http://localhost:3000';

export interface DashboardFile {
  /** Under observability/grafana/dashboards/. */
  readonly file: string;
  readonly dashboard: Dashboard;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
  readonly links: readonly object[];
  readonly [key: string]: unknown;
}

export interface Target {
  readonly refId: string;
  readonly datasource: { readonly type: string; readonly uid: string };
  readonly expr?: string;
  readonly [key: string]: unknown;
}

export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly datasource?: { readonly type: string; readonly uid: string };
  readonly targets?: readonly Target[];
  readonly [key: string]: unknown;
}

interface Variable {
  readonly name: string;
  readonly [key: string]: unknown;
}

/** A panel before layout: its size, and everything but its id and position. */
interface Draft {
  readonly w: number;
  readonly h: number;
  readonly body: Omit<Panel, 'id' | 'gridPos'>;
}

const quantiles = [0.5, 0.95, 0.99] as const;
const rate = '[$__rate_interval]';

const prometheusTarget = (
  refId: string,
  expr: string,
  legendFormat: string,
  extra: object = {},
): Target => ({ refId, datasource: ref('prometheus'), expr, legendFormat, ...extra });

function timeseries(
  title: string,
  description: string,
  targets: readonly Target[],
  unit: string,
  extra: { w?: number; h?: number; thresholdSeconds?: number } = {},
): Draft {
  const thresholds =
    extra.thresholdSeconds === undefined
      ? { mode: 'absolute', steps: [{ color: 'green', value: null }] }
      : {
          mode: 'absolute',
          steps: [
            { color: 'green', value: null },
            { color: 'red', value: extra.thresholdSeconds },
          ],
        };
  return {
    w: extra.w ?? 8,
    h: extra.h ?? 8,
    body: {
      type: 'timeseries',
      title,
      description,
      datasource: ref('prometheus'),
      targets,
      fieldConfig: {
        defaults: {
          unit,
          thresholds,
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            spanNulls: true,
            thresholdsStyle: { mode: extra.thresholdSeconds === undefined ? 'off' : 'line' },
          },
        },
        overrides: [],
      },
      options: {
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'multi', sort: 'none' },
      },
    },
  };
}

function stat(title: string, description: string, expr: string, unit = 'short'): Draft {
  return {
    w: 4,
    h: 4,
    body: {
      type: 'stat',
      title,
      description,
      datasource: ref('prometheus'),
      targets: [prometheusTarget('A', expr, title, { instant: true })],
      fieldConfig: {
        defaults: {
          unit,
          decimals: 0,
          thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }] },
        },
        overrides: [],
      },
      options: {
        reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
        colorMode: 'value',
        graphMode: 'none',
        justifyMode: 'auto',
        textMode: 'auto',
      },
    },
  };
}

const row = (title: string): Draft => ({
  w: 24,
  h: 1,
  body: { type: 'row', title, collapsed: false, panels: [] },
});

/** Lays drafts out left to right, 24 columns wide; a row always starts a new line. */
function layout(drafts: readonly Draft[]): Panel[] {
  const panels: Panel[] = [];
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  for (const draft of drafts) {
    if (x + draft.w > 24 || (draft.body.type === 'row' && x > 0)) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    panels.push({
      id: panels.length + 1,
      gridPos: { h: draft.h, w: draft.w, x, y },
      ...draft.body,
    } as Panel);
    x += draft.w;
    lineHeight = Math.max(lineHeight, draft.h);
  }
  return panels;
}

/** The per-step panels: run duration percentiles, runs by outcome, retries, compensations, dead letters. */
function stepPanels(
  workflow: ObservedWorkflow,
  step: ObservedStep,
  kind: 'step' | 'reaction',
): Draft[] {
  const labels = { workflow: workflow.id, step: step.id };
  const duration = quantiles.map((q, i) =>
    prometheusTarget(
      String.fromCharCode(65 + i),
      `histogram_quantile(${q}, sum by (le) (rate(saas_step_duration_seconds_bucket${matchers({
        ...labels,
        phase: 'run',
      })}${rate})))`,
      `p${q * 100}`,
    ),
  );
  const share =
    kind === 'step'
      ? ` The red line is the step's share of the workflow's timeout (${humanSeconds(workflow.stepBudgetSeconds)}): the slow-step alert fires above it.`
      : '';
  const drafts: Draft[] = [
    row(`${kind === 'step' ? 'Step' : 'Reaction'} ${step.id}`),
    timeseries(
      `${step.id}: duration`,
      `How long a run of \`${step.id}\` takes (p50, p95, p99), from delivery to its answer.${share}`,
      duration,
      's',
      { w: 6, ...(kind === 'step' ? { thresholdSeconds: workflow.stepBudgetSeconds } : {}) },
    ),
    timeseries(
      `${step.id}: runs by outcome`,
      'Runs per interval: succeeded, failed (irrecoverably), error (a transient error: retried).',
      [
        prometheusTarget(
          'A',
          `sum by (outcome) (increase(saas_step_duration_seconds_count${matchers({
            ...labels,
            phase: 'run',
          })}${rate}))`,
          '{{outcome}}',
        ),
      ],
      'short',
      { w: 6 },
    ),
    timeseries(
      `${step.id}: retries and dead letters`,
      'Deliveries retried after a transient error, and deliveries given up on (dead-lettered: see GET /dead-letters).',
      [
        prometheusTarget(
          'A',
          `sum(increase(saas_step_retries_total${matchers(labels)}${rate}))`,
          'retries',
        ),
        prometheusTarget(
          'B',
          `sum(increase(saas_step_dead_letters_total${matchers(labels)}${rate}))`,
          'dead letters',
        ),
      ],
      'short',
      { w: step.compensated ? 6 : 12 },
    ),
  ];
  if (step.compensated)
    drafts.push(
      timeseries(
        `${step.id}: compensations`,
        `Times \`${step.id}\` was undone because a later step failed or the workflow timed out.`,
        [
          prometheusTarget(
            'A',
            `sum(increase(saas_compensations_total${matchers(labels)}${rate}))`,
            'compensations',
          ),
        ],
        'short',
        { w: 6 },
      ),
    );
  return drafts;
}

function workflowStepDrafts(workflow: ObservedWorkflow): Draft[] {
  return [
    ...workflow.steps.flatMap((step) => stepPanels(workflow, step, 'step')),
    ...workflow.reactions.flatMap((reaction) => stepPanels(workflow, reaction, 'reaction')),
  ];
}

function runDurationTargets(workflow: string, outcome: string): Target[] {
  return quantiles.map((q, i) =>
    prometheusTarget(
      String.fromCharCode(65 + i),
      `histogram_quantile(${q}, sum by (le) (rate(saas_workflow_run_duration_seconds_bucket${matchers(
        { workflow, outcome },
      )}${rate})))`,
      `p${q * 100}`,
    ),
  );
}

function ended(workflow: string, outcome: string, window: string): string {
  return `sum(increase(saas_workflow_runs_ended_total${matchers({ workflow, outcome })}[${window}]))`;
}

function runCountPanels(workflow: ObservedWorkflow, startedName: string): Draft {
  return timeseries(
    `${startedName} and ended runs`,
    'Runs started, and runs ended by outcome, per interval.',
    [
      prometheusTarget(
        'A',
        `sum(increase(saas_workflow_runs_started_total${matchers({ workflow: workflow.id })}${rate}))`,
        startedName.toLowerCase(),
      ),
      prometheusTarget(
        'B',
        `sum by (outcome) (increase(saas_workflow_runs_ended_total${matchers({ workflow: workflow.id })}${rate}))`,
        '{{outcome}}',
      ),
    ],
    'short',
    { w: 12 },
  );
}

/** Trials, payments and the billing webhook, for an onboarding with a billing step. */
function billingDrafts(): Draft[] {
  const settled = (status: string) =>
    `sum(increase(saas_payments_settled_total${matchers({ subscription: status })}[$__range]))`;
  return [
    row('Billing'),
    stat(
      'Awaiting payment',
      'Onboardings of a paid edition that wait for their first payment now (the sign-up answer and GET /tenants/{id} give the payment link).',
      'max(saas_payments_awaited) or vector(0)',
    ),
    stat(
      'Paid onboardings',
      'Paid editions whose payment settled in the time range.',
      settled('awaiting_payment'),
    ),
    stat(
      'Trials converted',
      'Trials paid for before their end, in the time range.',
      settled('trialing'),
    ),
    stat(
      'Trials expired',
      'Trials that ended without a settled payment in the time range: their tenants are suspended as the blueprint says.',
      'sum(increase(saas_trials_expired_total[$__range]))',
    ),
    stat(
      'Unpaid, cancelled',
      'Subscriptions that still awaited payment when their onboarding failed or timed out, in the time range.',
      'sum(increase(saas_unpaid_subscriptions_canceled_total[$__range]))',
    ),
    stat(
      'Webhooks not applied',
      'Billing webhooks older than the newest applied for their tenant, in the time range: acknowledged and noted on the timeline, not applied.',
      `sum(increase(saas_billing_webhooks_total${matchers({ outcome: 'stale' })}[$__range]))`,
    ),
    timeseries(
      'Settled payments',
      'Payments applied per second, by the status of the subscription each found (none: it came before the billing step, and waits for it).',
      [
        prometheusTarget(
          'A',
          `sum by (subscription) (rate(saas_payments_settled_total${rate}))`,
          '{{subscription}}',
        ),
      ],
      'ops',
      { w: 12 },
    ),
    timeseries(
      'Billing webhooks',
      'Signed billing webhook deliveries per second, by event type and outcome (repeated: a webhook-id seen before; stale: older than the newest applied).',
      [
        prometheusTarget(
          'A',
          `sum by (type, outcome) (rate(saas_billing_webhooks_total${rate}))`,
          '{{type}} {{outcome}}',
        ),
      ],
      'ops',
      { w: 12 },
    ),
  ];
}

/** Messaging, HTTP and build information: the same on every dashboard that shows them. */
function platformDrafts(): Draft[] {
  return [
    row('Messaging'),
    timeseries(
      'Outbox backlog',
      'Messages committed and not yet handed to the bus, and the age of the oldest. A growing age means the bus is unreachable or the relay is stuck.',
      [
        prometheusTarget('A', 'max(saas_outbox_pending)', 'pending'),
        prometheusTarget('B', 'max(saas_outbox_oldest_age_seconds)', 'oldest (s)'),
      ],
      'short',
    ),
    timeseries(
      'Dead letters pending',
      'Dead letters waiting for an operator, per consumer: GET /dead-letters lists them, POST /dead-letters/{id}/replay replays one.',
      [
        prometheusTarget(
          'A',
          'sum(max by (endpoint) (saas_dead_letters_pending)) or vector(0)',
          'all',
        ),
        prometheusTarget('B', 'max by (endpoint) (saas_dead_letters_pending)', '{{endpoint}}'),
      ],
      'short',
    ),
    timeseries(
      'Messages consumed by outcome',
      'Deliveries handled, skipped as duplicates, retried or dead-lettered.',
      [
        prometheusTarget(
          'A',
          `sum by (outcome) (rate(saas_messages_consumed_total${rate}))`,
          '{{outcome}}',
        ),
      ],
      'ops',
    ),
    row('HTTP API'),
    timeseries(
      'Requests by route',
      'Requests per second, by route pattern and status code.',
      [
        prometheusTarget(
          'A',
          `sum by (http_route, http_response_status_code) (rate(http_server_request_duration_seconds_count${rate}))`,
          '{{http_route}} {{http_response_status_code}}',
        ),
      ],
      'reqps',
      { w: 12 },
    ),
    timeseries(
      'Latency by route (p95)',
      'The 95th percentile of the request duration, by route pattern.',
      [
        prometheusTarget(
          'A',
          `histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket${rate})))`,
          '{{http_route}}',
        ),
      ],
      's',
      { w: 12 },
    ),
    row('Instances'),
    {
      w: 24,
      h: 6,
      body: {
        type: 'table',
        title: 'Build info per instance',
        description: 'Each scraped process: its role and the versions it runs.',
        datasource: ref('prometheus'),
        targets: [
          prometheusTarget(
            'A',
            'max by (instance, job, role, product, generator_version, node_version) (saas_build_info)',
            '',
            {
              format: 'table',
              instant: true,
            },
          ),
        ],
        transformations: [
          { id: 'organize', options: { excludeByName: { Time: true, Value: true } } },
        ],
        options: { showHeader: true },
      },
    },
  ];
}

function dashboard(
  plan: ObservabilityPlan,
  uidSuffix: string,
  title: string,
  description: string,
  drafts: readonly Draft[],
  extra: { variables?: readonly Variable[]; links?: readonly object[] } = {},
): Dashboard {
  return {
    uid: grafanaUid(`${plan.product}-${uidSuffix}`),
    title: `${plan.title}: ${title}`,
    description,
    tags: [plan.product, 'saas-gen'],
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: '',
    annotations: { list: [] },
    links: [
      // Every dashboard of the product, by its tag.
      {
        type: 'dashboards',
        title: plan.title,
        tags: [plan.product],
        asDropdown: true,
        includeVars: false,
        keepTime: true,
        targetBlank: false,
        icon: 'external link',
        tooltip: '',
        url: '',
      },
      ...(extra.links ?? []),
    ],
    templating: {
      list: [
        // A variable for each kind of datasource the panels query, first: Grafana resolves it
        // before the queries that name it.
        ...(Object.keys(datasources) as DatasourceKind[])
          .filter((kind) =>
            drafts.some(({ body }) => {
              const { datasource, targets } = body as Partial<Panel>;
              return (
                datasource?.uid === ref(kind).uid ||
                targets?.some((target) => target.datasource.uid === ref(kind).uid)
              );
            }),
          )
          .map(datasourceVariable),
        ...(extra.variables ?? []),
      ],
    },
    panels: layout(drafts),
  };
}

function onboardingDashboard(plan: ObservabilityPlan): Dashboard {
  const w = plan.onboarding;
  return dashboard(
    plan,
    'onboarding',
    'onboarding',
    `Sign-ups, their outcomes and each step of the \`${w.id}\` workflow; the messaging and the API behind them.`,
    [
      row('Sign-ups'),
      stat(
        'Sign-ups',
        'Tenants signed up in the time range.',
        `sum(increase(saas_workflow_runs_started_total${matchers({ workflow: w.id })}[$__range]))`,
      ),
      stat(
        'Became Active',
        'Onboardings completed in the time range.',
        ended(w.id, 'completed', '$__range'),
      ),
      stat(
        'Failed',
        'Onboardings that failed (a step failed irrecoverably; the completed steps were compensated).',
        ended(w.id, 'failed', '$__range'),
      ),
      stat(
        'Timed out',
        `Onboardings that ran out of their timeout (${humanSeconds(w.timeoutMs / 1000)}) and were compensated.`,
        ended(w.id, 'timed_out', '$__range'),
      ),
      stat(
        'Failure ratio',
        'Failed and timed out onboardings over all that ended, in the time range.',
        `sum(increase(saas_workflow_runs_ended_total{workflow=${JSON.stringify(w.id)},outcome=~"failed|timed_out"}[$__range])) / clamp_min(sum(increase(saas_workflow_runs_ended_total${matchers({ workflow: w.id })}[$__range])), 1)`,
        'percentunit',
      ),
      stat(
        'Dead letters pending',
        'Waiting for an operator: GET /dead-letters.',
        'sum(max by (endpoint) (saas_dead_letters_pending)) or vector(0)',
      ),
      runCountPanels(w, 'Sign-ups'),
      timeseries(
        'Tenants per state',
        'Tenants in each state of the tenant state machine (every instance reports the same store: the maximum is shown).',
        [
          prometheusTarget(
            'A',
            `max by (state) (saas_saga_instances${matchers({ saga: 'tenant' })})`,
            '{{state}}',
          ),
        ],
        'short',
        { w: 12 },
      ),
      timeseries(
        'Sign-up to Active',
        'How long an onboarding takes, from sign-up to the tenant becoming Active (p50, p95, p99).',
        runDurationTargets(w.id, 'completed'),
        's',
        { w: 24 },
      ),
      ...workflowStepDrafts(w),
      ...(plan.billing ? billingDrafts() : []),
      ...platformDrafts(),
    ],
  );
}

function domainDashboard(plan: ObservabilityPlan, workflow: ObservedWorkflow): Dashboard {
  return dashboard(
    plan,
    `workflow-${workflow.id}`,
    `workflow ${workflow.id}`,
    `Runs of the \`${workflow.id}\` workflow (started by \`${workflow.trigger}\`) and each of its steps.`,
    [
      row('Runs'),
      stat(
        'Started',
        'Runs started in the time range.',
        `sum(increase(saas_workflow_runs_started_total${matchers({ workflow: workflow.id })}[$__range]))`,
      ),
      stat(
        'Completed',
        'Runs completed in the time range.',
        ended(workflow.id, 'completed', '$__range'),
      ),
      stat(
        'Failed',
        'Runs that failed in the time range.',
        ended(workflow.id, 'failed', '$__range'),
      ),
      stat(
        'Timed out',
        `Runs that ran out of their timeout (${humanSeconds(workflow.timeoutMs / 1000)}).`,
        ended(workflow.id, 'timed_out', '$__range'),
      ),
      runCountPanels(workflow, 'Started'),
      timeseries(
        'Run duration',
        'How long a completed run takes, from its start command to its last step (p50, p95, p99).',
        runDurationTargets(workflow.id, 'completed'),
        's',
        { w: 12 },
      ),
      ...workflowStepDrafts(workflow),
    ],
  );
}

const textbox = (name: string, label: string, value: string, description: string): Variable => ({
  name,
  label,
  description,
  type: 'textbox',
  query: value,
  current: { selected: false, text: value, value },
  options: [{ selected: true, text: value, value }],
  hide: 0,
});

/** `{"<tag>":"<value>"}`, percent-encoded, for the Jaeger UI's search URL. */
const jaegerTags = (tag: string, variable: string) =>
  `%7B%22${encodeURIComponent(tag)}%22%3A%22\${${variable}:percentencode}%22%7D`;

function tenantDashboard(plan: ObservabilityPlan): Dashboard {
  const service = plan.product;
  const search = (tag: string, variable: string) =>
    `\${traceViewer}/search?service=${encodeURIComponent(service)}&tags=${jaegerTags(tag, variable)}`;
  const link = (title: string, url: string, tooltip: string) => ({
    type: 'link',
    title,
    url,
    tooltip,
    icon: 'external link',
    targetBlank: true,
    asDropdown: false,
    includeVars: false,
    keepTime: false,
    tags: [],
  });
  const traces = (title: string, description: string, tag: string, variable: string): Draft => ({
    w: 12,
    h: 12,
    body: {
      type: 'table',
      title,
      description,
      datasource: ref('jaeger'),
      targets: [
        {
          refId: 'A',
          datasource: ref('jaeger'),
          queryType: 'search',
          service,
          tags: `${tag}="$${variable}"`,
          limit: 20,
        },
      ],
      links: [
        {
          title: 'Open the search in the trace viewer',
          url: search(tag, variable),
          targetBlank: true,
        },
      ],
      options: { showHeader: true },
    },
  });
  return dashboard(
    plan,
    'tenant',
    'tenant',
    'One tenant: its traces (every message of its onboarding and workflows is a span tagged with the tenant and the correlation id), and links to its state and timeline in the API.',
    [
      {
        w: 24,
        h: 5,
        body: {
          type: 'text',
          title: 'How to use',
          options: {
            mode: 'markdown',
            content: [
              'Type a tenant id (from `POST /tenants` or `GET /tenants`) in **tenant**, or the correlation id of one of its operations in **correlationId**.',
              "The links at the top open the trace viewer and the API (`GET /tenants/{id}` and `GET /tenants/{id}/timeline`; they need the operators' token, ADMIN_TOKEN, as a bearer token: use curl, or a browser extension that sets the header).",
              'Set **traceViewer** and **api** to where the Jaeger UI and the API are reachable from your browser.',
            ].join('\n\n'),
          },
        },
      },
      traces(
        'Traces of the tenant',
        'Traces whose spans carry `tenant.id` = the tenant.',
        'tenant.id',
        'tenant',
      ),
      traces(
        'Traces of the correlation id',
        'Traces whose spans carry `messaging.message.conversation_id` = the correlation id.',
        'messaging.message.conversation_id',
        'correlationId',
      ),
    ],
    {
      variables: [
        textbox('tenant', 'Tenant id', '', 'The tenant to show.'),
        textbox(
          'correlationId',
          'Correlation id',
          '',
          'An operation of the tenant (its correlation id).',
        ),
        textbox(
          'traceViewer',
          'Trace viewer URL',
          defaultTraceViewerUrl,
          "The Jaeger UI, as the browser reaches it (docker compose --profile observability publishes it on this machine's port 16686).",
        ),
        textbox('api', 'API URL', defaultApiUrl, "The product's API, as the browser reaches it."),
      ],
      links: [
        link(
          'Traces of the tenant',
          search('tenant.id', 'tenant'),
          'The Jaeger UI, searching for the tenant',
        ),
        link(
          'Traces of the correlation id',
          search('messaging.message.conversation_id', 'correlationId'),
          'The Jaeger UI, searching for the correlation id',
        ),
        link('Tenant', '${api}/tenants/${tenant}', 'GET /tenants/{id}: its state and steps'),
        link(
          'Timeline',
          '${api}/tenants/${tenant}/timeline',
          'GET /tenants/{id}/timeline: its audit trail',
        ),
      ],
    },
  );
}

/** Every dashboard of the product, by file name. */
export function dashboards(plan: ObservabilityPlan): DashboardFile[] {
  return [
    { file: 'onboarding.json', dashboard: onboardingDashboard(plan) },
    ...plan.domain.map((workflow) => ({
      file: `workflow-${workflow.id}.json`,
      dashboard: domainDashboard(plan, workflow),
    })),
    { file: 'tenant.json', dashboard: tenantDashboard(plan) },
  ];
}
