// One entry of an order's timeline (GET /admin/orders/:id `timeline`): what happened, when, and who did it when known.
import { z } from 'zod';

/** Events a timeline shows, oldest first. */
export const TIMELINE_EVENTS = ['placed', 'reminded', 'paid', 'shipped', 'delivered', 'refunded', 'cancelled', 'completed'] as const;

/** A timeline entry: `actor` is the staff key that acted (null: the customer, a vendor's workflow or the system). */
export const timelineEntryView = z.object({
  at: z.string(),
  event: z.enum(TIMELINE_EVENTS),
  actor: z.object({ key_id: z.string(), role: z.string() }).nullable(),
  details: z.record(z.string(), z.unknown()),
});

/** The type of one timeline entry. */
export type TimelineEntry = z.infer<typeof timelineEntryView>;
