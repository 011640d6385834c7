// Workflow tests with stand-in activities: the real workflow code on the run's Temporal dev server, an in-process
// Worker, and activities that are plain functions the test controls (record calls, fail, block).
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { shipmentsQuery } from '../../contracts/definitions.ts';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { Activities } from '../../contracts/activities.ts';
import type { BillingState } from '../../contracts/activities.ts';
import { initialOrderStatus, statusFromShipments, type ShipmentStatus } from '../../domain/order.ts';
import { dataConverter } from '../../providers/codec/data-converter.ts';
import type { CheckoutInput, TrackedShipment } from '../../contracts/workflows.ts';
import { connectTemporal, testConfig, uniqueTaskQueue, workflowBundle } from './stack.ts';
import { participationIds } from '../../domain/ids.ts';

/** The activities a stand-in set may provide (every one optional, typed as the worker registers them). */
export type StandIns = Partial<Activities>;

/** One recorded activity call and when it started (ms since the epoch). */
export type Call = { name: string; input: unknown; at: number };

/** Stand-in activities plus the log of their calls, in the order they were made. */
export type StandInSet = { activities: StandIns; calls: Call[]; inputsOf: <T = Record<string, unknown>>(name: keyof Activities) => T[]; names: () => string[] };

/** A checkout's input as the API would send it, for a fresh tenant and cart; card by default. */
export function buildCheckoutInput(overrides: Partial<CheckoutInput> = {}): CheckoutInput {
  return {
    tenantId: `ten_${randomUUID().slice(0, 8)}`,
    cartId: `cart_${randomUUID().slice(0, 8)}`,
    email: 'buyer@example.com',
    paymentMethod: 'card',
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'Berlin', postal_code: '10115', country: 'DE', phone: '+4930123456' },
    holdTtlMs: 60_000,
    bankTransferTimeoutMs: 60_000,
    paymentReminderBeforeMs: 0,
    shipSlaMs: 60_000,
    paymentToken: 'tok_visa',
    ...overrides,
  };
}

/** A non-retryable business failure typed like the product's domain errors (what asActivity throws). */
export function businessError(type: string, message = type): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** A promise the test resolves later, to hold a stand-in mid-call. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void; entered: Promise<void>; enter: () => void } {
  const { promise, resolve } = Promise.withResolvers<T>();
  const entered = Promise.withResolvers<void>();
  return { promise, open: resolve, entered: entered.promise, enter: () => entered.resolve() };
}

/** A subscription's billing state as loadSubscription returns it; the period ends `periodEndsInMs` from now. */
export function billingState(overrides: Partial<BillingState> & { periodEndsInMs?: number } = {}): BillingState {
  const { periodEndsInMs = 10, ...rest } = overrides;
  return {
    id: 'sub_1',
    tenant_id: 'ten_1',
    status: 'active',
    period: 1,
    amount: 900,
    currency: 'EUR',
    card_ref: 'card_1',
    customer_email: 'buyer@example.com',
    billing_interval: '1 month',
    anchor_at: new Date().toISOString(),
    current_period_end: new Date(Date.now() + periodEndsInMs).toISOString(),
    failed_attempts: 0,
    next_attempt_at: null,
    ...rest,
  };
}

/**
 * Stand-ins with sensible defaults for every activity checkout, payment confirmation, fulfillment, shipment and
 * subscription billing call: orders are placed, cards authorized, shipments tracked in memory (one warehouse shipment,
 * followed by the fulfillment, unless `createShipments` is overridden), renewals charged. `overrides` replace single activities; every call is recorded.
 */
export function buildActivities(overrides: StandIns = {}): StandInSet {
  const shipmentStatus = new Map<string, ShipmentStatus>();
  const shipmentOf = new Map<string, TrackedShipment>();
  const track = (shipments: TrackedShipment[]) => {
    for (const s of shipments) {
      shipmentStatus.set(s.id, s.status);
      shipmentOf.set(s.id, s);
    }
    return shipments;
  };
  const moveShipment = (id: string, status: ShipmentStatus) => {
    shipmentStatus.set(id, status);
    return { shipment: { ...shipmentOf.get(id)!, status }, orderStatus: statusFromShipments([...shipmentStatus.values()]) };
  };
  const defaults: StandIns = {
    async placeOrder(input: CheckoutInput & { orderId: string }) {
      return {
        orderId: input.orderId,
        status: initialOrderStatus(input.paymentMethod),
        total: { amount: 2500, currency: 'EUR' },
        accessToken: 'ot_test',
        vendorIds: [],
        created: true,
        subscriptionLines: 0,
        digitalLines: 0,
        payment: { method: input.paymentMethod, status: 'pending' },
      };
    },
    async cancelOrder() {
      return { cancelled: true, status: 'cancelled' as const };
    },
    async notifyCustomer() {},
    async authorizeCardPayment() {
      return { orderStatus: 'pending_shipment' as const, cardRef: 'card_1' };
    },
    async voidCardAuthorization() {
      return { voided: true };
    },
    async captureCardPayment() {
      return { status: 'captured' };
    },
    async createOrderSubscriptions() {
      return [];
    },
    async recordBankTransfer(input) {
      return { received: input.amount.amount, fullyPaid: true };
    },
    // Like the real one: a run that asks has its one vendor-less parcel followed by the fulfillment itself.
    async createShipments(input) {
      return [
        {
          id: 'shp_main',
          vendorId: null,
          status: 'pending' as const,
          codAmount: null,
          ...(input.followSingleInFulfillment ? { followedBy: 'fulfillment' as const } : {}),
        },
      ];
    },
    async shipShipment(input) {
      return moveShipment(input.shipmentId, 'shipped');
    },
    async deliverShipment(input) {
      return moveShipment(input.shipmentId, 'delivered');
    },
    async createPayouts() {
      return 1;
    },
    async deliverDigitalGoods() {
      return { issued: 0, deliveries: 0, orderStatus: 'pending_shipment' as const, vendorItems: false };
    },
    async loadSubscription() {
      return billingState();
    },
    async chargeRenewal(input) {
      return { result: 'succeeded' as const, state: billingState({ period: input.period + 1, periodEndsInMs: 60_000 }) };
    },
    async endSubscription(input) {
      return billingState({ status: input.status });
    },
    async updateSubscriptionCard() {},
    async holdGroupBuyUnit() {
      return { amount: 800, currency: 'JPY' };
    },
    async authorizeGroupBuyCard() {},
    async endGroupBuyParticipation() {
      return { voided: true };
    },
    async placeGroupBuyOrder(input) {
      return { orderId: participationIds(input.participationId).orderId, email: 'joiner@example.jp', created: true };
    },
    async closeGroupBuy() {},
    // A group buy hands each order to a resume run; here the order reads as completed, so that run ends at once.
    async orderResumePlan() {
      return {
        status: 'completed' as const,
        paymentMethod: 'card' as const,
        email: 'joiner@example.jp',
        cartId: 'cart_gb',
        total: { amount: 800, currency: 'JPY' },
        vendorIds: [],
        paymentDueInMs: null,
        received: 0,
        shipmentIds: [],
        subscriptionIds: [],
        paymentReminderBeforeMs: 0,
        shipSlaMs: 60_000,
      };
    },
  };
  const calls: Call[] = [];
  const activities: StandIns = {};
  for (const [name, fn] of Object.entries({ ...defaults, ...overrides }) as [string, (input: unknown) => Promise<unknown>][]) {
    (activities as Record<string, unknown>)[name] = async (input: unknown) => {
      calls.push({ name, input, at: Date.now() });
      const result = await fn(input);
      // Shipments an override created are tracked like the default ones, so ship/deliver stand-ins know them.
      if (name === 'createShipments') track(result as TrackedShipment[]);
      return result;
    };
  }
  return {
    activities,
    calls,
    inputsOf: <T>(name: keyof Activities) => calls.filter((c) => c.name === name).map((c) => c.input as T),
    names: () => calls.map((c) => c.name),
  };
}

/**
 * A client, a native connection and one Worker for a whole test file (creating a Worker per test costs about a
 * second); each test hands the Worker its own stand-ins with `use`. Tests in a file run one after another.
 */
export type WorkflowEnv = { client: Client; taskQueue: string; use: (set: StandInSet) => void; close: () => Promise<void> };

/**
 * Connects to the run's dev server with the product's data converter (payloads are encrypted as in production) and
 * starts a Worker on a task queue of its own, whose activities call whichever stand-ins the current test chose.
 */
export async function createWorkflowEnv(): Promise<WorkflowEnv> {
  try {
    // Stand-ins throw business failures on purpose: the worker's per-failure warnings would only be noise.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process.
  }
  const client = await connectTemporal();
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const taskQueue = uniqueTaskQueue('wf-standins');
  let current: StandIns = {};
  const activities = Object.fromEntries(
    Object.keys(buildActivities().activities).map((name) => [
      name,
      (input: unknown) => {
        const fn = (current as Record<string, ((input: unknown) => Promise<unknown>) | undefined>)[name];
        if (!fn) throw new Error(`no stand-in for activity ${name}`);
        return fn(input);
      },
    ]),
  );
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowBundle: workflowBundle(),
    activities,
    dataConverter: dataConverter(testConfig()),
  });
  const running = worker.run();
  return {
    client,
    taskQueue,
    use(set) {
      current = set.activities;
    },
    async close() {
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
    },
  };
}

/**
 * Polls `check` until it returns true (workflow state reached through queries or recorded calls). The bound is generous
 * because it only matters on failure: 5 s failed a continue-as-new chain on a CI box busy with other suites.
 */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until a fulfillment tracks its shipments (a parcel it follows itself takes updates from then on); returns them. */
export async function shipmentsTracked(fulfillment: WorkflowHandle): Promise<TrackedShipment[]> {
  let shipments: TrackedShipment[] = [];
  await eventually(() =>
    fulfillment.query(shipmentsQuery).then(
      (q) => (shipments = q.shipments).length > 0,
      () => false, // no handler until its first task has run
    ),
  );
  return shipments;
}
