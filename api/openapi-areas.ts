// The operations of each business area, described beside its routes; api/openapi.ts adds the core ones.
import { CUSTOMER_OPERATIONS } from './openapi-customers.ts';
import { PROMOTION_OPERATIONS } from './openapi-promotions.ts';
import { BANK_STATEMENT_OPERATIONS } from './openapi-bank-statements.ts';
import { GROUP_BUY_OPERATIONS } from './openapi-group-buys.ts';
import { BULK_OPERATIONS } from './openapi-bulk.ts';
import { SHIPPING_OPERATIONS } from './openapi-shipping.ts';
import { STEP_RETRY_OPERATIONS } from './openapi-step-retries.ts';
import { VENDOR_OPERATIONS } from './openapi-vendors.ts';
import { DIGITAL_OPERATIONS } from './openapi-digital.ts';
import { REPAIR_OPERATIONS } from './openapi-repair.ts';
import type { Op } from './openapi-operation.ts';

/** Every area's operations, in the order the document lists them. */
export const AREA_OPERATIONS: Op[] = [
  ...CUSTOMER_OPERATIONS,
  ...PROMOTION_OPERATIONS,
  ...BANK_STATEMENT_OPERATIONS,
  ...GROUP_BUY_OPERATIONS,
  ...SHIPPING_OPERATIONS,
  ...STEP_RETRY_OPERATIONS,
  ...VENDOR_OPERATIONS,
  ...REPAIR_OPERATIONS,
  ...BULK_OPERATIONS,
  ...DIGITAL_OPERATIONS,
];
