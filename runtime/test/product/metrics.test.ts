/**
 * The metrics dashboards and alerts read (observability/): workflow runs started and ended with
 * their duration, per-step retries and dead letters, series that exist at zero before the first
 * event, the outbox backlog, build info and HTTP requests by route.
 */
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../src/observability/metrics.js';
import { ProductObserver } from '../../src/observability/observer.js';
import type { ProductScope } from '../../src/observability/scope.js';
import { ManualClock } from '../../src/runtime/clock.js';
import type { Delivery } from '../../src/runtime/transport.js';
import { workflows } from '../../src/saga/definitions.js';
import { sample, scrape } from './metrics-support.js';
import {
  lastOnboardingStep,
  onboardingSteps,
  onboardingTimeoutMs,
  productPerTest,
} from './harness.js';

const product = productPerTest();

const onboarding = workflows.onboarding;
const firstStep = onboardingSteps.find((step) => step.on === 'TenantRegistered')!;
const maxDelay = Math.max(...onboardingSteps.map((step) => step.retry.maxDelayMs));
const ended = (outcome: string) => ({ workflow: onboarding.id, outcome });

describe('workflow runs', () => {
  it('has every series the blueprint names at zero before the first event', async () => {
    const p = await product();
    const text = await scrape(p);
    for (const workflow of Object.values(workflows)) {
      const labels = { workflow: workflow.id };
      expect(text, workflow.id).toContain(
        `saas_workflow_runs_started_total{workflow="${workflow.id}"} 0`,
      );
      for (const outcome of ['completed', 'failed', 'timed_out']) {
        expect(text).toContain(
          `saas_workflow_runs_ended_total{workflow="${workflow.id}",outcome="${outcome}"} 0`,
        );
        expect(text).toContain(
          `saas_workflow_run_duration_seconds_count{workflow="${workflow.id}",outcome="${outcome}"} 0`,
        );
      }
      for (const step of [...workflow.steps, ...workflow.reactions]) {
        const of = `{workflow="${workflow.id}",step="${step.id}"}`;
        expect(text, step.id).toContain(`saas_step_retries_total${of} 0`);
        expect(text, step.id).toContain(`saas_step_dead_letters_total${of} 0`);
        expect(text, step.id).toContain(`saas_compensations_total${of} 0`);
      }
      expect(sample(text, 'saas_workflow_runs_started_total', labels)).toBe(0);
    }
  });

  it('counts sign-ups and Active tenants, and times sign-up → Active on the clock', async () => {
    const p = await product();
    await p.signUp();
    await p.signUp();
    await p.settle();
    const text = await scrape(p);
    expect(sample(text, 'saas_workflow_runs_started_total', { workflow: onboarding.id })).toBe(2);
    expect(sample(text, 'saas_workflow_runs_ended_total', ended('completed'))).toBe(2);
    expect(sample(text, 'saas_workflow_runs_ended_total', ended('failed'))).toBe(0);
    expect(sample(text, 'saas_workflow_run_duration_seconds_count', ended('completed'))).toBe(2);
    // The manual clock did not move: every onboarding took no time at all on it.
    expect(
      sample(text, 'saas_workflow_run_duration_seconds_bucket', {
        ...ended('completed'),
        le: '0.05',
      }),
    ).toBe(2);
  });

  it('counts a failed onboarding once, and a timed-out one as timed out, with its duration', async () => {
    const failing = await product({ faults: `${lastOnboardingStep.id}:fail` });
    await failing.signUp();
    await failing.settle();
    let text = await scrape(failing);
    expect(sample(text, 'saas_workflow_runs_ended_total', ended('failed'))).toBe(1);
    expect(sample(text, 'saas_workflow_runs_ended_total', ended('completed'))).toBe(0);

    const hanging = await product({ faults: `${lastOnboardingStep.id}:hang` });
    await hanging.signUp();
    await hanging.settle();
    await hanging.elapse(onboardingTimeoutMs + 1);
    text = await scrape(hanging);
    expect(sample(text, 'saas_workflow_runs_ended_total', ended('timed_out'))).toBe(1);
    expect(sample(text, 'saas_workflow_runs_ended_total', ended('failed'))).toBe(0);
    const seconds = sample(text, 'saas_workflow_run_duration_seconds_sum', ended('timed_out'));
    expect(seconds).toBeGreaterThanOrEqual(onboardingTimeoutMs / 1000);
  });

  it('counts nothing of a delivery that was not handled: its unit of work rolled back', async () => {
    const metrics = new Metrics(emptyStore());
    const observer = new ProductObserver(metrics);
    const delivery = { envelope: { type: 'TenantRegistered' }, attempt: 1 } as unknown as Delivery;
    await observer.delivery('tenant-management', delivery, async (scope) => {
      scope.run?.({ kind: 'started', workflow: onboarding.id });
      scope.billing?.({ kind: 'trial-expired' });
      observer.retrying(
        'tenant-management',
        delivery.envelope,
        1,
        { errorType: 'ConcurrencyConflict', errorMessage: 'lost the race' },
        scope,
      );
    });
    await observer.delivery('tenant-management', delivery, async (scope) => {
      scope.run?.({ kind: 'started', workflow: onboarding.id });
      scope.billing?.({ kind: 'trial-expired' });
    });
    const text = await metrics.text();
    expect(sample(text, 'saas_workflow_runs_started_total', { workflow: onboarding.id })).toBe(1);
    expect(sample(text, 'saas_trials_expired_total', {})).toBe(1);
  });
});

describe('steps', () => {
  it("counts a step's retries and its dead letters under its own name", async () => {
    const p = await product({ faults: `${firstStep.id}:transient:${firstStep.retry.attempts}` });
    await p.signUp();
    await p.settle();
    await p.elapse(maxDelay * firstStep.retry.attempts);
    const text = await scrape(p);
    const labels = { workflow: onboarding.id, step: firstStep.id };
    expect(sample(text, 'saas_step_retries_total', labels)).toBe(firstStep.retry.attempts - 1);
    expect(sample(text, 'saas_step_dead_letters_total', labels)).toBe(1);
    for (const other of onboardingSteps.filter((step) => step.id !== firstStep.id))
      expect(sample(text, 'saas_step_retries_total', { step: other.id })).toBe(0);
  });

  it('remembers the step a delivery ran, for the retry the observer is told of', async () => {
    const metrics = new Metrics(emptyStore());
    const observer = new ProductObserver(metrics);
    const delivery = { envelope: { type: firstStep.on }, attempt: 1 } as unknown as Delivery;
    await observer.delivery('billing', delivery, async (scope) => {
      await scope
        .step(
          {
            workflow: onboarding.id,
            step: firstStep.id,
            phase: 'run',
            tenantId: 't',
            isFailure: () => false,
          },
          () => Promise.reject(new Error('down')),
        )
        .catch(() => undefined);
      expect((scope as ProductScope).lastStep).toEqual({
        workflow: onboarding.id,
        step: firstStep.id,
      });
      observer.retrying(
        'billing',
        delivery.envelope,
        1,
        { errorType: 'E', errorMessage: 'm' },
        scope,
      );
    });
    const text = await metrics.text();
    expect(
      sample(text, 'saas_step_retries_total', { workflow: onboarding.id, step: firstStep.id }),
    ).toBe(1);
  });
});

describe('the outbox, the build and HTTP', () => {
  it('reports the outbox backlog: how many wait, and the age of the oldest', async () => {
    const clock = new ManualClock(new Date('2030-01-01T00:00:10Z'));
    let backlog = { pending: 3, oldestAt: new Date('2030-01-01T00:00:00Z') as Date | undefined };
    const metrics = new Metrics({ ...emptyStore(), outboxBacklog: async () => backlog }, { clock });
    let text = await metrics.text();
    expect(sample(text, 'saas_outbox_pending')).toBe(3);
    expect(sample(text, 'saas_outbox_oldest_age_seconds')).toBe(10);
    backlog = { pending: 0, oldestAt: undefined };
    text = await metrics.text();
    expect(sample(text, 'saas_outbox_pending')).toBe(0);
    expect(sample(text, 'saas_outbox_oldest_age_seconds')).toBe(0);
  });

  it("reads the real store's backlog: empty once the bus has taken every message", async () => {
    const p = await product();
    await p.signUp();
    await p.settle();
    const text = await scrape(p);
    expect(text).toMatch(/^saas_outbox_pending 0$/m);
    expect(text).toMatch(/^saas_outbox_oldest_age_seconds 0$/m);
  });

  it('says what is running: the product, the saas-gen version, Node.js and the role', async () => {
    const p = await product();
    const text = await scrape(p);
    const line = text.split('\n').find((l) => l.startsWith('saas_build_info{'));
    expect(line).toMatch(/product="[a-z0-9-]+"/);
    expect(line).toMatch(/generator_version="\d+\.\d+\.\d+[^"]*"/);
    expect(line).toContain(`node_version="${process.versions.node}"`);
    expect(line).toContain('role="all"');
    expect(line).toMatch(/ 1$/);
  });

  it('times HTTP requests by route pattern and status, never by the raw URL', async () => {
    const p = await product();
    const { tenantId } = await p.signUp();
    await p.inject({ method: 'GET', url: `/tenants/${tenantId}` });
    await p.inject({ method: 'GET', url: '/no/such/route' });
    const text = await scrape(p);
    const count = (labels: Record<string, string>) =>
      sample(text, 'http_server_request_duration_seconds_count', labels);
    expect(
      count({
        http_request_method: 'POST',
        http_route: '/tenants',
        http_response_status_code: '202',
      }),
    ).toBe(1);
    expect(
      count({
        http_request_method: 'GET',
        http_route: '/tenants/:id',
        http_response_status_code: '200',
      }),
    ).toBe(1);
    expect(count({ http_route: '', http_response_status_code: '404' })).toBe(1);
    expect(text).not.toContain(tenantId);
  });

  it('leaves out the default gauges whose names claim to be counters', async () => {
    const p = await product();
    const text = await scrape(p);
    expect(text).toContain('nodejs_active_handles ');
    expect(text).not.toMatch(/^nodejs_active_\w+_total/m);
  });
});

function emptyStore() {
  return {
    countSagas: async () => ({}),
    countDeadLetters: async () => ({}),
    countClaims: async () => 0,
    outboxBacklog: async () => ({ pending: 0, oldestAt: undefined }),
  };
}
