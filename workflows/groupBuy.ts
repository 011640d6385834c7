// Group buy: people join until the deadline (or until full); then every participation becomes a card order, or every
// authorization is voided and every unit released. Everyone is e-mailed either way.
import { ApplicationFailure, condition, proxyActivities, setHandler, uuid4 } from '@temporalio/workflow';
import { makeId, orderResumeWorkflowId } from '../domain/ids.ts';
import { groupBuyOutcome, isFull, joinRefusal, normalEmail, type GroupBuyStatus } from '../domain/group-buys.ts';
import { groupBuyStatusQuery, joinGroupBuyUpdate, statusQuery } from '../contracts/definitions.ts';
import { GroupBuyIdKey, orderSearchAttributes } from '../contracts/search-attributes.ts';
import type { GroupBuyActivities } from '../contracts/activities.ts';
import type { GroupBuyInput, GroupBuyOutcome, JoinGroupBuyArgs, JoinResult } from '../contracts/workflows.ts';
import { orderResume } from './orderResume.ts';
import { startOrFollow } from './follow.ts';
import { businessFailure, createNotifications, GATEWAY_RETRY, RETRY_UNTIL_DONE, unwrapFailure } from './support.ts';

// holdGroupBuyUnit: one transaction keyed by the participation (a retry finds its row); the participant waits, so it gives
// up after a minute, and the join's compensation releases whatever an attempt committed.
const { holdGroupBuyUnit } = proxyActivities<Pick<GroupBuyActivities, 'holdGroupBuyUnit'>>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: RETRY_UNTIL_DONE,
});
// authorizeGroupBuyCard: the key `authorize:<participation>` makes retries safe; a gateway still down after 2 minutes
// fails the join (compensation voids anything the gateway did authorize and releases the unit).
const { authorizeGroupBuyCard } = proxyActivities<Pick<GroupBuyActivities, 'authorizeGroupBuyCard'>>({
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
// Ending a participation (void + release) must happen whatever it takes: idempotent under the key `void:<participation>`.
const { endGroupBuyParticipation } = proxyActivities<Pick<GroupBuyActivities, 'endGroupBuyParticipation'>>({
  startToCloseTimeout: '15 seconds',
  retry: GATEWAY_RETRY,
});
// Placing an order and closing the campaign are keyed transactions (the cart's one order, the row's open status): retried until done.
const { placeGroupBuyOrder, closeGroupBuy } = proxyActivities<Pick<GroupBuyActivities, 'placeGroupBuyOrder' | 'closeGroupBuy'>>({
  startToCloseTimeout: '30 seconds',
  retry: RETRY_UNTIL_DONE,
});

// Participations settled side by side at the end, a batch at a time (bounded load on the database and the gateway).
const SETTLE_BATCH = 20;

type Participant = { participationId: string; email: string };

/**
 * One per campaign (`groupbuy:<tenant>:<campaign>`), started by POST /admin/group-buys. Joins are Updates: the validator
 * refuses a closed or full campaign and a second join of one e-mail; the handler holds a unit and authorizes the card,
 * and a decline gives the unit back before the participant hears 402. At `ends_at`, or once full, the joins in flight
 * settle; then the campaign succeeds (each participation becomes a card order that the normal fulfillment ships and
 * captures, driven by an `orderResume` run) or fails (each authorization voided, each unit released).
 */
export async function groupBuy(input: GroupBuyInput): Promise<GroupBuyOutcome> {
  const { tenantId, groupBuyId } = input;
  let status: GroupBuyStatus = 'open';
  const joined: Participant[] = [];
  const joining = new Map<string, string>();
  const orderIds: string[] = [];
  const notifications = createNotifications();
  const emails = () => new Set([...joined.map((p) => normalEmail(p.email)), ...joining.keys()]);

  setHandler(statusQuery, () => status);
  setHandler(groupBuyStatusQuery, () => ({ status, participants: joined.length, joining: joining.size, orders: [...orderIds] }));
  setHandler(joinGroupBuyUpdate, join, {
    validator: ({ email }) => {
      const refusal = joinRefusal(status, { joined: joined.length, joining: joining.size, emails: emails() }, input.maxParticipants, email);
      if (refusal) throw businessFailure('conflict', refusal);
    },
  });

  const untilDeadline = Date.parse(input.endsAt) - Date.now();
  if (untilDeadline > 0) await condition(() => isFull(joined.length, input.maxParticipants), untilDeadline);
  status = 'closing';
  await condition(() => joining.size === 0);
  const outcome = groupBuyOutcome(joined.length, input.minParticipants);
  if (outcome === 'succeeded') await settle(placeOrder);
  else await settle(voidParticipation);
  await closeGroupBuy({ tenantId, groupBuyId, outcome });
  status = outcome;
  await notifications.flush();
  return { status: outcome, participants: joined.length, orderIds };

  /** A join: one unit held, then the card authorized; any failure gives back what was taken before the participant hears why. */
  async function join({ email, paymentToken, shippingAddress }: JoinGroupBuyArgs): Promise<JoinResult> {
    const participationId = makeId('gbp', uuid4());
    joining.set(normalEmail(email), participationId);
    try {
      const owed = await holdGroupBuyUnit({ tenantId, groupBuyId, participationId, email, shippingAddress });
      await authorizeGroupBuyCard({ tenantId, participationId, token: paymentToken, ...owed });
      joined.push({ participationId, email });
      return { participationId, status: 'pending' };
    } catch (err) {
      const failure = unwrapFailure(err);
      const declined = failure instanceof ApplicationFailure && failure.type === 'card_declined';
      const declineCode = declined ? String((failure.details?.[0] as { decline_code?: string } | undefined)?.decline_code ?? 'declined') : undefined;
      await endGroupBuyParticipation({ tenantId, participationId, status: declined ? 'declined' : 'withdrawn', ...(declineCode ? { declineCode } : {}) });
      throw failure instanceof ApplicationFailure ? failure : ApplicationFailure.create({ message: String(failure), nonRetryable: true });
    } finally {
      joining.delete(normalEmail(email));
    }
  }

  /** Success: the participation's card order, handed to an `orderResume` run that fulfils it (and answers cancellations). */
  async function placeOrder(p: Participant): Promise<void> {
    const order = await placeGroupBuyOrder({ tenantId, participationId: p.participationId });
    orderIds.push(order.orderId);
    await startOrFollow(orderResume, {
      workflowId: orderResumeWorkflowId(tenantId, order.orderId),
      args: [{ tenantId, orderId: order.orderId }],
      // ABANDON: the order lives on (shipping, capture, cancellation) long after its campaign has closed.
      parentClosePolicy: 'ABANDON',
      typedSearchAttributes: [
        ...orderSearchAttributes({ tenantId, orderId: order.orderId, email: p.email, paymentMethod: 'card', status: 'pending_shipment' }),
        { key: GroupBuyIdKey, value: groupBuyId },
      ],
    });
    notifications.send({ tenantId, to: p.email, template: 'group_buy_succeeded', data: { group_buy_id: groupBuyId, order_id: order.orderId } });
  }

  /** Failure: the authorization voided and the unit released. */
  async function voidParticipation(p: Participant): Promise<void> {
    await endGroupBuyParticipation({ tenantId, participationId: p.participationId, status: 'voided' });
    notifications.send({ tenantId, to: p.email, template: 'group_buy_failed', data: { group_buy_id: groupBuyId } });
  }

  async function settle(step: (p: Participant) => Promise<void>): Promise<void> {
    for (let i = 0; i < joined.length; i += SETTLE_BATCH) await Promise.all(joined.slice(i, i + SETTLE_BATCH).map(step));
  }
}
