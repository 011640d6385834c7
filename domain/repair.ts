// When an open order's process counts as lost, and what repairing it means (pure rules shared by the API and the reconciler).
import type { OrderStatus, PaymentMethod } from './order.ts';

/** An order's workflow as Temporal describes it (status: WorkflowExecutionStatus name, e.g. RUNNING, TERMINATED). */
export type DescribedWorkflow = { type: string; status: string };

/** Workflow types that drive an order from step to step: the checkout, or the run that resumed it. */
const DRIVERS: readonly string[] = ['checkout', 'orderResume'];

const isOpen = (status: OrderStatus) => status !== 'completed' && status !== 'cancelled';
const shippedSome = (status: OrderStatus) => status === 'partially_shipped' || status === 'shipped';

/**
 * True when an open order has no live process: neither its checkout nor a resume run is running. Once something has
 * shipped, a fulfillment left running on its own (abandoned by its checkout) is enough: it drives the order to
 * completion and nothing else may happen to it. Before that the order may still be cancelled, which needs a driver to
 * answer the back office, so the order is resumed (the resume run follows that fulfillment).
 */
export function needsAttention(status: OrderStatus, workflows: DescribedWorkflow[]): boolean {
  if (!isOpen(status)) return false;
  const running = (type: string) => workflows.some((w) => w.type === type && w.status === 'RUNNING');
  if (DRIVERS.some(running)) return false;
  return !(shippedSome(status) && running('fulfillment'));
}

/** What a resume run does for an order, decided from the database alone. */
export type ResumeStep = 'await_payment' | 'fulfil' | 'cancel' | 'nothing';

/**
 * The step an order resumes at. A bank transfer waits for its payment again (its deadline kept); a paid or COD order is
 * fulfilled (open shipments keep their state). A card order still `pending_payment` cannot resume: whether the gateway
 * authorized it is unknown once its checkout is gone, so it is cancelled (and any authorization voided).
 */
export function resumeStep(status: OrderStatus, method: PaymentMethod): ResumeStep {
  if (!isOpen(status)) return 'nothing';
  if (status === 'pending_payment') return method === 'bank_transfer' ? 'await_payment' : 'cancel';
  return 'fulfil';
}

/** The reason written on an order the reconciler had to cancel. */
export const PROCESS_LOST_REASON = 'reconciled: process lost';
