/**
 * The product's Prometheus alerting rules (observability/alerts.yml) and the `promtool test rules`
 * file that makes each of them fire once and stay quiet on healthy traffic
 * (observability/alerts.test.yml). Each step the blueprint gives a workflow gets a slow-step rule
 * whose threshold is its share of the workflow's timeout.
 */
import type { ObservabilityPlan, ObservedWorkflow } from './plan.js';
import { humanSeconds, matchers } from './plan.js';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook: string;
  };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** The scrape jobs of prometheus.yml: one per role of the docker compose deployment. */
export const scrapeJobs = ['api', 'worker'] as const;

/** Above this share of failed or timed-out onboardings, someone should look. */
export const failureRatioThreshold = 0.1;
/** Seconds the oldest outbox message may wait before the relay is called stuck. */
export const outboxAgeThresholdSeconds = 300;
/** The largest finite bucket of saas_step_duration_seconds: a p95 cannot be told apart above it. */
export const largestStepBucketSeconds = 3600;

const tenantDashboard = (plan: ObservabilityPlan) => `the "${plan.title}: tenant" dashboard`;

/** The slow-step rule's comparison: above the step's budget, or in the histogram's top bucket. */
export function slowStepThreshold(workflow: ObservedWorkflow): { op: '>' | '>='; seconds: number } {
  return workflow.stepBudgetSeconds < largestStepBucketSeconds
    ? { op: '>', seconds: Number(workflow.stepBudgetSeconds.toFixed(3)) }
    : { op: '>=', seconds: largestStepBucketSeconds };
}

function slowStepRules(plan: ObservabilityPlan, workflow: ObservedWorkflow): AlertRule[] {
  const threshold = slowStepThreshold(workflow);
  return workflow.steps.map((step) => ({
    alert: 'WorkflowStepSlow',
    expr: `histogram_quantile(0.95, sum by (le) (rate(saas_step_duration_seconds_bucket${matchers({
      workflow: workflow.id,
      step: step.id,
      phase: 'run',
    })}[30m]))) ${threshold.op} ${threshold.seconds}`,
    for: '15m',
    labels: { severity: 'warning', workflow: workflow.id, step: step.id },
    annotations: {
      summary: `Step ${step.id} of ${workflow.id} is slow`,
      description: `The 95th percentile of step ${step.id} of workflow ${workflow.id} has been above ${humanSeconds(threshold.seconds)} for 15 minutes: its share of the workflow's ${humanSeconds(workflow.timeoutMs / 1000)} timeout, divided among its ${workflow.steps.length} steps. Runs of ${workflow.id} are heading for their timeout.`,
      runbook: `Look at the step's row on the ${workflow.kind === 'onboarding' ? `"${plan.title}: onboarding"` : `"${plan.title}: workflow ${workflow.id}"`} dashboard: runs by outcome, retries and dead letters. Retries mean a dependency of the step's service answers with errors (its logs say which); a slow success means the dependency itself is slow. Find a slow run's trace on ${tenantDashboard(plan)} (search by tenant id). Runs that time out are compensated: once the cause is fixed, POST /tenants/{id}/provisioning/retry re-runs an onboarding.`,
    },
  }));
}

const pending = 'max by (endpoint) (saas_dead_letters_pending)';

export function alertGroups(plan: ObservabilityPlan): RuleGroup[] {
  const w = plan.onboarding.id;
  const ended = (outcome: string, window: string) =>
    `sum(increase(saas_workflow_runs_ended_total${matchers({ workflow: w, outcome })}[${window}]))`;
  return [
    {
      name: `${plan.product}.onboarding`,
      rules: [
        {
          alert: 'OnboardingTimedOut',
          expr: `${ended('timed_out', '15m')} > 0`,
          labels: { severity: 'warning', workflow: w },
          annotations: {
            summary: 'An onboarding timed out',
            description: `At least one onboarding ran out of its ${humanSeconds(plan.onboarding.timeoutMs / 1000)} timeout in the last 15 minutes: its completed steps were compensated and the tenant is ProvisioningFailed.`,
            runbook: `Find the tenant (GET /tenants?state=ProvisioningFailed) and open ${tenantDashboard(plan)} with its id: the trace shows which step never answered. Check GET /dead-letters for its messages and the step rows on the onboarding dashboard. Once the cause is fixed, POST /tenants/{id}/provisioning/retry re-runs only the steps that did not succeed.`,
          },
        },
        {
          alert: 'OnboardingFailureRatioHigh',
          expr: `sum(increase(saas_workflow_runs_ended_total{workflow=${JSON.stringify(w)},outcome=~"failed|timed_out"}[30m])) / sum(increase(saas_workflow_runs_ended_total${matchers({ workflow: w })}[30m])) > ${failureRatioThreshold}`,
          for: '10m',
          labels: { severity: 'critical', workflow: w },
          annotations: {
            summary: 'Many onboardings fail',
            description: `More than ${failureRatioThreshold * 100}% of the onboardings that ended in the last 30 minutes failed or timed out, for 10 minutes.`,
            runbook: `The onboarding dashboard's step rows show which step fails (runs by outcome, compensations). Open a failed tenant on ${tenantDashboard(plan)} for its trace and GET /tenants/{id}/timeline for the error. Fix the step's service or its dependency, then POST /tenants/{id}/provisioning/retry for each tenant in ProvisioningFailed (GET /tenants?state=ProvisioningFailed).`,
          },
        },
      ],
    },
    {
      name: `${plan.product}.messaging`,
      rules: [
        {
          alert: 'DeadLettersGrowing',
          // The store's count (every instance reports it: the maximum), compared with 15 minutes
          // ago, when a consumer had none then: a counter would miss the first letter of a
          // consumer, whose series starts at 1.
          expr: `${pending} > (max by (endpoint) (saas_dead_letters_pending offset 15m) or ${pending} * 0)`,
          labels: { severity: 'warning' },
          annotations: {
            summary: 'Messages are being dead-lettered',
            description:
              'The consumer named by the endpoint label has more dead letters waiting than 15 minutes ago: it gave up on messages after their retries, and the tenants or workflows they belong to wait until an operator acts.',
            runbook: `GET /dead-letters lists the letters with their error and tenant; open the tenant on ${tenantDashboard(plan)} for the trace. Fix the cause (the error names it), then POST /dead-letters/{id}/replay (or POST /dead-letters/replay with the ids) to deliver them again; DELETE /dead-letters/{id} discards one that must never run.`,
          },
        },
        {
          alert: 'OutboxBacklogOld',
          expr: `max(saas_outbox_oldest_age_seconds) > ${outboxAgeThresholdSeconds}`,
          for: '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'The outbox is not being relayed',
            description: `The oldest message committed to the outbox has waited more than ${humanSeconds(outboxAgeThresholdSeconds)} to be handed to the bus, for 5 minutes: nothing downstream of it happens.`,
            runbook:
              "Check the bus (RabbitMQ) is up and reachable: GET /health/ready on each instance says whether the bus answers, and the instances' logs say why a publish fails. The backlog drains by itself once the bus is back; restart the workers if it does not.",
          },
        },
      ],
    },
    {
      name: `${plan.product}.steps`,
      rules: [plan.onboarding, ...plan.domain].flatMap((workflow) => slowStepRules(plan, workflow)),
    },
    {
      name: `${plan.product}.targets`,
      rules: [
        {
          alert: 'TargetDown',
          expr: `up{job=~"${scrapeJobs.join('|')}"} == 0`,
          for: '5m',
          labels: { severity: 'critical' },
          annotations: {
            summary: 'An instance does not answer its scrape',
            description:
              'Prometheus has not been able to read GET /metrics of the instance named by the instance label for 5 minutes.',
            runbook:
              'docker compose ps shows whether the container runs and is healthy; docker compose logs <service> says why it stopped. A 401 in the target list of Prometheus means METRICS_TOKEN differs between the product and Prometheus.',
          },
        },
      ],
    },
  ];
}

interface Series {
  readonly series: string;
  readonly values: string;
}

interface RuleTest {
  readonly name: string;
  readonly interval: string;
  readonly input_series: readonly Series[];
  readonly alert_rule_test: readonly {
    eval_time: string;
    alertname: string;
    exp_alerts: readonly { exp_labels: Record<string, string>; exp_annotations: object }[];
  }[];
}

/** The test file's cases: healthy traffic that fires nothing, then one case per rule. */
export function alertTests(plan: ObservabilityPlan, groups: readonly RuleGroup[]): object {
  const w = plan.onboarding.id;
  const instance = { job: 'worker', instance: '10.0.0.3:3000' };
  const endedSeries = (outcome: string, values: string): Series => ({
    series: `saas_workflow_runs_ended_total${matchers({ ...instance, workflow: w, outcome })}`,
    values,
  });
  const steps = [plan.onboarding, ...plan.domain].flatMap((workflow) =>
    workflow.steps.map((step) => ({ workflow, step })),
  );
  const buckets = (workflow: string, step: string, fast: string, slow: string): Series[] =>
    [
      ['0.001', fast],
      [String(largestStepBucketSeconds), fast],
      ['+Inf', slow],
    ].map(([le, values]) => ({
      series: `saas_step_duration_seconds_bucket${matchers({
        ...instance,
        workflow,
        step,
        phase: 'run',
        outcome: 'succeeded',
        le: le!,
      })}`,
      values: values!,
    }));
  const rules = groups.flatMap((group) => group.rules);
  const rule = (name: string) => rules.find((r) => r.alert === name)!;
  const fired = (r: AlertRule, labels: Record<string, string> = {}) => ({
    exp_labels: { ...r.labels, ...labels },
    exp_annotations: r.annotations,
  });
  const alertNames = [...new Set(rules.map((r) => r.alert))].sort();

  const tests: RuleTest[] = [
    {
      name: 'healthy traffic fires nothing',
      interval: '1m',
      input_series: [
        endedSeries('completed', '0+5x60'),
        endedSeries('failed', '0x60'),
        endedSeries('timed_out', '0x60'),
        {
          series: `saas_dead_letters_pending${matchers({ ...instance, endpoint: 'billing.subscription' })}`,
          values: '2x60',
        },
        {
          series: `saas_outbox_oldest_age_seconds${matchers(instance)}`,
          values: '0 1 0 2 0 1 0x54',
        },
        { series: `up${matchers(instance)}`, values: '1x60' },
        ...steps.flatMap(({ workflow, step }) => buckets(workflow.id, step.id, '0+3x60', '0+3x60')),
      ],
      alert_rule_test: alertNames.map((alertname) => ({
        eval_time: '60m',
        alertname,
        exp_alerts: [],
      })),
    },
    {
      name: 'a timed-out onboarding',
      interval: '1m',
      input_series: [endedSeries('completed', '0+5x10'), endedSeries('timed_out', '0 0 0 1x8')],
      alert_rule_test: [
        { eval_time: '2m', alertname: 'OnboardingTimedOut', exp_alerts: [] },
        {
          eval_time: '5m',
          alertname: 'OnboardingTimedOut',
          exp_alerts: [fired(rule('OnboardingTimedOut'))],
        },
      ],
    },
    {
      name: 'half the onboardings fail',
      interval: '1m',
      input_series: [
        endedSeries('completed', '0+1x40'),
        endedSeries('failed', '0+1x40'),
        endedSeries('timed_out', '0x40'),
      ],
      alert_rule_test: [
        {
          eval_time: '30m',
          alertname: 'OnboardingFailureRatioHigh',
          exp_alerts: [fired(rule('OnboardingFailureRatioHigh'))],
        },
      ],
    },
    {
      name: 'dead letters pile up',
      interval: '1m',
      input_series: [
        {
          series: `saas_dead_letters_pending${matchers({ ...instance, endpoint: 'billing.subscription' })}`,
          values: '0x20 1 2 2x10',
        },
      ],
      alert_rule_test: [
        { eval_time: '10m', alertname: 'DeadLettersGrowing', exp_alerts: [] },
        {
          eval_time: '25m',
          alertname: 'DeadLettersGrowing',
          exp_alerts: [fired(rule('DeadLettersGrowing'), { endpoint: 'billing.subscription' })],
        },
      ],
    },
    {
      name: 'the outbox is stuck',
      interval: '1m',
      input_series: [
        { series: `saas_outbox_oldest_age_seconds${matchers(instance)}`, values: '0+60x20' },
      ],
      alert_rule_test: [
        { eval_time: '5m', alertname: 'OutboxBacklogOld', exp_alerts: [] },
        {
          eval_time: '15m',
          alertname: 'OutboxBacklogOld',
          exp_alerts: [fired(rule('OutboxBacklogOld'))],
        },
      ],
    },
    {
      name: 'a worker is down',
      interval: '1m',
      input_series: [{ series: `up${matchers(instance)}`, values: '1 1 0x15' }],
      alert_rule_test: [
        {
          eval_time: '10m',
          alertname: 'TargetDown',
          exp_alerts: [fired(rule('TargetDown'), instance)],
        },
      ],
    },
    ...steps.map(({ workflow, step }): RuleTest => {
      const slow = rules.find(
        (r) =>
          r.alert === 'WorkflowStepSlow' &&
          r.labels.workflow === workflow.id &&
          r.labels.step === step.id,
      )!;
      return {
        name: `step ${step.id} of ${workflow.id} is slow`,
        interval: '1m',
        // Every run of the step lands above the histogram's largest finite bucket.
        input_series: buckets(workflow.id, step.id, '0x40', '0+2x40'),
        alert_rule_test: [
          { eval_time: '40m', alertname: 'WorkflowStepSlow', exp_alerts: [fired(slow)] },
        ],
      };
    }),
  ];
  return { rule_files: ['alerts.yml'], evaluation_interval: '1m', tests };
}
