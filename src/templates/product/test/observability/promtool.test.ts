/**
 * The Prometheus files, checked by Prometheus's own tool: the scrape configuration, the alerting
 * rules, their unit tests (observability/alerts.test.yml: every alert fires on its input, none on
 * healthy traffic), and the text a running product serves at GET /metrics.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startTestProduct } from '@saas-gen/runtime/testing';
import { productUnderTest } from '../product.js';
import { binary, observabilityDir, prometheusConfigCopy, run } from './tools.js';

const promtool = binary('promtool');

describe.skipIf(!promtool)('promtool', () => {
  it('accepts prometheus.yml, the rules it loads and the token file it reads', () => {
    const { configFile, config } = prometheusConfigCopy();
    expect(config.scrape_configs.map((job) => job.job_name).sort()).toEqual(['api', 'worker']);
    const checked = run(promtool!, ['check', 'config', configFile]);
    expect(checked.output).toMatch(/SUCCESS: 1 rule files found/);
    expect(checked.status, checked.output).toBe(0);
  });

  it('accepts alerts.yml', () => {
    const checked = run(promtool!, ['check', 'rules', 'alerts.yml']);
    expect(checked.status, checked.output).toBe(0);
    expect(checked.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes the alerts unit tests: each alert fires on its input, none on healthy traffic', () => {
    const tested = run(promtool!, ['test', 'rules', 'alerts.test.yml']);
    expect(tested.status, tested.output).toBe(0);
    expect(tested.output).toMatch(/SUCCESS/);
  });

  it('has a firing case for every rule, so that a rule that cannot fire fails its test', () => {
    const rules = (
      parse(readFileSync(join(observabilityDir, 'alerts.yml'), 'utf8')) as {
        groups: { rules: { alert: string; expr: string; labels: Record<string, string> }[] }[];
      }
    ).groups.flatMap((group) => group.rules);
    const cases = (
      parse(readFileSync(join(observabilityDir, 'alerts.test.yml'), 'utf8')) as {
        tests: {
          alert_rule_test: {
            alertname: string;
            exp_alerts: { exp_labels: Record<string, string> }[];
          }[];
        }[];
      }
    ).tests.flatMap((test) => test.alert_rule_test);
    for (const rule of rules)
      expect(
        cases.some(
          (c) =>
            c.alertname === rule.alert &&
            c.exp_alerts.some((a) =>
              Object.entries(rule.labels).every(([k, v]) => a.exp_labels[k] === v),
            ),
        ),
        `a case that fires ${rule.alert} ${JSON.stringify(rule.labels)}`,
      ).toBe(true);
    expect(cases.some((c) => c.exp_alerts.length === 0)).toBe(true);

    // The same cases against rules that never fire: every firing case must now fail.
    const dir = mkdtempSync(join(tmpdir(), 'alerts-'));
    const silenced = readFileSync(join(observabilityDir, 'alerts.yml'), 'utf8').replace(
      /^(\s+expr: ).*$/gm,
      '$1vector(1) > 2',
    );
    writeFileSync(join(dir, 'alerts.yml'), silenced);
    writeFileSync(
      join(dir, 'alerts.test.yml'),
      readFileSync(join(observabilityDir, 'alerts.test.yml')),
    );
    const tested = run(promtool!, ['test', 'rules', join(dir, 'alerts.test.yml')]);
    expect(tested.status).not.toBe(0);
    const firing = cases.filter((c) => c.exp_alerts.length > 0);
    expect(tested.output.match(/alertname: /g)?.length ?? 0, tested.output).toBeGreaterThanOrEqual(
      firing.length,
    );
  });

  it("finds nothing to lint in a running product's GET /metrics after an onboarding", async () => {
    const p = await startTestProduct(productUnderTest());
    try {
      const { tenantId } = await p.signUp();
      await p.settle();
      expect((await p.tenant(tenantId)).state).toBe('Active');
      const scraped = await p.inject({ method: 'GET', url: '/metrics', token: null });
      expect(scraped.statusCode).toBe(200);
      expect(scraped.body).toContain('saas_step_duration_seconds_bucket');
      const checked = run(promtool!, ['check', 'metrics'], scraped.body);
      expect(checked.output.trim(), 'promtool check metrics').toBe('');
      expect(checked.status, checked.output).toBe(0);
    } finally {
      await p.stop();
    }
  });
});
