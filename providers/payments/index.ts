// Chooses each payment method's provider from config.
import type { DatabasePool } from 'slonik';
import type { PaymentMethod } from '../../domain/order.ts';
import { BankTransferProvider, CashOnDeliveryProvider } from './offline-methods.ts';
import { TestCardGateway } from './test-gateway.ts';
import type { PaymentProvider, PaymentProviders } from './types.ts';

/** Card providers this build knows; only the test gateway can be reached from here. */
export const CARD_PROVIDERS = ['test'] as const;

/** Builds the providers: bank transfer and COD are built in, the card provider comes from `CARD_PAYMENT_PROVIDER`. */
export function createPaymentProviders({ pool, cardProvider }: { pool: DatabasePool; cardProvider: (typeof CARD_PROVIDERS)[number] }): PaymentProviders {
  // One entry today; a real gateway (Stripe, Adyen…) is another case here with its own idempotency handling.
  const card: PaymentProvider = { test: () => new TestCardGateway(pool) }[cardProvider]();
  const byMethod: Record<PaymentMethod, PaymentProvider> = { bank_transfer: new BankTransferProvider(), cod: new CashOnDeliveryProvider(), card };
  return { forMethod: (method) => byMethod[method] };
}
