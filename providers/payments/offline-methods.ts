// Bank transfer and cash on delivery behind the provider interface: money arrives outside any gateway.
import { ConflictError, ValidationError } from '../../domain/errors.ts';
import type { AuthorizeRequest, Authorization, Outcome, PaymentProvider } from './types.ts';

/** Methods whose money is received by people (back office, couriers), so no gateway call moves it. */
abstract class OfflineProvider implements PaymentProvider {
  abstract readonly method: 'bank_transfer' | 'cod';
  abstract readonly name: string;
  abstract authorize(req: AuthorizeRequest): Promise<Outcome<Authorization>>;
  async capture(): Promise<{ ref: string }> {
    throw new ConflictError(`${this.name} money is recorded when it is received, not captured from a gateway`);
  }
  async void(req: { idempotencyKey: string }): Promise<{ ref: string }> {
    // Nothing was taken, so there is nothing to release.
    return { ref: `${this.method}:void:${req.idempotencyKey}` };
  }
  async refund(): Promise<{ ref: string }> {
    throw new ConflictError(`${this.name} money is paid back by hand; record the transfer in your bank`);
  }
  async charge(): Promise<Outcome<{ ref: string }>> {
    throw new ValidationError(`${this.name} cannot be charged off-session; subscriptions need a card`);
  }
  async saveCard(): Promise<Outcome<{ cardRef: string }>> {
    throw new ValidationError(`${this.name} has no cards to save`);
  }
}

/** Bank transfer: the order waits for the customer's transfer; authorize returns the instructions. */
export class BankTransferProvider extends OfflineProvider {
  readonly method = 'bank_transfer' as const;
  readonly name = 'bank transfer';
  async authorize(req: AuthorizeRequest): Promise<Outcome<Authorization>> {
    return {
      outcome: 'succeeded',
      status: 'pending',
      instructions: {
        reference: req.reference,
        amount: { amount: req.amount, currency: req.currency },
        due_at: req.dueAt ?? null,
        note: 'Transfer the exact amount and quote the reference.',
      },
    };
  }
}

/** Cash on delivery: the courier collects the cash; delivery records it. */
export class CashOnDeliveryProvider extends OfflineProvider {
  readonly method = 'cod' as const;
  readonly name = 'cash on delivery';
  async authorize(): Promise<Outcome<Authorization>> {
    return { outcome: 'succeeded', status: 'pending' };
  }
}
