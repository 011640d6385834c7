// Group buying (API.md "Group buying"): the campaign view, the workflow's input, join and status shapes.
import { z } from 'zod';
import { moneyView } from './views.ts';
import type { Money } from '../domain/money.ts';
import type { GroupBuyStatus } from '../domain/group-buys.ts';
import type { Address } from './workflows.ts';

/** A campaign as the API shows it; `participants` counts joins whose card is authorized (read from the database). */
export const groupBuyView = z.object({
  id: z.string(),
  status: z.enum(['open', 'succeeded', 'failed']),
  variant_id: z.string(),
  price: moneyView,
  min_participants: z.number(),
  max_participants: z.number().nullable(),
  ends_at: z.string(),
  participants: z.number(),
});
/** The type of one campaign view. */
export type GroupBuyView = z.infer<typeof groupBuyView>;

/** Input of the groupBuy workflow: the campaign's terms, fixed when it was created. */
export type GroupBuyInput = {
  tenantId: string;
  groupBuyId: string;
  variantId: string;
  price: Money;
  minParticipants: number;
  maxParticipants: number | null;
  /** The deadline (ISO); the workflow's timer runs until then. */
  endsAt: string;
};

/** Body of the join Update: the card token travels only in the (encrypted) history, never into the database. */
export type JoinGroupBuyArgs = { email: string; paymentToken: string; shippingAddress: Address };

/** What a join answers once the unit is held and the card authorized. */
export type JoinResult = { participationId: string; status: 'pending' };

/** The campaign as its workflow sees it (the status query). */
export type GroupBuyState = { status: GroupBuyStatus; participants: number; joining: number; orders: string[] };

/** How a campaign ended. */
export type GroupBuyOutcome = { status: 'succeeded' | 'failed'; participants: number; orderIds: string[] };
