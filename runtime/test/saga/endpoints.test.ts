/**
 * The saga endpoints' glue, on a fake transaction: what they load, save (with which version),
 * publish, schedule, cancel and audit for a decision.
 */
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/contracts/envelope.js';
import { causedBy } from '../../src/contracts/envelope.js';
import type { EndpointDefinition, HandlerContext } from '../../src/runtime/handler.js';
import { ConcurrencyConflict } from '../../src/runtime/store.js';
import type { AuditEntry, SagaRecord, Tx } from '../../src/runtime/store.js';
import type { WorkflowDefinition } from '../../src/saga/definition.js';
import { onboarding, workflows } from '../../src/saga/definitions.js';
import {
  commandAllowed,
  onboardingSagaEndpoint,
  tenantSagaType,
  workflowSagaEndpoint,
  workflowSagaEndpoints,
  workflowSagaType,
} from '../../src/saga/endpoints.js';
import type { OnboardingState } from '../../src/saga/onboarding.js';
import type { WorkflowRunState } from '../../src/saga/workflow.js';
import { Driver, someOrder, start, step } from './harness.js';

/** The part of `Tx` the sagas use, in memory. */
class FakeTx {
  readonly sagas = new Map<string, SagaRecord>();
  readonly cancelled: string[] = [];
  readonly audit: AuditEntry[] = [];
  loads = 0;
  /** Simulates a concurrent writer: loads see nothing. */
  blind = false;

  async loadSaga<State>(type: string, id: string): Promise<SagaRecord<State> | undefined> {
    this.loads++;
    if (this.blind) return undefined;
    return this.sagas.get(`${type}/${id}`) as SagaRecord<State> | undefined;
  }

  async saveSaga<State>(
    record: Omit<SagaRecord<State>, 'version' | 'updatedAt'>,
    expectedVersion: number,
  ): Promise<void> {
    const key = `${record.type}/${record.id}`;
    if ((this.sagas.get(key)?.version ?? 0) !== expectedVersion)
      throw new ConcurrencyConflict(record.type, record.id);
    this.sagas.set(key, { ...record, version: expectedVersion + 1, updatedAt: '' });
  }

  async cancelScheduled(id: string): Promise<void> {
    this.cancelled.push(id);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.audit.push(entry);
  }

  /** The tenants whose space was provisioned; `space` is what the store answers. */
  readonly provisioned: string[] = [];
  space: string | undefined;

  async provisionTenantSpace(tenantId: string): Promise<string | undefined> {
    this.provisioned.push(tenantId);
    return this.space;
  }
}

interface Sent {
  readonly type: string;
  readonly payload: unknown;
  readonly options?: { dueAt?: Date; id?: string; endpoint?: string };
}

/** Handles one message with the endpoint; returns what it published and scheduled. */
async function handle(endpoint: EndpointDefinition, tx: FakeTx, message: Envelope, now = start) {
  const published: Sent[] = [];
  const scheduled: Sent[] = [];
  const ctx = {
    message,
    attempt: 1,
    endpoint: endpoint.name,
    now,
    tx: tx as unknown as Tx,
    publish(type: string, payload: unknown) {
      published.push({ type, payload });
      return causedBy(message, { type, payload, occurredAt: now });
    },
    schedule(type: string, payload: unknown, options: Sent['options']) {
      scheduled.push({ type, payload, options });
      return causedBy(message, { type, payload, occurredAt: now });
    },
  } as unknown as HandlerContext;
  await endpoint.handle(ctx);
  return { published, scheduled };
}

const registration = {
  slug: 'acme',
  name: 'Acme',
  edition: 'pro',
  ownerEmail: 'owner@acme.test',
  ownerName: 'Olga Owner',
};

const stepEndpoint = (s: { service: string; id: string }) => `${s.service}.${s.id}`;

/** Messages of one tenant; the decision is not used, only the envelopes. */
const messages = () => new Driver<never>(() => ({ rejected: 'unused' }));

describe('the onboarding saga endpoint', () => {
  const endpoint = onboardingSagaEndpoint(onboarding, { stepEndpoint });

  it('receives the trigger, every step event, the internal and operator messages, and lifecycle events', () => {
    expect(endpoint.name).toBe('tenant-management');
    expect(endpoint.types).toEqual(
      expect.arrayContaining([
        onboarding.workflow.trigger,
        ...onboarding.workflow.steps.map((s) => s.emits ?? ''),
        'StepFailed',
        'StepCompensated',
        'WorkflowTimeoutElapsed',
        'SuspendTenant',
        'ReinstateTenant',
        'DecommissionTenant',
        'RetryProvisioning',
        ...onboarding.lifecycle.suspendOn,
        ...onboarding.lifecycle.reinstateOn,
      ]),
    );
    expect([...endpoint.types].sort()).toEqual(endpoint.types);
  });

  it('saves the new state, schedules its timeout to itself, and audits each move', async () => {
    const tx = new FakeTx();
    const tenant = messages();
    const message = tenant.envelope('TenantRegistered', registration);
    const { published, scheduled } = await handle(endpoint, tx, message);

    const record = tx.sagas.get(
      `${tenantSagaType}/${tenant.tenantId}`,
    ) as SagaRecord<OnboardingState>;
    expect(record).toMatchObject({ version: 1, tenantId: tenant.tenantId });
    expect(record.state.state).toBe('Provisioning');
    const token = `onboarding:${tenant.tenantId}:1`;
    expect(scheduled).toEqual([
      {
        type: 'WorkflowTimeoutElapsed',
        payload: { workflow: 'onboarding', workflowId: tenant.tenantId, token },
        options: {
          dueAt: new Date(start.getTime() + onboarding.workflow.timeoutMs),
          id: token,
          endpoint: 'tenant-management',
        },
      },
    ]);
    expect(tx.audit.map((e) => [e.action, e.fromState, e.toState])).toEqual([
      ['register', null, 'Registered'],
      ['startProvisioning', 'Registered', 'Provisioning'],
    ]);
    for (const entry of tx.audit) {
      expect(entry).toMatchObject({
        tenantId: tenant.tenantId,
        correlationId: message.correlationId,
        causationId: message.eventId,
        at: start.toISOString(),
      });
    }
    expect(published).toEqual([
      {
        type: 'AuditEntryRecorded',
        payload: { entryId: tx.audit[0]?.id, action: 'register', toState: 'Registered' },
      },
      {
        type: 'AuditEntryRecorded',
        payload: {
          entryId: tx.audit[1]?.id,
          action: 'startProvisioning',
          fromState: 'Registered',
          toState: 'Provisioning',
        },
      },
    ]);
  });

  it('provisions the tenant’s space when its onboarding starts, audited, and only then', async () => {
    const tx = new FakeTx();
    tx.space = 'tenant_space';
    const tenant = messages();
    await handle(endpoint, tx, tenant.envelope('TenantRegistered', registration));
    expect(tx.provisioned).toEqual([tenant.tenantId]);
    expect(tx.audit.map((e) => e.action)).toEqual([
      'register',
      'startProvisioning',
      'tenantSpaceProvisioned',
    ]);
    expect(tx.audit[2]?.detail).toEqual({ isolation: 'schema', space: 'tenant_space' });
    // A duplicate registration moves nothing and provisions nothing again.
    await handle(endpoint, tx, tenant.envelope('TenantRegistered', registration));
    expect(tx.provisioned).toEqual([tenant.tenantId]);
  });

  it('publishes TenantProvisioned and cancels the timeout when the last step succeeds', async () => {
    const tx = new FakeTx();
    const tenant = messages();
    await handle(endpoint, tx, tenant.envelope('TenantRegistered', registration));
    const sent: string[] = [];
    for (const s of someOrder(onboarding.workflow)) {
      const { published } = await handle(endpoint, tx, tenant.envelope(s.emits ?? '', {}));
      sent.push(...published.map((m) => m.type).filter((t) => t !== 'AuditEntryRecorded'));
    }
    expect(sent).toEqual(['TenantProvisioned']);
    expect(tx.cancelled).toEqual([`onboarding:${tenant.tenantId}:1`]);
    const record = tx.sagas.get(`${tenantSagaType}/${tenant.tenantId}`);
    expect(record?.version).toBe(1 + onboarding.workflow.steps.length);
  });

  it('lets a concurrent change fail the save, for the runtime to retry the message', async () => {
    const tx = new FakeTx();
    const tenant = messages();
    await handle(endpoint, tx, tenant.envelope('TenantRegistered', registration));
    tx.blind = true;
    await expect(
      handle(endpoint, tx, tenant.envelope('TenantRegistered', registration)),
    ).rejects.toBeInstanceOf(ConcurrencyConflict);
  });

  it('records a forbidden move asked for by a message as `rejected`, and changes nothing', async () => {
    const tx = new FakeTx();
    const tenant = messages();
    await handle(endpoint, tx, tenant.envelope('TenantRegistered', registration));
    const key = `${tenantSagaType}/${tenant.tenantId}`;
    const before = tx.sagas.get(key);
    expect(commandAllowed(before?.state as OnboardingState, 'SuspendTenant')).toBe(false);
    const { published, scheduled } = await handle(
      endpoint,
      tx,
      tenant.envelope('SuspendTenant', {}),
    );
    expect(tx.sagas.get(key)).toBe(before);
    expect(scheduled).toEqual([]);
    expect(tx.audit.at(-1)).toMatchObject({
      action: 'rejected',
      fromState: 'Provisioning',
      toState: 'Provisioning',
      detail: { message: 'SuspendTenant', reason: 'cannot suspend a tenant that is Provisioning' },
    });
    expect(published.map((m) => m.type)).toEqual(['AuditEntryRecorded']);
  });

  it("delivers a retry's re-runs to each step's own endpoint", async () => {
    const tx = new FakeTx();
    const tenant = messages();
    await handle(endpoint, tx, tenant.envelope('TenantRegistered', registration));
    const [first] = onboarding.workflow.steps;
    if (!first) return;
    const failure = {
      workflow: 'onboarding',
      workflowId: tenant.tenantId,
      stepId: first.id,
      errorType: 'StepFailure',
      reason: 'no',
    };
    await handle(endpoint, tx, tenant.envelope('StepFailed', failure));
    const later = new Date(start.getTime() + 1000);
    const { scheduled } = await handle(
      endpoint,
      tx,
      tenant.envelope('RetryProvisioning', {}),
      later,
    );
    const reruns = scheduled.filter((m) => m.type !== 'WorkflowTimeoutElapsed');
    const expected = onboarding.workflow.steps.filter((s) => s.on === onboarding.workflow.trigger);
    expect(reruns).toEqual(
      expected.map((s) => ({
        type: onboarding.workflow.trigger,
        payload: registration,
        options: { dueAt: later, endpoint: stepEndpoint(s) },
      })),
    );
  });

  it("does not even load the saga for another workflow's internal message", async () => {
    const tx = new FakeTx();
    const tenant = messages();
    const other = { workflow: 'elsewhere', workflowId: 'x', token: 't' };
    await handle(endpoint, tx, tenant.envelope('WorkflowTimeoutElapsed', other));
    expect(tx.loads).toBe(0);
  });
});

describe('the workflow saga endpoints', () => {
  const definition: WorkflowDefinition = {
    id: 'export',
    kind: 'domain',
    trigger: 'RequestExport',
    timeoutMs: 1000,
    steps: [step('export', 'fetch', 'RequestExport', 'Fetched', 'DropFetch')],
    reactions: [],
  };

  it('one per domain workflow of the product, none for onboarding', () => {
    const all = Object.values(workflows as Record<string, WorkflowDefinition>);
    const endpoints = workflowSagaEndpoints(all, { stepEndpoint });
    expect(endpoints.map((e) => e.name)).toEqual(
      all.filter((w) => w.kind === 'domain').map((w) => `tenant-management.${w.id}`),
    );
  });

  it('keys a run by the correlation id of its command, and internal messages by workflowId', async () => {
    const endpoint = workflowSagaEndpoint(definition, { stepEndpoint });
    const tx = new FakeTx();
    const run = messages();
    await handle(endpoint, tx, run.envelope('RequestExport', {}));
    const key = `${workflowSagaType}/${run.correlationId}`;
    expect((tx.sagas.get(key)?.state as WorkflowRunState).state).toBe('Running');
    const failure = {
      workflow: 'export',
      workflowId: run.correlationId,
      stepId: 'fetch',
      errorType: 'StepFailure',
      reason: 'no',
    };
    const { published } = await handle(endpoint, tx, run.envelope('StepFailed', failure));
    expect((tx.sagas.get(key)?.state as WorkflowRunState).state).toBe('Failed');
    expect(published.map((m) => m.type)).toContain('WorkflowFailed');
    expect(tx.cancelled).toEqual([`export:${run.correlationId}:1`]);
  });
});
