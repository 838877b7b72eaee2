import { en, Messages } from './en';

export type MessageKey = keyof Messages;

const catalogues: Record<string, Messages> = { en };
let current: Messages = en;

/** The console's strings, in one place per language (English for now; a catalogue per language adds one). */
export function setLanguage(language: string): void {
  current = catalogues[language] ?? en;
}

/** The message `key`, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return current[key].replace(/\{(\w+)\}/g, (_, name: string) => (name in vars ? String(vars[name]) : `{${name}}`));
}

const numberFormat = new Intl.NumberFormat('en');
export const formatNumber = (n: number): string => numberFormat.format(n);

export function formatDate(value: string | null | undefined): string {
  if (!value) return t('common.none');
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

/** An amount in a currency's minor units (Stripe's), as money: 499900 INR is ₹4,999.00. */
/** Digits after the decimal point of a currency (2 for INR, USD, CAD; 0 for JPY). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** An amount in a currency's minor unit (paise, cents), as money. */
export function formatMoney(minor: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(minor / 10 ** minorDigits(currency));
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
