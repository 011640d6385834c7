// The built-in test card gateway: behaves like a real one (idempotency keys, declines, timeouts) and keeps its own ledger.
import { randomUUID } from 'node:crypto';
import type { DatabasePool, DatabaseTransactionConnection } from 'slonik';
import {
  cardToken,
  countBillCharges,
  countCardPayments,
  countChildren,
  findByIdempotencyKey,
  findLedgerEntry,
  insertCard,
  insertLedgerEntry,
  ledgerEntries,
  lockCard,
  lockIdempotencyKey,
  lockLedgerEntry,
  sumChildren,
  type LedgerRow,
} from '../../db/queries/test-gateway.ts';
import { CardDeclinedError, ConflictError } from '../../domain/errors.ts';
import { GatewayUnavailableError, isHardDecline, type AuthorizeRequest, type Authorization, type Outcome, type PaymentProvider } from './types.ts';

/** The test tokens of API.md and how each card behaves. */
const TEST_CARD_TOKENS = [
  'tok_visa',
  'tok_declined',
  'tok_insufficient_funds',
  'tok_renewal_fails',
  'tok_recovers_after_2',
  'tok_flaky',
  'tok_capture_fails',
] as const;
type TestToken = (typeof TEST_CARD_TOKENS)[number];

type Operation = 'authorize' | 'capture' | 'void' | 'refund' | 'charge' | 'save_card';
type Decision = { outcome: 'succeeded' } | { outcome: 'declined'; declineCode: string };

/** A request that reuses an idempotency key with different parameters (a real gateway answers 400). */
class IdempotencyMismatchError extends ConflictError {}

/**
 * Test card gateway on its own tables (`test_gateway_cards`, `test_gateway_ledger`). `tok_flaky` records the
 * operation and then times out on the first network attempt of every call, so only an idempotent retry is safe.
 * `tok_capture_fails` authorizes, then refuses the first capture (`processing_error`, recorded under its key like any
 * answer, so only a request with a new key can capture).
 */
export class TestCardGateway implements PaymentProvider {
  readonly method = 'card' as const;
  readonly name = 'test card gateway';
  private readonly pool: DatabasePool;
  constructor(pool: DatabasePool) {
    this.pool = pool;
  }

  async authorize(req: AuthorizeRequest): Promise<Outcome<Authorization>> {
    const token = req.token ?? '';
    const { row, replay, flaky } = await this.record(
      req.idempotencyKey,
      'authorize',
      `${token}|${req.amount}|${req.currency}|${req.reference}`,
      async (tx) => {
        if (!isTestToken(token))
          return { decision: { outcome: 'declined', declineCode: 'invalid_token' }, amount: req.amount, currency: req.currency, reference: req.reference };
        const card = await this.newCard(tx, token);
        // Every card's first charge is decided by its token alone; later ones by the renewal rules.
        return { decision: firstChargeDecision(token), cardId: card, amount: req.amount, currency: req.currency, reference: req.reference };
      },
      isTestToken(token) && token === 'tok_flaky',
    );
    this.failFirstAttempt(flaky, replay, 'authorize');
    if (row.outcome === 'declined') return declined(row);
    return { outcome: 'succeeded', status: 'authorized', authorizationRef: row.id, cardRef: row.card_id ?? undefined };
  }

  async findAuthorization(idempotencyKey: string): Promise<{ authorizationRef: string } | null> {
    const row = await findByIdempotencyKey(this.pool, idempotencyKey);
    return row?.operation === 'authorize' && row.outcome === 'succeeded' ? { authorizationRef: row.id } : null;
  }

  async capture(req: { idempotencyKey: string; authorizationRef: string; amount: number }): Promise<{ ref: string }> {
    const { row, replay, flaky } = await this.onAuthorization(req.idempotencyKey, 'capture', req.authorizationRef, `${req.amount}`, async (tx, auth, token) => {
      const captured = await sumChildren(tx, auth.id, 'capture');
      if (await countChildren(tx, auth.id, 'void')) throw new ConflictError(`authorization ${auth.id} was voided`);
      if (captured + req.amount > auth.amount) throw new ConflictError(`capture of ${req.amount} exceeds the authorized ${auth.amount - captured}`);
      // tok_capture_fails: the processor refuses the first capture request; a later request (a new key) is approved.
      if (token === 'tok_capture_fails' && (await countChildren(tx, auth.id, 'capture', true)) === 0) return { declineCode: 'processing_error' };
      return req.amount;
    });
    this.failFirstAttempt(flaky, replay, 'capture');
    if (row.outcome === 'declined')
      throw new CardDeclinedError(`the gateway refused the capture (${row.decline_code ?? 'declined'})`, { decline_code: row.decline_code });
    return { ref: row.id };
  }

  async void(req: { idempotencyKey: string; authorizationRef: string }): Promise<{ ref: string }> {
    const { row, replay, flaky } = await this.onAuthorization(req.idempotencyKey, 'void', req.authorizationRef, '', async (tx, auth) => {
      if (await countChildren(tx, auth.id, 'capture')) throw new ConflictError(`authorization ${auth.id} was captured; refund it instead`);
      return 0;
    });
    this.failFirstAttempt(flaky, replay, 'void');
    return { ref: row.id };
  }

  async refund(req: { idempotencyKey: string; authorizationRef: string; amount: number }): Promise<{ ref: string }> {
    const { row, replay, flaky } = await this.onAuthorization(req.idempotencyKey, 'refund', req.authorizationRef, `${req.amount}`, async (tx, auth) => {
      const left = (await sumChildren(tx, auth.id, 'capture')) - (await sumChildren(tx, auth.id, 'refund'));
      if (req.amount > left) throw new ConflictError(`refund of ${req.amount} exceeds the ${left} captured and not yet refunded`);
      return req.amount;
    });
    this.failFirstAttempt(flaky, replay, 'refund');
    return { ref: row.id };
  }

  async charge(req: { idempotencyKey: string; cardRef: string; amount: number; currency: string; reference: string }): Promise<Outcome<{ ref: string }>> {
    const token = await this.cardToken(req.cardRef);
    const { row, replay, flaky } = await this.record(
      req.idempotencyKey,
      'charge',
      `${req.cardRef}|${req.amount}|${req.currency}|${req.reference}`,
      async (tx) => {
        await lockCard(tx, req.cardRef);
        const earlier = await countCardPayments(tx, req.cardRef);
        const attemptsOfThisBill = await countBillCharges(tx, req.cardRef, req.reference);
        const decision = earlier === 0 && isTestToken(token) ? firstChargeDecision(token) : laterChargeDecision(token, attemptsOfThisBill + 1);
        return { decision, cardId: req.cardRef, amount: req.amount, currency: req.currency, reference: req.reference };
      },
      token === 'tok_flaky',
    );
    this.failFirstAttempt(flaky, replay, 'charge');
    return row.outcome === 'declined' ? declined(row) : { outcome: 'succeeded', ref: row.id };
  }

  async saveCard(req: { idempotencyKey: string; token: string }): Promise<Outcome<{ cardRef: string }>> {
    const { row, replay, flaky } = await this.record(
      req.idempotencyKey,
      'save_card',
      req.token,
      async (tx) => {
        if (!isTestToken(req.token)) return { decision: { outcome: 'declined', declineCode: 'invalid_token' }, amount: 0 };
        const decision: Decision = req.token === 'tok_declined' ? { outcome: 'declined', declineCode: 'card_declined' } : { outcome: 'succeeded' };
        return { decision, cardId: decision.outcome === 'succeeded' ? await this.newCard(tx, req.token) : undefined, amount: 0 };
      },
      req.token === 'tok_flaky',
    );
    this.failFirstAttempt(flaky, replay, 'save_card');
    return row.outcome === 'declined' ? declined(row) : { outcome: 'succeeded', cardRef: row.card_id! };
  }

  /** The ledger rows of an operation kind, oldest first (what the gateway's dashboard would show). */
  async ledger(filter: { cardRef?: string; reference?: string } = {}): Promise<LedgerRow[]> {
    return ledgerEntries(this.pool, filter);
  }

  private async cardToken(cardRef: string): Promise<string> {
    const token = await cardToken(this.pool, cardRef);
    if (token === null) throw new ConflictError(`no such card ${cardRef}`);
    return token;
  }

  private async newCard(tx: DatabaseTransactionConnection, token: string): Promise<string> {
    const id = `card_${randomUUID().replaceAll('-', '')}`;
    await insertCard(tx, id, token);
    return id;
  }

  /** An operation on an authorization: locks it, applies the rule, records the amount. */
  private async onAuthorization(
    key: string,
    operation: Operation,
    authorizationRef: string,
    params: string,
    rule: (tx: DatabaseTransactionConnection, auth: LedgerRow, token: string) => Promise<number | { declineCode: string }>,
  ) {
    const auth = await findLedgerEntry(this.pool, authorizationRef);
    if (!auth || auth.operation !== 'authorize' || auth.outcome !== 'succeeded') throw new ConflictError(`no approved authorization ${authorizationRef}`);
    const token = auth.card_id ? await this.cardToken(auth.card_id) : '';
    return this.record(
      key,
      operation,
      `${auth.id}|${params}`,
      async (tx) => {
        await lockLedgerEntry(tx, auth.id);
        const ruled = await rule(tx, auth, token);
        const decision: Decision = typeof ruled === 'number' ? { outcome: 'succeeded' } : { outcome: 'declined', declineCode: ruled.declineCode };
        return { decision, cardId: auth.card_id ?? undefined, parentId: auth.id, amount: typeof ruled === 'number' ? ruled : 0 };
      },
      token === 'tok_flaky',
    );
  }

  /**
   * Records an operation once per idempotency key. A repeated key replays the stored result (a different
   * operation under the same key is refused); only a new key runs `decide`.
   */
  private async record(
    key: string,
    operation: Operation,
    params: string,
    decide: (
      tx: DatabaseTransactionConnection,
    ) => Promise<{ decision: Decision; cardId?: string; parentId?: string; amount: number; currency?: string; reference?: string }>,
    flakyCard: boolean,
  ): Promise<{ row: LedgerRow; replay: boolean; flaky: boolean }> {
    return this.pool.transaction(async (tx) => {
      // Serialises concurrent requests with one key (an activity retried while its first attempt still runs).
      await lockIdempotencyKey(tx, key);
      const fingerprint = `${operation}|${params}`;
      const existing = await findByIdempotencyKey(tx, key);
      if (existing) {
        if (existing.request_fingerprint !== fingerprint)
          throw new IdempotencyMismatchError(`idempotency key ${key} was already used for a different ${existing.operation} request`);
        const { request_fingerprint: _f, ...row } = existing;
        return { row, replay: true, flaky: flakyCard };
      }
      const d = await decide(tx);
      const row = await insertLedgerEntry(tx, {
        id: `gw_${randomUUID().replaceAll('-', '')}`,
        idempotencyKey: key,
        fingerprint,
        operation,
        cardId: d.cardId ?? null,
        parentId: d.parentId ?? null,
        reference: d.reference ?? null,
        amount: d.amount,
        currency: d.currency ?? null,
        outcome: d.decision.outcome,
        declineCode: d.decision.outcome === 'declined' ? d.decision.declineCode : null,
      });
      return { row, replay: false, flaky: flakyCard };
    });
  }

  /** `tok_flaky`: the first network attempt of every call is lost after the gateway has recorded it. */
  private failFirstAttempt(flaky: boolean, replay: boolean, operation: string): void {
    if (flaky && !replay)
      throw new GatewayUnavailableError(`test gateway: ${operation} timed out (tok_flaky); the operation was recorded, retry with the same idempotency key`);
  }
}

function isTestToken(token: string): token is TestToken {
  return (TEST_CARD_TOKENS as readonly string[]).includes(token);
}

function firstChargeDecision(token: TestToken): Decision {
  if (token === 'tok_declined') return { outcome: 'declined', declineCode: 'card_declined' };
  if (token === 'tok_insufficient_funds') return { outcome: 'declined', declineCode: 'insufficient_funds' };
  return { outcome: 'succeeded' };
}

function laterChargeDecision(token: string, attemptOfThisBill: number): Decision {
  if (token === 'tok_renewal_fails') return { outcome: 'declined', declineCode: 'insufficient_funds' };
  if (token === 'tok_recovers_after_2') return attemptOfThisBill <= 2 ? { outcome: 'declined', declineCode: 'insufficient_funds' } : { outcome: 'succeeded' };
  return isTestToken(token) ? firstChargeDecision(token) : { outcome: 'declined', declineCode: 'invalid_token' };
}

function declined(row: LedgerRow): { outcome: 'declined'; declineCode: string; hard: boolean; ref: string } {
  const code = row.decline_code ?? 'card_declined';
  return { outcome: 'declined', declineCode: code, hard: isHardDecline(code), ref: row.id };
}
