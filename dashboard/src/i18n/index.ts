// Copy lookup and browser-locale formatting. Strings come from one catalogue per language; money and dates follow the
// browser's locale (Intl), whatever language the copy is in.
import { en, type MessageKey, type Messages } from './en.ts';

// Add a language by adding its catalogue here (e.g. `ja: ja` from ./ja.ts, typed `satisfies Messages`).
const CATALOGUES: Record<string, Messages> = { en };

const language = (navigator.languages ?? [navigator.language]).map((l) => l.slice(0, 2)).find((l) => l in CATALOGUES) ?? 'en';
const messages: Messages = CATALOGUES[language];

/** The language of the copy, for `<html lang>`. */
export const copyLanguage = language;

/** The text of `key`, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return messages[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

/** A status or method code in words; the code itself when the catalogue has no entry. */
export function label(prefix: 'status' | 'method', code: string): string {
  const key = `${prefix}.${code}` as MessageKey;
  return key in messages ? messages[key] : code;
}

/** Money in minor units as the browser's locale writes it (JPY without decimals, USD with two). */
export type Money = { amount: number; currency: string };

/** How many decimals a currency's minor unit has (JPY 0, USD 2), from Intl. */
export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Formats money for display. */
export function formatMoney(m: Money | null | undefined): string {
  if (!m) return '—';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currency }).format(m.amount / 10 ** currencyDigits(m.currency));
}

/** Money as a form field shows it: in major units with the currency's decimals ("1800" for JPY, "18.00" for USD). */
export function moneyInputValue(m: Money): string {
  return (m.amount / 10 ** currencyDigits(m.currency)).toFixed(currencyDigits(m.currency));
}

/** A form field's major-unit text as minor units; null when it is not a number with at most the currency's decimals. */
export function parseMoneyInput(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const pattern = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`);
  const trimmed = text.trim();
  if (!pattern.test(trimmed)) return null;
  return Math.round(Number(trimmed) * 10 ** digits);
}

/** A timestamp in the browser's locale and time zone. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}
