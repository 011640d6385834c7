// Response shapes of API.md built from the views of contracts/views.ts.
import type { OrderView, ShipmentView } from '../contracts/views.ts';

/** The order a storefront sees (no internal fields). */
export function storeOrder(o: OrderView) {
  const payment = o.payments[0];
  return {
    id: o.id,
    status: o.status,
    email: o.email,
    currency: o.currency,
    items: o.items,
    subtotal: o.subtotal,
    discount_total: o.discount_total,
    shipping_total: o.shipping_total,
    cod_fee: o.cod_fee,
    tax_total: o.tax_total,
    total: o.total,
    prices_include_tax: o.prices_include_tax,
    discounts: o.discounts,
    shipping_method_id: o.shipping_method_id,
    shipping_methods: o.shipping_methods,
    tax_breakdown: o.tax_breakdown,
    payment: payment && {
      method: payment.method,
      status: payment.status,
      amount: payment.amount,
      received: payment.received,
      refunded: payment.refunded,
      ...(payment.decline_code ? { decline_code: payment.decline_code } : {}),
      ...(o.payment_method === 'bank_transfer' && payment.status === 'pending'
        ? {
            instructions: {
              reference: o.id,
              amount: { amount: payment.amount.amount - payment.received.amount, currency: o.currency },
              due_at: payment.due_at,
              note: 'Transfer the exact amount and quote the reference.',
            },
          }
        : {}),
    },
    shipments: o.shipments.map((s) => ({
      id: s.id,
      status: s.status,
      carrier: s.carrier,
      tracking_number: s.tracking_number,
      shipped_at: s.shipped_at,
      delivered_at: s.delivered_at,
    })),
    created_at: o.created_at,
  };
}

/** The order the back office sees, with its workflows and a Temporal UI link. */
export function adminOrder(o: OrderView, workflows: { id: string; type: string; status?: string }[], uiBase: string, namespace: string) {
  const { access_token: _token, payments, ...rest } = o;
  return {
    ...rest,
    payment: storeOrder(o).payment,
    payments: payments.map((p) => ({
      id: p.id,
      method: p.method,
      status: p.status,
      amount: p.amount,
      received: p.received,
      refunded: p.refunded,
      decline_code: p.decline_code,
      capture_failed: p.capture_error !== null,
      capture_error: p.capture_error,
      due_at: p.due_at,
    })),
    workflows,
    temporal_ui_url: `${uiBase.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(`OrderId="${o.id}"`)}`,
  };
}

/** A shipment as the back office sees it. */
export function shipmentResponse(s: ShipmentView, currency: string) {
  return {
    id: s.id,
    order_id: s.order_id,
    vendor_id: s.vendor_id,
    status: s.status,
    carrier: s.carrier,
    tracking_number: s.tracking_number,
    cod_amount: s.cod_amount === null ? null : { amount: s.cod_amount, currency },
    cod_collected: s.cod_collected === null ? null : { amount: s.cod_collected, currency },
    shipped_at: s.shipped_at,
    delivered_at: s.delivered_at,
  };
}
