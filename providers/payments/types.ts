// The payment-provider plugin interface: every method of payment implements it; idempotency keys are the caller's.
import type { PaymentMethod } from '../../domain/order.ts';

/** Every call carries the caller's idempotency key: the same key never moves money twice. */
export type Idempotent = { idempotencyKey: string };

/** Authorizing an order's payment at checkout. `token` is the storefront's card token (cards only). */
export type AuthorizeRequest = Idempotent & { amount: number; currency: string; reference: string; token?: string; dueAt?: string | null };

/** A provider's answer to a money movement: done, or declined with the gateway's code. */
export type Outcome<T> = ({ outcome: 'succeeded' } & T) | { outcome: 'declined'; declineCode: string; hard: boolean; ref: string };

/** Result of an authorization: card money is reserved (`authorized`) or will arrive later (`pending`). */
export type Authorization = {
  status: 'authorized' | 'pending';
  authorizationRef?: string;
  /** A saved card the customer's later off-session charges (subscriptions) use. */
  cardRef?: string;
  instructions?: Record<string, unknown>;
};

/** One payment method's provider (bank transfer, cash on delivery, a card gateway). */
export interface PaymentProvider {
  readonly method: PaymentMethod;
  readonly name: string;
  authorize(req: AuthorizeRequest): Promise<Outcome<Authorization>>;
  /** Captures authorized money; a capture the gateway refuses throws CardDeclinedError (the payment is then recorded capture_failed). */
  capture(req: Idempotent & { authorizationRef: string; amount: number }): Promise<{ ref: string }>;
  void(req: Idempotent & { authorizationRef: string }): Promise<{ ref: string }>;
  /** The approved authorization an earlier request with this key made, if any (its answer may have been lost on the way back). */
  findAuthorization?(idempotencyKey: string): Promise<{ authorizationRef: string } | null>;
  refund(req: Idempotent & { authorizationRef: string; amount: number }): Promise<{ ref: string }>;
  /** Off-session charge of a saved card (subscription renewals); `reference` groups the attempts of one bill. */
  charge(req: Idempotent & { cardRef: string; amount: number; currency: string; reference: string }): Promise<Outcome<{ ref: string }>>;
  /** Saves a new card from a storefront token (a subscription's card update). */
  saveCard(req: Idempotent & { token: string }): Promise<Outcome<{ cardRef: string }>>;
}

/**
 * The provider could not be reached or did not answer in time. Not a business failure: the activity retry
 * policy retries it with the same idempotency key, so a call that did go through is not repeated.
 */
export class GatewayUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayUnavailableError';
  }
}

// Declines that no retry on the same card can turn into a payment (stolen, closed, unknown card).
const HARD_DECLINE_CODES = new Set(['card_declined', 'invalid_token', 'stolen_card', 'lost_card', 'expired_card']);

/** Whether a decline code is hard: never retried on the same card. */
export function isHardDecline(code: string): boolean {
  return HARD_DECLINE_CODES.has(code);
}

/** Providers by payment method, chosen by config. */
export type PaymentProviders = { forMethod(method: PaymentMethod): PaymentProvider };
