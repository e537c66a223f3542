/**
 * Pieces every healthcare tool shares: input schemas, the privacy and emergency guards, and
 * the clinic-local time formatting used in everything the agent reads aloud.
 */
import { z } from 'zod';
import { ToolError, type ToolContext } from '../../src/toolkit/index.js';
import { clinicSettings, hasEmergencyTriage, isVerified, type ClinicSettings } from './repository.js';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD (rejects 2025-02-30). */
export function isCalendarDate(value: string): boolean {
  const m = DATE_ONLY.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

export const dateOnly = z.string().refine(isCalendarDate, { message: 'must be a real date written YYYY-MM-DD' });

const WEEKDAY_WORDS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const DAY_WORD = /^(today|tomorrow|(?:next |this )?(sunday|monday|tuesday|wednesday|thursday|friday|saturday))$/;

/** A day as the caller says it: YYYY-MM-DD, "today", "tomorrow", or a weekday name ("tuesday" = the next Tuesday). */
export const dayInput = z.string().trim().toLowerCase()
  .refine((v) => isCalendarDate(v) || DAY_WORD.test(v), { message: 'must be a real date YYYY-MM-DD, "today", "tomorrow" or a weekday name' })
  .describe('YYYY-MM-DD, or "today", "tomorrow", or a weekday name such as "tuesday" (the next Tuesday after today).');

/** The calendar date of a day input, given today's clinic-local date. Weekday names are always in the future (1-7 days). */
export function resolveDay(input: string, today: string): string {
  const v = input.trim().toLowerCase();
  if (isCalendarDate(v)) return v;
  if (v === 'today') return today;
  if (v === 'tomorrow') return addDays(today, 1);
  const m = DAY_WORD.exec(v);
  const target = WEEKDAY_WORDS.indexOf((m?.[2] ?? '') as (typeof WEEKDAY_WORDS)[number]);
  if (target < 0) throw new ToolError('INVALID_DATE', 'I did not understand that day. Ask for the date again.');
  const dow = new Date(`${today}T00:00:00Z`).getUTCDay();
  return addDays(today, ((target - dow + 7) % 7) || 7);
}

/** A clock time: "10:00", "14:30", "2:30 pm". */
export const timeInput = z.string().trim()
  .regex(/^([01]?\d|2[0-3]):([0-5]\d)(\s*[ap]\.?m\.?)?$/i, 'must be a time like 10:00, 14:30 or 2:30 pm')
  .describe('Clinic-local time, e.g. "10:00", "14:30" or "2:30 pm".');

/** "2:30 pm" → "14:30". */
export function parseTime(input: string): string {
  const m = /^(\d{1,2}):(\d{2})\s*([ap])?/i.exec(input.trim());
  if (!m) throw new ToolError('INVALID_TIME', 'I did not understand that time. Ask for it again.');
  let h = Number(m[1]);
  const suffix = m[3]?.toLowerCase();
  if (suffix && (h < 1 || h > 12)) throw new ToolError('INVALID_TIME', 'That time does not exist. Ask for it again.');
  if (suffix === 'p' && h < 12) h += 12;
  if (suffix === 'a' && h === 12) h = 0;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}
export const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number like +15551234567');
export const patientIdInput = z.number().int().positive().describe('The patientId returned by hc_verify_identity or hc_register_patient.');
export const instant = z.iso.datetime({ offset: true });
export const personName = z.string().trim().min(1).max(80);

/** Refuses unless this call verified the patient's name and date of birth (or registered them). */
export async function requireVerified(ctx: ToolContext, patientId: number): Promise<void> {
  if (!(await isVerified(ctx.db, ctx.callId, patientId))) {
    throw new ToolError(
      'IDENTITY_NOT_VERIFIED',
      "I can't share or change anything about a patient until I've verified their full name and date of birth with hc_verify_identity.",
    );
  }
}

/** After an emergency triage the only thing this call does is tell the caller to call emergency services. */
export async function refuseAfterEmergency(ctx: ToolContext): Promise<void> {
  if (await hasEmergencyTriage(ctx.db, ctx.callId)) {
    throw new ToolError(
      'EMERGENCY_DIRECTED',
      'This caller described a possible emergency. Do nothing else: tell them to hang up and call emergency services now.',
    );
  }
}

export async function settings(ctx: ToolContext): Promise<ClinicSettings> {
  const s = await clinicSettings(ctx.db);
  if (!s) throw new ToolError('CLINIC_NOT_CONFIGURED', 'The clinic details are not set up yet; please transfer the caller to the front desk.');
  return s;
}

export { spokenDateTime } from '../common/time.js';

export function spokenDate(date: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' })
    .format(new Date(`${date}T00:00:00Z`));
}

/** The clinic-local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** "12:30 PM" from a `time` column value like "12:30:00". */
export function spokenTime(time: string): string {
  const [h = 0, m = 0] = time.split(':').map(Number);
  const suffix = h >= 12 ? 'PM' : 'AM';
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}:${String(m).padStart(2, '0')} ${suffix}`;
}

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

export function dollars(cents: number | null): string | null {
  if (cents === null) return null;
  return cents % 100 === 0 ? `$${cents / 100}` : `$${(cents / 100).toFixed(2)}`;
}

/** "ending in 2201": enough for the caller to recognise their number, nothing more. */
export function phoneHint(phone: string | null): string | null {
  return phone ? `ending in ${phone.slice(-4)}` : null;
}
