// Activities of the checkout saga: place the order, cancel it (compensation), notify.
import type { DatabasePool } from 'slonik';
import { cancelOrder, placeOrder } from '../db/queries/orders.ts';
import { countSubscriptionLines } from '../db/queries/subscriptions.ts';
import { countDigitalLines } from '../db/queries/digital-deliveries.ts';
import { newSecret } from '../domain/secrets.ts';
import type { Notifier } from '../providers/notifications/notifier.ts';
import type { Notification } from '../domain/notification.ts';
import type { PaymentProviders } from '../providers/payments/types.ts';
import type { CheckoutInput, PlacedOrder } from '../contracts/workflows.ts';
import type { OrderStatus } from '../domain/order.ts';
import type { Actor } from '../contracts/audit.ts';
import { asActivity } from './errors.ts';
import { opsMetrics } from '../config/ops-metrics.ts';
import type { OrderActivities } from '../contracts/activities.ts';

/** Builds the order activities. */
export function createOrderActivities({ pool, notifier, payments }: { pool: DatabasePool; notifier: Notifier; payments: PaymentProviders }) {
  return {
    /**
     * Checkout steps 1-2: validates the cart, creates the order and allocates its stock. Idempotent per cart:
     * a retry finds the order its earlier attempt committed, and `created` stays true because the id is the caller's.
     */
    async placeOrder(input: CheckoutInput & { orderId: string }): Promise<PlacedOrder> {
      return asActivity(async () => {
        const { order, created } = await placeOrder(pool, {
          tenantId: input.tenantId,
          cartId: input.cartId,
          orderId: input.orderId,
          email: input.email,
          shippingAddress: input.shippingAddress,
          paymentMethod: input.paymentMethod,
          holdTtlMs: input.holdTtlMs,
          paymentDueInMs: input.paymentMethod === 'bank_transfer' ? input.bankTransferTimeoutMs : null,
          accessToken: newSecret('ot', 18),
          expectedTotal: input.expectedTotal ?? null,
        });
        // Only the attempt whose transaction inserted the order counts it; a retry finds it and does not.
        if (created) opsMetrics.ordersPlaced.inc({ payment_method: order.payment_method });
        const payment = order.payments[0];
        // Offline methods authorize without moving money (bank transfer answers with its instructions);
        // a card is authorized by its own activity, which may decline.
        const offline =
          order.payment_method === 'card'
            ? undefined
            : await payments.forMethod(order.payment_method).authorize({
                idempotencyKey: `authorize:${order.id}`,
                amount: order.total.amount,
                currency: order.total.currency,
                reference: order.id,
                dueAt: payment?.due_at ?? null,
              });
        const instructions = offline?.outcome === 'succeeded' ? offline.instructions : undefined;
        const subscriptionLines = order.payment_method === 'card' ? await countSubscriptionLines(pool, order.id) : 0;
        const digitalLines = await countDigitalLines(pool, order.id);
        return {
          orderId: order.id,
          status: order.status,
          subscriptionLines,
          digitalLines,
          total: order.total,
          taxBreakdown: order.tax_breakdown,
          accessToken: order.access_token,
          created: order.id === input.orderId,
          vendorIds: [...new Set(order.items.flatMap((i) => (i.vendor_id ? [i.vendor_id] : [])))].sort(),
          payment: { method: order.payment_method, status: payment?.status ?? 'pending', ...(instructions ? { instructions } : {}) },
        };
      });
    },
    /** Cancels the order and releases its stock (asked by `actor`, or as compensation). Tolerates an order that does not exist. */
    async cancelOrder(input: {
      tenantId: string;
      orderId?: string;
      reason: string;
      actor?: Actor;
    }): Promise<{ cancelled: boolean; status: OrderStatus | null }> {
      return asActivity(async () => {
        if (!input.orderId) return { cancelled: false, status: null };
        const result = await cancelOrder(pool, input.tenantId, input.orderId, input.reason, input.actor ?? null);
        return { cancelled: result.cancelled, status: 'cancelled' };
      });
    },
    /** Sends a customer notification about an order. */
    async notifyCustomer(input: Notification): Promise<void> {
      await notifier.send(input);
    },
  } satisfies OrderActivities;
}
