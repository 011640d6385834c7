// Money: integer minor units plus an ISO 4217 currency code. Never floats.

/** An amount of money in minor units. */
export type Money = { amount: number; currency: string };

/** Builds a money value, refusing non-integer or unsafe amounts. */
export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) throw new Error(`money amount must be a safe integer, got ${amount}`);
  return { amount, currency: currency.toUpperCase() };
}

/** Sums amounts of one currency. */
export function sumMoney(values: Money[], currency: string): Money {
  let total = 0;
  for (const v of values) {
    if (v.currency !== currency) throw new Error(`cannot add ${v.currency} to ${currency}`);
    total += v.amount;
  }
  return money(total, currency);
}

/** Multiplies a unit price by a quantity. */
export function times(unit: Money, quantity: number): Money {
  return money(unit.amount * quantity, unit.currency);
}

/** True when both values have the same currency and amount. */
export function sameMoney(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amount === b.amount;
}
