// Custom search attributes (DESIGN.md §4): ops find any order's workflows by these in the Temporal UI.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Tenant that owns the workflow. */
export const TenantIdKey = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
/** Order id (checkout once placed, payment, fulfillment). */
export const OrderIdKey = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
/** Cart id (holds, checkout). */
export const CartIdKey = defineSearchAttributeKey('CartId', SearchAttributeType.KEYWORD);
/** Customer e-mail given at checkout. */
export const CustomerEmailKey = defineSearchAttributeKey('CustomerEmail', SearchAttributeType.KEYWORD);
/** Order status, kept current by the order's workflows. */
export const OrderStatusKey = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
/** Payment method of the order. */
export const PaymentMethodKey = defineSearchAttributeKey('PaymentMethod', SearchAttributeType.KEYWORD);
/** Vendors whose items an order holds (mall mode). */
export const VendorIdsKey = defineSearchAttributeKey('VendorIds', SearchAttributeType.KEYWORD_LIST);

/** Name → type of every custom search attribute, as the CLI's `--search-attribute Name=Type` expects. */
export const SEARCH_ATTRIBUTE_TYPES: Record<string, 'Keyword' | 'KeywordList'> = {
  TenantId: 'Keyword',
  OrderId: 'Keyword',
  CartId: 'Keyword',
  CustomerEmail: 'Keyword',
  OrderStatus: 'Keyword',
  PaymentMethod: 'Keyword',
  VendorIds: 'KeywordList',
};
