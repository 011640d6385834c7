// The groupBuy workflow with stand-in activities: joins racing for the last places, a join still in flight at the
// deadline, a gateway that never answers. The e2e tests (test/e2e/group-buys*.test.ts) run the real activities.
import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { groupBuy } from '../../workflows/groupBuy.ts';
import { groupBuyStatusQuery, joinGroupBuyUpdate } from '../../contracts/definitions.ts';
import { groupBuyWorkflowId } from '../../domain/ids.ts';
import type { GroupBuyInput, JoinGroupBuyArgs } from '../../contracts/workflows.ts';
import { buildActivities, businessError, createWorkflowEnv, eventually, gate, type WorkflowEnv } from '../helpers/workflow-env.ts';

let env: WorkflowEnv;
beforeAll(async () => {
  env = await createWorkflowEnv();
});
afterAll(async () => {
  await env?.close();
});

const buildInput = (overrides: Partial<GroupBuyInput> & { endsInMs?: number } = {}): GroupBuyInput => {
  const { endsInMs = 3_600_000, ...rest } = overrides;
  return {
    tenantId: `ten_${randomUUID().slice(0, 8)}`,
    groupBuyId: `gb_${randomUUID().slice(0, 8)}`,
    variantId: 'var_1',
    price: { amount: 800, currency: 'JPY' },
    minParticipants: 1,
    maxParticipants: null,
    endsAt: new Date(Date.now() + endsInMs).toISOString(),
    ...rest,
  };
};
const buildJoinArgs = (email = `j-${randomUUID().slice(0, 8)}@example.jp`): JoinGroupBuyArgs => ({
  email,
  paymentToken: 'tok_visa',
  shippingAddress: { name: 'Hanako', line1: '1-2-3', city: 'Chiyoda', postal_code: '100-0005', country: 'JP', phone: '+81300000000' },
});
const start = (input: GroupBuyInput) =>
  env.client.workflow.start(groupBuy, { taskQueue: env.taskQueue, workflowId: groupBuyWorkflowId(input.tenantId, input.groupBuyId), args: [input] });
const failureType = (err: unknown) => (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause.type : String(err));

test('when five join at once for two places while no hold has finished, then exactly two are accepted and three are refused as conflict before anything is held', async () => {
  const holding = gate();
  const set = buildActivities({
    async holdGroupBuyUnit() {
      holding.enter();
      await holding.promise;
      return { amount: 800, currency: 'JPY' };
    },
  });
  env.use(set);
  const input = buildInput({ maxParticipants: 2, minParticipants: 2 });
  const handle = await start(input);
  const joins = Array.from({ length: 5 }, () => handle.executeUpdate(joinGroupBuyUpdate, { args: [buildJoinArgs()] }).then(() => 'joined', failureType));
  await holding.entered;
  await eventually(async () => (await handle.query(groupBuyStatusQuery)).joining === 2);
  holding.open();
  expect((await Promise.all(joins)).sort()).toEqual(['conflict', 'conflict', 'conflict', 'joined', 'joined']);
  expect(set.inputsOf('holdGroupBuyUnit')).toHaveLength(2);
  // Full: the campaign closes long before its deadline and places both orders.
  expect(await handle.result()).toMatchObject({ status: 'succeeded', participants: 2 });
  expect(set.inputsOf('placeGroupBuyOrder')).toHaveLength(2);
}, 30_000);

test('when the deadline passes while a card is being authorized, then the campaign waits for that join, refuses new ones, and counts it', async () => {
  const authorizing = gate();
  const set = buildActivities({
    async authorizeGroupBuyCard() {
      authorizing.enter();
      await authorizing.promise;
    },
  });
  env.use(set);
  const handle = await start(buildInput({ minParticipants: 1, endsInMs: 1_500 }));
  const join = handle.executeUpdate(joinGroupBuyUpdate, { args: [buildJoinArgs()] });
  await authorizing.entered;
  await eventually(async () => (await handle.query(groupBuyStatusQuery)).status === 'closing', 10_000);
  await expect(handle.executeUpdate(joinGroupBuyUpdate, { args: [buildJoinArgs()] }).catch(failureType)).resolves.toBe('conflict');
  authorizing.open();
  expect(await join).toMatchObject({ status: 'pending' });
  expect(await handle.result()).toMatchObject({ status: 'succeeded', participants: 1 });
  expect(set.inputsOf('closeGroupBuy')).toEqual([expect.objectContaining({ outcome: 'succeeded' })]);
}, 30_000);

test('when the gateway fails the authorization for good, then the join fails and its participation is ended as withdrawn (void by key, unit released), and a campaign below its minimum voids the rest', async () => {
  let calls = 0;
  const set = buildActivities({
    async authorizeGroupBuyCard() {
      calls++;
      if (calls === 1) throw businessError('gateway_gone', 'the gateway gave up');
    },
  });
  env.use(set);
  const handle = await start(buildInput({ minParticipants: 3, endsInMs: 2_000 }));
  await expect(handle.executeUpdate(joinGroupBuyUpdate, { args: [buildJoinArgs()] }).catch(failureType)).resolves.toBe('gateway_gone');
  await handle.executeUpdate(joinGroupBuyUpdate, { args: [buildJoinArgs()] });
  expect(await handle.result()).toMatchObject({ status: 'failed', participants: 1 });
  expect(set.inputsOf<{ status: string }>('endGroupBuyParticipation').map((i) => i.status)).toEqual(['withdrawn', 'voided']);
  expect(set.inputsOf('placeGroupBuyOrder')).toHaveLength(0);
  expect(set.inputsOf<{ template: string }>('notifyCustomer').map((n) => n.template)).toEqual(['group_buy_failed']);
}, 30_000);
