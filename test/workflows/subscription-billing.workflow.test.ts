// Subscription billing and dunning with stand-in activities: soft and hard declines, exhaustion, cancel and card updates mid-wait.
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { subscriptionBilling } from '../../workflows/subscriptionBilling.ts';
import { cancelSubscriptionUpdate, statusQuery, updatePaymentMethodUpdate } from '../../contracts/definitions.ts';
import { subscriptionWorkflowId } from '../../domain/ids.ts';
import type { DunningPolicy, SubscriptionBillingInput } from '../../contracts/workflows.ts';
import type { Notification } from '../../domain/notification.ts';
import { billingState, buildActivities, createWorkflowEnv, eventually, type StandIns, type WorkflowEnv } from '../helpers/workflow-env.ts';

let env: WorkflowEnv;
beforeAll(async () => {
  env = await createWorkflowEnv();
});
afterAll(async () => {
  await env?.close();
});

type ChargeInput = { subscriptionId: string; period: number; attempt: number; retryInMs: number | null };

/** loadSubscription whose first answer is due at once; later runs (after continue-as-new) wait a period the tests never reach. */
function dueOnce(): StandIns['loadSubscription'] {
  let loads = 0;
  return async () => billingState({ periodEndsInMs: loads++ === 0 ? 10 : 600_000 });
}

const declined = (hard: boolean, failedAttempts: number) => ({
  result: 'failed' as const,
  declineCode: hard ? 'stolen_card' : 'insufficient_funds',
  hard,
  state: billingState({ status: 'past_due', failed_attempts: failedAttempts }),
});
const succeeded = (period: number) => ({ result: 'succeeded' as const, state: billingState({ period: period + 1, periodEndsInMs: 600_000 }) });

async function startBilling(dunning: DunningPolicy): Promise<WorkflowHandle<typeof subscriptionBilling>> {
  const input: SubscriptionBillingInput = {
    tenantId: `ten_${randomUUID().slice(0, 8)}`,
    subscriptionId: `sub_${randomUUID().slice(0, 8)}`,
    email: 'buyer@example.com',
    dunning,
  };
  return env.client.workflow.start(subscriptionBilling, {
    taskQueue: env.taskQueue,
    workflowId: subscriptionWorkflowId(input.tenantId, input.subscriptionId),
    args: [input],
  });
}

/** Stops a subscription's chain of runs (it continues as new forever while it is paid). */
async function stopChain(handle: WorkflowHandle): Promise<void> {
  await env.client.workflow
    .getHandle(handle.workflowId)
    .terminate('test done')
    .catch(() => undefined);
}

describe('subscription billing workflow with stand-in activities', () => {
  test('when a renewal is soft-declined and the retry succeeds, then the retry waits the first dunning delay and the subscription continues as new', async () => {
    const acts = buildActivities({
      loadSubscription: dueOnce(),
      async chargeRenewal(input) {
        return input.attempt === 1 ? declined(false, 1) : succeeded(input.period);
      },
    });
    env.use(acts);
    const handle = await startBilling({ retryScheduleMs: [150, 5_000], exhaustedStatus: 'cancelled' });
    try {
      // The next run loaded its subscription: the renewal was paid and the workflow continued as new.
      await eventually(() => acts.inputsOf('loadSubscription').length === 2);
      const charges = acts.calls.filter((c) => c.name === 'chargeRenewal');
      expect(charges.map((c) => c.input as ChargeInput)).toEqual([
        { subscriptionId: expect.any(String), period: 1, attempt: 1, retryInMs: 150 },
        { subscriptionId: expect.any(String), period: 1, attempt: 2, retryInMs: 5_000 },
      ]);
      expect(charges[1].at - charges[0].at).toBeGreaterThanOrEqual(140);
      // The next run answers 'loading' until its loadSubscription result (called, not necessarily delivered) is in.
      const status = () => env.client.workflow.getHandle(handle.workflowId).query(statusQuery);
      await eventually(async () => (await status()) !== 'loading');
      expect(await status()).toBe('active');
      expect(acts.inputsOf<Notification>('notifyCustomer').map((n) => [n.template, n.data.card_update_required])).toEqual([
        ['subscription_payment_failed', false],
      ]);
      expect(acts.names()).not.toContain('endSubscription');
    } finally {
      await stopChain(handle);
    }
  });

  test('when a renewal is hard-declined, then the same card is not charged again and the subscription ends with the exhausted status after the schedule', async () => {
    const acts = buildActivities({
      loadSubscription: dueOnce(),
      async chargeRenewal() {
        return declined(true, 1);
      },
    });
    env.use(acts);
    const handle = await startBilling({ retryScheduleMs: [50, 50, 50], exhaustedStatus: 'unpaid' });
    expect(await handle.result()).toBe('unpaid');
    expect(acts.inputsOf<ChargeInput>('chargeRenewal').map((c) => c.attempt)).toEqual([1]);
    expect(acts.inputsOf('endSubscription')).toEqual([expect.objectContaining({ status: 'unpaid', reason: 'payment_failed' })]);
    expect(acts.inputsOf<Notification>('notifyCustomer').map((n) => [n.template, n.data.card_update_required ?? null])).toEqual([
      ['subscription_payment_failed', true],
      ['subscription_cancelled', null],
    ]);
  });

  test('when every retry on the schedule is soft-declined, then the subscription ends cancelled after the last attempt', async () => {
    const acts = buildActivities({
      loadSubscription: dueOnce(),
      async chargeRenewal(input) {
        return declined(false, input.attempt);
      },
    });
    env.use(acts);
    const handle = await startBilling({ retryScheduleMs: [30, 30], exhaustedStatus: 'cancelled' });
    expect(await handle.result()).toBe('cancelled');
    expect(acts.inputsOf<ChargeInput>('chargeRenewal').map((c) => [c.attempt, c.retryInMs])).toEqual([
      [1, 30],
      [2, 30],
      [3, null],
    ]);
    expect(acts.inputsOf('endSubscription')).toEqual([expect.objectContaining({ status: 'cancelled', reason: 'payment_failed' })]);
    expect(acts.inputsOf<Notification>('notifyCustomer').filter((n) => n.template === 'subscription_payment_failed')).toHaveLength(3);
  });

  test('when the back office cancels during a dunning wait, then the subscription ends cancelled at once and is not charged again', async () => {
    const acts = buildActivities({
      loadSubscription: dueOnce(),
      async chargeRenewal() {
        return declined(false, 1);
      },
    });
    env.use(acts);
    const handle = await startBilling({ retryScheduleMs: [600_000], exhaustedStatus: 'unpaid' });
    await eventually(() => acts.names().includes('chargeRenewal'));
    await eventually(async () => (await handle.query(statusQuery)) === 'past_due');
    await handle.executeUpdate(cancelSubscriptionUpdate, { args: [{ reason: 'customer asked' }] });
    expect(await handle.result()).toBe('cancelled');
    expect(acts.inputsOf('chargeRenewal')).toHaveLength(1);
    expect(acts.inputsOf('endSubscription')).toEqual([expect.objectContaining({ status: 'cancelled', reason: 'customer asked' })]);
  });

  test('when the card is updated while past due, then it is saved and charged at once instead of after the dunning delay', async () => {
    const acts = buildActivities({
      loadSubscription: dueOnce(),
      async chargeRenewal(input) {
        return input.attempt === 1 ? declined(false, 1) : succeeded(input.period);
      },
    });
    env.use(acts);
    const handle = await startBilling({ retryScheduleMs: [600_000, 600_000], exhaustedStatus: 'unpaid' });
    try {
      await eventually(async () => (await handle.query(statusQuery)) === 'past_due');
      await handle.executeUpdate(updatePaymentMethodUpdate, { args: [{ token: 'tok_new_card' }] });
      expect(acts.inputsOf<ChargeInput>('chargeRenewal').map((c) => c.attempt)).toEqual([1, 2]);
      expect(acts.inputsOf('updateSubscriptionCard')).toEqual([expect.objectContaining({ token: 'tok_new_card' })]);
      expect(acts.names().indexOf('updateSubscriptionCard')).toBeLessThan(acts.names().lastIndexOf('chargeRenewal'));
      expect(acts.names()).not.toContain('endSubscription');
    } finally {
      await stopChain(handle);
    }
  });
});
