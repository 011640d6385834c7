// The shapes of API answers the screens read (API.md); only the fields shown.
import type { Money } from './i18n/index.ts';

export type Shipment = {
  id: string;
  vendor_id: string | null;
  status: string;
  carrier: string | null;
  tracking_number: string | null;
  cod_amount: Money | null;
  shipped_at: string | null;
  delivered_at: string | null;
};
export type Payment = { id: string; method: string; status: string; amount: Money; received: Money; refunded: Money; due_at: string | null };
export type TimelineEntry = { at: string; event: string; actor: { key_id: string; role: string } | null; details: Record<string, unknown> };
export type Order = {
  id: string;
  status: string;
  email: string;
  currency: string;
  payment_method: string;
  created_at: string;
  items: { id: string; sku: string; title: string; quantity: number; unit_price: Money; total: Money }[];
  subtotal: Money;
  discount_total: Money;
  shipping_total: Money;
  cod_fee: Money;
  tax_total: Money;
  total: Money;
  payments: Payment[];
  shipments: Shipment[];
  workflows: { id: string; type: string; status?: string }[];
  temporal_ui_url: string;
  needs_attention?: boolean;
  timeline?: TimelineEntry[];
};
export type Product = {
  id: string;
  title: string;
  description: string;
  status: string;
  variants: { id: string; sku: string; title: string; price: Money | null; available_quantity: number; is_hot: boolean }[];
};
export type Location = { id: string; code: string; name: string; is_default: boolean };
export type InventoryLevel = { variant_id: string; location_id: string; on_hand: number; reserved: number; available: number };
export type Subscription = {
  id: string;
  status: string;
  customer_email: string;
  order_id: string;
  amount: Money;
  current_period_end: string;
  next_attempt_at: string | null;
  charges?: { id: string; period: number; attempt: number; status: string; amount: Money; created_at: string }[];
};
export type Webhook = { id: string; url: string; events: string[] };
export type Delivery = {
  event_id: string;
  event_type: string;
  attempts: number;
  last_status: number | null;
  status: string;
  created_at: string;
  gave_up_at: string | null;
};
