/** Date and time arguments: ISO strings, validated here so every tool refuses the same way. */
import { z } from 'zod';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:[zZ]|[+-]\d{2}(?::?\d{2})?)?$/;

export function isRealDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** A calendar date, YYYY-MM-DD. */
export const isoDate = z
  .string()
  .regex(DATE, 'must be a date as YYYY-MM-DD')
  .refine(isRealDate, 'is not a real calendar date')
  .describe('date as YYYY-MM-DD');

/** A date and time; with no offset it means the business's local time. */
export const isoDateTime = z
  .string()
  .regex(DATE_TIME, 'must be an ISO date-time like 2030-06-04T10:30')
  .refine((v) => isRealDate(v.slice(0, 10)) && !Number.isNaN(Date.parse(v.length === 16 ? `${v}:00Z` : v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))), 'is not a real date and time')
  .describe('local date and time as YYYY-MM-DDTHH:MM (24-hour), e.g. 2030-06-04T14:30');

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localDate(now: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** "$65" or "$65.50". */
export function priceText(cents: number): string {
  const dollars = cents / 100;
  return Number.isInteger(dollars) ? `$${dollars}` : `$${dollars.toFixed(2)}`;
}

/** "Tuesday, December 1 at 10:00 AM" in the given time zone, as the agent should say it. */
export function spokenDateTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone, weekday: 'long', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit',
  }).format(at);
}
