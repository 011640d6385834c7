// Activities of order repair: the resume run's reading of the order and take-over of orphans, the reconciler's pass.
import { opsMetrics } from '../config/ops-metrics.ts';
import { Context } from '@temporalio/activity';
import { type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { DatabasePool } from 'slonik';
import type { Config } from '../config/config.ts';
import { getOrder } from '../db/queries/orders.ts';
import { openOrdersOlderThan } from '../db/queries/order-repair.ts';
import { subscriptionsOfOrder } from '../db/queries/subscriptions.ts';
import { repairOrderProcess, workflowStatus } from '../providers/temporal/order-process.ts';
import type { OrderReconcilerInput, ReconcileReport, ResumePlan } from '../contracts/workflows.ts';
import type { RepairActivities } from '../contracts/activities.ts';

/** Builds the repair activities (a worker without a Temporal client or config cannot repair: they fail non-retryably). */
export function createRepairActivities({ pool, temporal, config }: { pool: DatabasePool; temporal?: Client; config?: Config }) {
  const needs = () => {
    if (!temporal || !config) throw ApplicationFailure.nonRetryable('this worker has no Temporal client or config to repair orders', 'repair_not_configured');
    return { client: temporal, cfg: config };
  };
  return {
    /** The order as the database has it now: where its resume starts. */
    async orderResumePlan(input: { tenantId: string; orderId: string }): Promise<ResumePlan> {
      const { cfg } = needs();
      const order = await getOrder(pool, input.tenantId, input.orderId);
      const payment = order.payments.find((p) => p.method === order.payment_method) ?? order.payments[0];
      const dueAt = payment?.due_at ? Date.parse(payment.due_at) : null;
      return {
        status: order.status,
        paymentMethod: order.payment_method,
        email: order.email,
        cartId: order.cart_id,
        total: order.total,
        vendorIds: [...new Set(order.items.flatMap((i) => (i.vendor_id ? [i.vendor_id] : [])))].sort(),
        paymentDueInMs: dueAt === null ? null : Math.max(0, dueAt - Date.now()),
        received: payment?.received.amount ?? 0,
        shipmentIds: order.shipments.map((s) => s.id),
        subscriptionIds: order.payment_method === 'card' ? await subscriptionsOfOrder(pool, input.tenantId, input.orderId) : [],
        paymentReminderBeforeMs: cfg.PAYMENT_REMINDER_BEFORE,
        shipSlaMs: cfg.VENDOR_SHIP_SLA,
      };
    },

    /** Terminates those of the workflows still running; their state lives in the database, which the new run reads. */
    async takeOverWorkflows(input: { workflowIds: string[]; reason: string }): Promise<number> {
      const { client } = needs();
      let taken = 0;
      for (const id of input.workflowIds) {
        if ((await workflowStatus(client, id)) !== 'RUNNING') continue;
        await client.workflow
          .getHandle(id)
          .terminate(input.reason)
          .catch(() => undefined); // closed meanwhile
        taken++;
      }
      return taken;
    },

    /** Checks open orders past the grace period, oldest first, in bounded batches; resumes those without a live process. */
    async reconcileOrders(input: OrderReconcilerInput): Promise<ReconcileReport> {
      const { client } = needs();
      const taskQueue = Context.current().info.taskQueue;
      const report: ReconcileReport = { checked: 0, live: 0, repaired: 0, failed: 0 };
      let after: { createdAt: string; id: string } | undefined;
      for (let batch = 0; batch < input.maxBatches; batch++) {
        const orders = await openOrdersOlderThan(pool, { graceMs: input.graceMs, limit: input.batchSize, after, tenantIds: input.tenantIds });
        for (const o of orders) {
          Context.current().heartbeat(report);
          report.checked++;
          try {
            const ref = { tenantId: o.tenant_id, orderId: o.id, cartId: o.cart_id, status: o.status, paymentMethod: o.payment_method };
            const outcome = await repairOrderProcess(client, taskQueue, ref);
            if (outcome === 'resumed') {
              report.repaired++;
              opsMetrics.reconcilerRepairs.inc({ outcome: 'resumed' });
            } else if (outcome === 'live') report.live++;
          } catch (err) {
            // One order Temporal cannot answer for does not stop the pass; the next run tries it again.
            report.failed++;
            opsMetrics.reconcilerRepairs.inc({ outcome: 'failed' });
            Context.current().log.warn('order repair failed', { orderId: o.id, error: String(err) });
          }
        }
        if (orders.length < input.batchSize) break;
        const last = orders[orders.length - 1]!;
        after = { createdAt: last.cursor_at, id: last.id };
      }
      if (report.repaired || report.failed) Context.current().log.info('order reconciler pass', report);
      return report;
    },
  } satisfies RepairActivities;
}
