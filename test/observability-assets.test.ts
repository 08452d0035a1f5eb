/**
 * The product's observability assets, generated in memory from a blueprint: the dashboards have
 * a row of panels for every step of every workflow (and gain one when the blueprint gains a
 * step), one dashboard per domain workflow, valid JSON with unique panel ids and datasources the
 * provisioning declares; the alerting rules have one slow-step rule per step whose threshold is
 * the step's share of its workflow's timeout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkBlueprint } from '../src/blueprint/check.js';
import type { Model } from '../src/blueprint/model.js';
import { loadTemplates } from '../src/cli/product.js';
import { generateProduct } from '../src/generators/index.js';
import { repoRoot } from './support/cli.js';

const exampleText = readFileSync(join(repoRoot, 'examples/acme-analytics/blueprint.yaml'), 'utf8');

function modelOf(text: string): Model {
  const checked = checkBlueprint('blueprint.yaml', text);
  if (!checked.model) throw new Error(JSON.stringify(checked.diagnostics));
  return checked.model;
}

function generate(model: Model): Map<string, string> {
  const { tree } = generateProduct(model, {
    templates: loadTemplates(),
    generatorVersion: '0.0.0',
  });
  return new Map(
    tree
      .files()
      .filter((file) => file.path.startsWith('observability/'))
      .map((file) => [file.path, file.content]),
  );
}

interface Target {
  readonly refId: string;
  readonly expr?: string;
  readonly datasource: { type: string; uid: string };
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { type: string; uid: string };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly uid: string;
  readonly panels: readonly Panel[];
  readonly templating: {
    readonly list: readonly { name: string; type: string; query?: string; current?: object }[];
  };
}
interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly labels: Record<string, string>;
}

const dashboardsOf = (files: Map<string, string>) =>
  new Map(
    [...files]
      .filter(([path]) => path.startsWith('observability/grafana/dashboards/'))
      .map(([path, text]) => [path.split('/').pop()!, JSON.parse(text) as Dashboard]),
  );
const exprsOf = (board: Dashboard) =>
  board.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).join('\n');
const rulesOf = (files: Map<string, string>) =>
  (parse(files.get('observability/alerts.yml')!) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  );

/** The per-step panel set: the selectors a step's row queries. */
const stepSelectors = (workflow: string, step: string) => [
  `saas_step_duration_seconds_bucket{workflow="${workflow}",step="${step}",phase="run"}`,
  `saas_step_duration_seconds_count{workflow="${workflow}",step="${step}",phase="run"}`,
  `saas_step_retries_total{workflow="${workflow}",step="${step}"}`,
  `saas_step_dead_letters_total{workflow="${workflow}",step="${step}"}`,
];

const model = modelOf(exampleText);
const files = generate(model);
const boards = dashboardsOf(files);

describe('observability assets', () => {
  it('writes the Prometheus, alerting and Grafana files', () => {
    expect([...files.keys()].sort()).toEqual(
      [
        'observability/alerts.test.yml',
        'observability/alerts.yml',
        'observability/grafana/dashboards/onboarding.json',
        'observability/grafana/dashboards/tenant.json',
        'observability/grafana/dashboards/workflow-dataExport.json',
        'observability/grafana/provisioning/dashboards/dashboards.yml',
        'observability/grafana/provisioning/datasources/datasources.yml',
        'observability/metrics-token',
        'observability/prometheus.yml',
      ].sort(),
    );
  });

  it('is the same from one run to the next', () => {
    expect(generate(modelOf(exampleText))).toEqual(files);
  });

  it('has a dashboard per domain workflow, an onboarding overview and a tenant drill-down', () => {
    const domain = model.workflows.filter((w) => w.kind === 'domain');
    expect(domain.length).toBeGreaterThan(0);
    expect([...boards.keys()].sort()).toEqual(
      ['onboarding.json', 'tenant.json', ...domain.map((w) => `workflow-${w.id}.json`)].sort(),
    );
    const uids = [...boards.values()].map((b) => b.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('gives every step and reaction of every workflow its panels', () => {
    for (const workflow of model.workflows) {
      const board = boards.get(
        workflow.kind === 'onboarding' ? 'onboarding.json' : `workflow-${workflow.id}.json`,
      )!;
      const text = exprsOf(board);
      for (const step of [...workflow.steps, ...workflow.reactions]) {
        for (const selector of stepSelectors(workflow.id, step.id))
          expect(text, `${workflow.id}.${step.id}`).toContain(selector);
        const compensations = `saas_compensations_total{workflow="${workflow.id}",step="${step.id}"}`;
        if (step.compensate) expect(text).toContain(compensations);
        else expect(text).not.toContain(compensations);
        for (const q of ['0.5', '0.95', '0.99'])
          expect(text).toContain(
            `histogram_quantile(${q}, sum by (le) (rate(${stepSelectors(workflow.id, step.id)[0]}[$__rate_interval])))`,
          );
      }
    }
  });

  it('writes valid JSON with unique panel ids and datasources the provisioning declares', () => {
    const provisioned = parse(
      files.get('observability/grafana/provisioning/datasources/datasources.yml')!,
    ) as { datasources: { uid: string; type: string }[] };
    const declared = new Set(provisioned.datasources.map((d) => `${d.type}/${d.uid}`));
    expect(declared).toEqual(new Set(['prometheus/prometheus', 'jaeger/jaeger']));
    for (const [name, board] of boards) {
      // No header: JSON has no comments, and the manifest says the file is generated.
      expect(files.get(`observability/grafana/dashboards/${name}`)!.startsWith('{')).toBe(true);
      const ids = board.panels.map((p) => p.id);
      expect(new Set(ids).size, name).toBe(ids.length);
      // A panel names its datasource by a variable of the dashboard, which starts on the
      // provisioned one: `${datasource}` for Prometheus.
      const pickers = new Map(
        board.templating.list
          .filter((v) => v.type === 'datasource')
          .map((v) => [`\${${v.name}}`, v as { query?: string; current?: { value?: string } }]),
      );
      expect(pickers.size, name).toBeGreaterThan(0);
      const uses = (ref: { type: string; uid: string }, where: string) => {
        const picker = pickers.get(ref.uid);
        expect(picker?.query, where).toBe(ref.type);
        expect(declared, where).toContain(`${ref.type}/${picker?.current?.value}`);
      };
      for (const panel of board.panels.filter((p) => p.targets)) {
        uses(panel.datasource!, `${name} ${panel.title}`);
        for (const target of panel.targets!)
          uses(target.datasource, `${name} ${panel.title} ${target.refId}`);
      }
      if (name !== 'tenant.json') {
        expect(pickers.get('${datasource}')?.query, name).toBe('prometheus');
        expect(JSON.stringify(board), name).not.toContain('"uid":"prometheus"');
      }
    }
  });

  it('has one slow-step rule per step, above its share of the workflow timeout', () => {
    const slow = rulesOf(files).filter((r) => r.alert === 'WorkflowStepSlow');
    const steps = model.workflows.flatMap((w) => w.steps.map((s) => ({ w, s })));
    expect(slow).toHaveLength(steps.length);
    for (const { w, s } of steps) {
      const rules = slow.filter((r) => r.labels.workflow === w.id && r.labels.step === s.id);
      expect(rules, `${w.id}.${s.id}`).toHaveLength(1);
      const threshold = Number(/ > ([\d.]+)$/.exec(rules[0]!.expr)?.[1]);
      expect(threshold, rules[0]!.expr).toBeCloseTo(w.timeoutMs / w.steps.length / 1000, 3);
      expect(rules[0]!.expr).toContain(
        `saas_step_duration_seconds_bucket{workflow="${w.id}",step="${s.id}",phase="run"}[`,
      );
    }
    // The example's onboarding: 10 minutes over 4 steps.
    expect(slow.find((r) => r.labels.step === 'subscription')!.expr).toMatch(/ > 150$/);
  });

  it('has the other rules, and a promtool test case that fires each rule', () => {
    const rules = rulesOf(files);
    expect([...new Set(rules.map((r) => r.alert))].sort()).toEqual([
      'DeadLettersGrowing',
      'OnboardingFailureRatioHigh',
      'OnboardingTimedOut',
      'OutboxBacklogOld',
      'TargetDown',
      'WorkflowStepSlow',
    ]);
    for (const rule of rules as (Rule & { annotations: Record<string, string> })[]) {
      expect(Object.keys(rule.annotations).sort()).toEqual(['description', 'runbook', 'summary']);
      expect(rule.annotations.runbook).toMatch(/GET \/|POST \/|dashboard|docker compose/);
    }
    const tests = parse(files.get('observability/alerts.test.yml')!) as {
      rule_files: string[];
      tests: { alert_rule_test: { alertname: string; exp_alerts: { exp_labels: object }[] }[] }[];
    };
    expect(tests.rule_files).toEqual(['alerts.yml']);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const rule of rules)
      expect(
        cases.some(
          (c) =>
            c.alertname === rule.alert &&
            c.exp_alerts.some((a) =>
              expect.objectContaining(rule.labels).asymmetricMatch(a.exp_labels),
            ),
        ),
        `${rule.alert} ${JSON.stringify(rule.labels)}`,
      ).toBe(true);
  });

  it('scrapes every role of the compose deployment, with the token from a file', () => {
    const config = parse(files.get('observability/prometheus.yml')!) as {
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        authorization: { credentials_file: string };
        dns_sd_configs: { names: string[]; type: string; port: number }[];
      }[];
    };
    expect(config.rule_files).toEqual(['alerts.yml']);
    expect(config.scrape_configs.map((j) => j.job_name).sort()).toEqual(['api', 'worker']);
    for (const job of config.scrape_configs) {
      expect(job.dns_sd_configs).toEqual([
        expect.objectContaining({ names: [job.job_name], type: 'A', port: 3000 }),
      ]);
      // Next to prometheus.yml: the repository's empty file, or the one the container writes.
      expect(job.authorization.credentials_file).toBe('metrics-token');
    }
    expect(files.get('observability/metrics-token')).toBe('');
    expect(files.get('observability/prometheus.yml')).toMatch(/METRICS_TOKEN/);
  });

  it('gives a step added to the blueprint its panels and its rule', () => {
    const grown = modelOf(
      exampleText
        .replace(
          '      upload: { service: storage, on: SnapshotTaken, emits: ExportUploaded }\n',
          '      upload: { service: storage, on: SnapshotTaken, emits: ExportUploaded }\n      archive: { service: storage, on: ExportUploaded, emits: ExportArchived }\n',
        )
        .replace(
          '  ExportUploaded:\n',
          '  ExportArchived:\n    payload: { url: url }\n  ExportUploaded:\n',
        ),
    );
    const after = generate(grown);
    const text = exprsOf(dashboardsOf(after).get('workflow-dataExport.json')!);
    for (const selector of stepSelectors('dataExport', 'archive')) {
      expect(exprsOf(boards.get('workflow-dataExport.json')!)).not.toContain(selector);
      expect(text).toContain(selector);
    }
    // Three steps now share the 30-minute timeout: 600 s each.
    const slow = rulesOf(after).filter(
      (r) => r.alert === 'WorkflowStepSlow' && r.labels.workflow === 'dataExport',
    );
    expect(slow.map((r) => r.labels.step)).toEqual(['snapshot', 'upload', 'archive']);
    for (const rule of slow) expect(rule.expr).toMatch(/ > 600$/);
  });
});
