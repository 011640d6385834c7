// Custom search attributes (DESIGN.md §4): ops find any order's workflows by these in the Temporal UI.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { OrderStatus, PaymentMethod } from '../domain/order.ts';

/** Tenant that owns the workflow. */
export const TenantIdKey = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
/** Order id (checkout once placed, payment, fulfillment). */
export const OrderIdKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
/** Cart id (holds, checkout). */
export const CartIdKey = defineSearchAttributeKey('CartId', SearchAttributeType.KEYWORD);
/** Customer e-mail given at checkout. */
export const CustomerEmailKey = defineSearchAttributeKey('CustomerEmail', SearchAttributeType.KEYWORD);
/** Storefront customer who checked out signed in (absent for guests): ops find all of a customer's processes by it. */
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
/** Order status, kept current by the order's workflows. */
export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
/** Payment method of the order. */
export const PaymentMethodKey = defineSearchAttributeKey('PaymentMethod', SearchAttributeType.KEYWORD);
/** Vendors whose items an order holds (mall mode). */
export const VendorIdsKey = defineSearchAttributeKey('VendorIds', SearchAttributeType.KEYWORD_LIST);

/** Group-buy campaign (its workflow, and the orders it placed). */
export const GroupBuyIdKey = defineSearchAttributeKey('GroupBuyId', SearchAttributeType.KEYWORD);

/** Name → type of every custom search attribute, as the CLI's `--search-attribute Name=Type` expects. */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword' | 'KeywordList'> = {
  TenantId: 'Keyword',
  OrderId: 'Keyword',
  CartId: 'Keyword',
  CustomerEmail: 'Keyword',
  CustomerId: 'Keyword',
  OrderStatus: 'Keyword',
  PaymentMethod: 'Keyword',
  VendorIds: 'KeywordList',
  GroupBuyId: 'Keyword',
};

/** What an order's workflow is found by; fields left out are not set. */
export type OrderAttributes = {
  tenantId?: string;
  orderId?: string;
  cartId?: string;
  email?: string;
  customerId?: string;
  paymentMethod?: PaymentMethod;
  status?: OrderStatus;
  vendorIds?: string[] | null;
};

/** The search attributes of an order's workflow, always in the same order; VendorIds only when there are vendors (mall mode). */
export function orderSearchAttributes(a: OrderAttributes): SearchAttributePair[] {
  const pairs: SearchAttributePair[] = [];
  if (a.tenantId !== undefined) pairs.push({ key: TenantIdKey, value: a.tenantId });
  if (a.orderId !== undefined) pairs.push({ key: OrderIdKey, value: a.orderId });
  if (a.cartId !== undefined) pairs.push({ key: CartIdKey, value: a.cartId });
  if (a.email !== undefined) pairs.push({ key: CustomerEmailKey, value: a.email });
  if (a.customerId !== undefined) pairs.push({ key: CustomerIdKey, value: a.customerId });
  if (a.paymentMethod !== undefined) pairs.push({ key: PaymentMethodKey, value: a.paymentMethod });
  if (a.vendorIds?.length) pairs.push({ key: VendorIdsKey, value: a.vendorIds });
  if (a.status !== undefined) pairs.push({ key: OrderStatusKey, value: a.status });
  return pairs;
}
