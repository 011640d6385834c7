// Request schemas of group buying (API.md "Group buying").
import { z } from 'zod';
import { MAX_GROUP_SIZE } from '../domain/group-buys.ts';
import { email, moneyInput, shippingAddress } from './schemas.ts';

const participants = z.number().int().min(1).max(MAX_GROUP_SIZE);

/** POST /admin/group-buys: `price` is what each participant pays (tax included, no shipping); money or minor units of the store's currency. */
export const createGroupBuyBody = z
  .object({
    variant_id: z.string().min(1).max(100),
    price: z.union([moneyInput.shape.amount, moneyInput]),
    min_participants: participants,
    max_participants: participants.optional(),
    ends_at: z.iso.datetime({ offset: true }),
  })
  .strict();

/** POST /store/group-buys/:id/join: one unit for this e-mail, held and authorized on the card until the campaign ends. */
export const joinGroupBuyBody = z
  .object({
    email,
    payment_token: z.string().trim().min(1).max(200),
    shipping_address: shippingAddress,
  })
  .strict();

/** What a join answers (201). */
export const joinGroupBuyResponse = z.object({ participation_id: z.string(), status: z.literal('pending') });
