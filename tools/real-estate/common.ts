/**
 * Small helpers of the real-estate tools: caller-given phone numbers, money as the voice model
 * reads it well, and the refusals they raise. (Days and times: relativeDates.ts.)
 */
import { z } from 'zod';
import { ToolError } from '../../src/toolkit/index.js';
import { normalizePhone } from '../common/index.js';

/** A caller's phone number as the model hears it: E.164, or a 10-digit North American number. */
export const phoneInput = z.string().min(7).max(24)
  .describe('Phone number in E.164 form like +15035550123 (a 10-digit US number is also accepted)');

/** Caller-given number → E.164, or the INVALID_PHONE refusal (shared rule of every vertical). */
export const normalisePhone = (raw: string): string => normalizePhone(raw);

export const dollars = (cents: number | null | undefined): number | null => (cents == null ? null : Math.round(Number(cents) / 100));
export const toCents = (dollarsValue: number): number => Math.round(dollarsValue * 100);

export function money(cents: number | null | undefined): string | null {
  if (cents == null) return null;
  const value = Number(cents) / 100;
  return `$${value.toLocaleString('en-US', { maximumFractionDigits: value % 1 === 0 ? 0 : 2, minimumFractionDigits: 0 })}`;
}

/** Exclusion-constraint violation (a slot taken under our feet). */
