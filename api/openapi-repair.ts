// /openapi.json: the back office's order view with its workflows and needs_attention, and the repair of a lost order's process.
import { z } from 'zod';
import { orderView } from '../contracts/views.ts';
import { downloadView } from '../contracts/digital.ts';
import { timelineEntryView } from '../contracts/order-timeline.ts';
import type { Op } from './openapi-operation.ts';

/** The back office's order: its workflows, where to find them, and whether its process was lost (API.md "Operations: repair"). */
export const adminOrderView = orderView.extend({
  workflows: z.array(z.object({ id: z.string(), type: z.string(), status: z.string() })),
  temporal_ui_url: z.string(),
  needs_attention: z.boolean(),
  downloads: z.array(downloadView),
  timeline: z.array(timelineEntryView),
});

/** POST /admin/orders/{id}/resume. */
export const REPAIR_OPERATIONS: Op[] = [
  {
    method: 'post',
    path: '/admin/orders/{id}/resume',
    summary: 'Resume an order whose process was lost (no-op while it runs; 409 once the order is closed)',
    auth: 'admin',
    response: adminOrderView,
  },
];
