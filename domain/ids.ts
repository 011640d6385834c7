// Ids: opaque prefixed strings, and the deterministic workflow ids ops type into the Temporal UI.
import type { ShipmentFollower } from './order.ts';

/** Prefixes of the ids of each kind of record. */
export type IdPrefix =
  | 'pst'
  | 'ten'
  | 'str'
  | 'key'
  | 'loc'
  | 'cat'
  | 'prod'
  | 'var'
  | 'cart'
  | 'item'
  | 'hold'
  | 'ord'
  | 'oi'
  | 'pay'
  | 'shp'
  | 'ven'
  | 'evt'
  | 'sub'
  | 'chg'
  | 'rfd'
  | 'cus'
  | 'ctk'
  | 'adr'
  | 'pwr'
  | 'aud'
  | 'prm'
  | 'rdm'
  | 'shm'
  | 'bst'
  | 'gb'
  | 'gbp'
  | 'imp'
  | 'exp'
  | 'fil';

/** Builds an id from a prefix and a random UUID (pass the UUID in workflows: `uuid4()`). */
export function makeId(prefix: IdPrefix, uuid: string): string {
  return `${prefix}_${uuid.replaceAll('-', '')}`;
}

/** Workflow id of a cart's hold-expiry process. */
export function holdsWorkflowId(tenantId: string, cartId: string): string {
  return `holds:${tenantId}:${cartId}`;
}

/** Workflow id of a cart's checkout (the order's lifecycle once placed). */
export function checkoutWorkflowId(tenantId: string, cartId: string): string {
  return `checkout:${tenantId}:${cartId}`;
}

/** Workflow id of an order's bank-transfer confirmation. */
export function paymentWorkflowId(tenantId: string, orderId: string): string {
  return `payment:${tenantId}:${orderId}`;
}

/** Workflow id of an order's fulfillment. */
export function fulfillmentWorkflowId(tenantId: string, orderId: string): string {
  return `fulfillment:${tenantId}:${orderId}`;
}

/** Workflow id of one shipment's journey (one per vendor group of an order). */
export function shipmentWorkflowId(tenantId: string, shipmentId: string): string {
  return `shipment:${tenantId}:${shipmentId}`;
}

/** Workflow id that takes a shipment's ship and deliver updates, by the shipment row's `followed_by`. */
export function shipmentFollowerId(tenantId: string, shipment: { id: string; order_id: string; followed_by: ShipmentFollower }): string {
  return shipment.followed_by === 'fulfillment' ? fulfillmentWorkflowId(tenantId, shipment.order_id) : shipmentWorkflowId(tenantId, shipment.id);
}

/** Workflow id of a subscription's billing (renewals and dunning), one per subscription for its whole life. */
export function subscriptionWorkflowId(tenantId: string, subscriptionId: string): string {
  return `subscription:${tenantId}:${subscriptionId}`;
}

/** Workflow id of one refund of captured money. */
export function refundWorkflowId(tenantId: string, refundId: string): string {
  return `refund:${tenantId}:${refundId}`;
}

/** Id of the digital delivery of one order line: derived from the line, so issuing twice inserts nothing new. */
export function digitalDeliveryId(orderItemId: string): string {
  return `dl_${orderItemId.replace(/^oi_/, '')}`;
}

/** Id of the Temporal Schedule that sweeps expired holds. */
export const HOLD_SWEEPER_SCHEDULE_ID = 'hold-sweeper';

/** Workflow id of the run that resumes an order whose checkout was lost (terminated, reset away, or never restored). */
export function orderResumeWorkflowId(tenantId: string, orderId: string): string {
  return `order-resume:${tenantId}:${orderId}`;
}

/** Id of the Temporal Schedule that finds and repairs stranded orders. */
export const ORDER_RECONCILER_SCHEDULE_ID = 'order-reconciler';

/** Workflow id of the matching of one uploaded bank statement. */
export function bankStatementWorkflowId(tenantId: string, statementId: string): string {
  return `bankStatement:${tenantId}:${statementId}`;
}

/** Workflow id of a group-buy campaign (`groupbuy:<tenant>:<campaign>`). */
export function groupBuyWorkflowId(tenantId: string, groupBuyId: string): string {
  return `groupbuy:${tenantId}:${groupBuyId}`;
}

/** The cart, order and gateway keys of a participation all derive from its id, so a retried step finds what it made. */
export function participationIds(participationId: string): { cartId: string; itemId: string; orderId: string; authorizeKey: string; voidKey: string } {
  const core = participationId.replace(/^gbp_/, '');
  return {
    cartId: `cart_gb${core}`,
    itemId: `item_gb${core}`,
    orderId: `ord_gb${core}`,
    authorizeKey: `authorize:${participationId}`,
    voidKey: `void:${participationId}`,
  };
}

/** Workflow id of one product import (`import:<tenant>:<import>`). */
export function importWorkflowId(tenantId: string, importId: string): string {
  return `import:${tenantId}:${importId}`;
}
