/**
 * Small helpers of the real-estate tools: caller-given phone numbers and local dates, money in
 * words the voice model reads well, and the refusals they raise.
 */
import { z } from 'zod';
import { ToolError } from '../../src/toolkit/index.js';
import { isRealDate, normalizePhone } from '../common/index.js';

/** A caller's phone number as the model hears it: E.164, or a 10-digit North American number. */
export const phoneInput = z.string().min(7).max(24)
  .describe('Phone number in E.164 form like +15035550123 (a 10-digit US number is also accepted)');

/** Caller-given number → E.164, or the INVALID_PHONE refusal (shared rule of every vertical). */
export const normalisePhone = (raw: string): string => normalizePhone(raw);

export const localDateInput = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('Date as YYYY-MM-DD in the office\'s local time');
export const localDateTimeInput = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/)
  .describe('Local start time as YYYY-MM-DDTHH:MM (24-hour), exactly as returned by the slots tool');

/** Refuses dates that do not exist (February 30th) before they reach SQL. */
export function checkLocalDate(value: string): string {
  if (!isRealDate(value)) throw new ToolError('INVALID_DATE', `There is no such date as ${value}. Ask the caller for the date again.`);
  return value;
}

export function checkLocalDateTime(value: string): { date: string; time: string } {
  const [date, time] = value.split('T') as [string, string];
  checkLocalDate(date);
  const [h, min] = time.split(':').map(Number) as [number, number];
  if (h > 23 || min > 59) throw new ToolError('INVALID_TIME', `${time} is not a valid time. Ask the caller for the time again.`);
  return { date, time };
}

export const dollars = (cents: number | null | undefined): number | null => (cents == null ? null : Math.round(Number(cents) / 100));
export const toCents = (dollarsValue: number): number => Math.round(dollarsValue * 100);

export function money(cents: number | null | undefined): string | null {
  if (cents == null) return null;
  const value = Number(cents) / 100;
  return `$${value.toLocaleString('en-US', { maximumFractionDigits: value % 1 === 0 ? 0 : 2, minimumFractionDigits: 0 })}`;
}

/** Exclusion-constraint violation (a slot taken under our feet). */
export const isExclusionViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === '23P01';
