// Whether an order's process is live in Temporal, and its repair: one resume run per order (shared by the API and the reconciler).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { checkoutWorkflowId, fulfillmentWorkflowId, orderResumeWorkflowId } from '../../domain/ids.ts';
import { needsAttention, type DescribedWorkflow } from '../../domain/repair.ts';
import type { OrderStatus, PaymentMethod } from '../../domain/order.ts';
import { orderSearchAttributes } from '../../contracts/search-attributes.ts';
import type { Actor } from '../../contracts/audit.ts';
import type { WorkflowSignatures } from '../../contracts/workflows.ts';

/** The order facts a repair needs. */
export type OrderRef = { tenantId: string; orderId: string; cartId: string; status: OrderStatus; paymentMethod: PaymentMethod };

/** What a repair found: a live process (nothing done), a resume run started (or joined), or an order already closed. */
export type RepairOutcome = 'live' | 'resumed' | 'closed';

/** The status name of a workflow, or null when Temporal has none by that id (other errors are thrown: no guessing). */
export async function workflowStatus(client: Client, workflowId: string): Promise<string | null> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

/** The order's resume run, as the admin order view lists it (it exists only once the order had to be resumed). */
export function resumeRunOf(tenantId: string, orderId: string): { id: string; type: string } {
  return { id: orderResumeWorkflowId(tenantId, orderId), type: 'orderResume' };
}

/** The workflow that takes an order's cancelOrder: its checkout, or its resume run once the checkout was lost and the order resumed. */
export async function orderDriverId(client: Client, tenantId: string, cartId: string, orderId?: string): Promise<string> {
  const checkout = checkoutWorkflowId(tenantId, cartId);
  if (!orderId || (await workflowStatus(client, checkout)) === 'RUNNING') return checkout;
  const resumed = orderResumeWorkflowId(tenantId, orderId);
  return (await workflowStatus(client, resumed)) === 'RUNNING' ? resumed : checkout;
}

/** The workflows that decide whether the order's process is live: its checkout, its resume run, its fulfillment. */
export async function processWorkflows(client: Client, ref: OrderRef): Promise<DescribedWorkflow[]> {
  const ids = [
    { type: 'checkout', id: checkoutWorkflowId(ref.tenantId, ref.cartId) },
    { type: 'orderResume', id: orderResumeWorkflowId(ref.tenantId, ref.orderId) },
    { type: 'fulfillment', id: fulfillmentWorkflowId(ref.tenantId, ref.orderId) },
  ];
  const described = await Promise.all(ids.map(async (w) => ({ type: w.type, status: await workflowStatus(client, w.id) })));
  return described.filter((w): w is DescribedWorkflow => w.status !== null);
}

/**
 * Repairs one order: when it is open and no process of it runs, starts `orderResume` (USE_EXISTING: a concurrent repair
 * joins the same run, never a second one). A live or closed order is left alone.
 */
export async function repairOrderProcess(client: Client, taskQueue: string, ref: OrderRef, actor?: Actor): Promise<RepairOutcome> {
  if (ref.status === 'completed' || ref.status === 'cancelled') return 'closed';
  if (!needsAttention(ref.status, await processWorkflows(client, ref))) return 'live';
  await client.workflow.start<WorkflowSignatures['orderResume']>('orderResume', {
    workflowId: orderResumeWorkflowId(ref.tenantId, ref.orderId),
    taskQueue,
    args: [{ tenantId: ref.tenantId, orderId: ref.orderId, ...(actor ? { actor } : {}) }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    typedSearchAttributes: orderSearchAttributes({ tenantId: ref.tenantId, orderId: ref.orderId, cartId: ref.cartId, paymentMethod: ref.paymentMethod }),
  });
  return 'resumed';
}
