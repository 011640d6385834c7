// Domain errors: each has a stable `code` that clients see; HTTP mapping lives in api/errors.ts only.

/** Base class of every business error the product raises on purpose. */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;
  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** A resource does not exist for this tenant (also another tenant's resources). */
export class NotFoundError extends DomainError {
  constructor(what: string, id?: string) {
    super('not_found', id ? `${what} ${id} was not found` : `${what} was not found`);
  }
}

/** The resource is in a state that does not allow the operation (already paid, converted, shipped…). */
export class ConflictError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('conflict', message, details);
  }
}

/** Not enough available stock to hold or allocate. */
export class InsufficientStockError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('insufficient_stock', message, details);
  }
}

/** A payment or cash amount does not match what is owed (currency, over-payment, COD amount). */
export class AmountMismatchError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('amount_mismatch', message, details);
  }
}

/** A request is well-formed JSON but violates a business rule about its fields. */
export class ValidationError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('validation_failed', message, details);
  }
}

/** No or unknown credentials. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'missing or invalid credentials') {
    super('unauthenticated', message);
  }
}

/** Valid credentials that may not reach this resource. */
export class ForbiddenError extends DomainError {
  constructor(message = 'these credentials may not perform this operation') {
    super('forbidden', message);
  }
}

/** The card was declined by the gateway (hard declines are never retried; soft ones may succeed later). */
export class CardDeclinedError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('card_declined', message, details);
  }
}

/** Checkout's `expected_total` differs from what the cart costs now; `details.cart` is the re-priced cart. */
export class PriceChangedError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('price_changed', message, details);
  }
}

/** Why a discount code cannot apply: `details.reason` is one of DISCOUNT_REFUSALS (unknown, expired, …). */
export class DiscountInvalidError extends DomainError {
  constructor(message: string, details: { reason: string; code?: string } & Record<string, unknown>) {
    super('discount_invalid', message, details);
  }
}

/** Too many requests for a key in the current window; the HTTP edge adds `Retry-After`. */
export class RateLimitedError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('rate_limited', message, details);
  }
}

/** A dependency is down or a process could not answer in time: nothing failed for good, the same request may be retried. */
export class UnavailableError extends DomainError {
  /** Seconds the client should wait before retrying (the `Retry-After` header). */
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 5) {
    super('unavailable', message, { retry_after: retryAfterSeconds });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Something that existed is gone for good: a download link expired, used up, superseded or revoked (410). */
export class GoneError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('gone', message, details);
  }
}

/** A request body above its limit (413); nothing of it is kept. */
export class PayloadTooLargeError extends DomainError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('payload_too_large', message, details);
  }
}

/** ApplicationFailure type of a programming error inside an activity (not a business outcome, never retried). */
export const INTERNAL_FAILURE_TYPE = 'internal_error';

const BY_CODE: Record<string, (message: string, details?: Record<string, unknown>) => DomainError> = {
  not_found: (m) => Object.assign(new NotFoundError('resource'), { message: m }),
  conflict: (m, d) => new ConflictError(m, d),
  insufficient_stock: (m, d) => new InsufficientStockError(m, d),
  amount_mismatch: (m, d) => new AmountMismatchError(m, d),
  validation_failed: (m, d) => new ValidationError(m, d),
  card_declined: (m, d) => new CardDeclinedError(m, d),
  price_changed: (m, d) => new PriceChangedError(m, d),
  discount_invalid: (m, d) => new DiscountInvalidError(m, { reason: 'unknown', ...d }),
  unavailable: (m) => new UnavailableError(m),
};

/** Rebuilds a domain error from its code (used when an error crossed Temporal as an ApplicationFailure type). */
export function domainErrorFromCode(code: string, message: string, details?: Record<string, unknown>): DomainError | undefined {
  return BY_CODE[code]?.(message, details);
}
