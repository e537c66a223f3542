/**
 * Days as callers say them. A date argument may be ISO (2030-06-04) or a word the business
 * resolves in its own time zone: "today", "tomorrow", or a weekday name ("tuesday", "next
 * tuesday": its next occurrence after today). Resolving words here, not in the model, removes
 * a whole class of wrong-date bookings. Shared by the real-estate, after-hours and sales tools.
 */
import { z } from 'zod';
import { ToolError } from '../../src/toolkit/index.js';
import { isRealDate, localDate } from '../common/index.js';

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

export const dayInput = z.string().min(3).max(30)
  .describe('The day: YYYY-MM-DD, or "today", "tomorrow", or a weekday name such as "tuesday" (its next occurrence after today)');
export const dayTimeInput = z.string().min(8).max(40)
  .describe('Local start as YYYY-MM-DDTHH:MM (24-hour), exactly as a slots tool returned it; "tomorrow 14:00" or "tuesday 10:30" also work');

export function plusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** ISO weekday of a YYYY-MM-DD date, 1 = Monday. */
export function isoWeekday(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

/** The YYYY-MM-DD a caller's day means at `now` in `timezone`, or an INVALID_DATE refusal. */
export function resolveDay(text: string, now: Date, timezone: string): string {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    if (!isRealDate(t)) throw new ToolError('INVALID_DATE', `There is no such date as ${text.trim()}. Ask the caller for the date again.`);
    return t;
  }
  const today = localDate(now, timezone);
  if (t === 'today') return today;
  if (t === 'tomorrow') return plusDays(today, 1);
  const m = /^(?:next |this |on )?([a-z]+)$/.exec(t);
  const index = m ? WEEKDAYS.indexOf(m[1] as (typeof WEEKDAYS)[number]) : -1;
  if (index >= 0) {
    const delta = ((index + 1 - isoWeekday(today)) + 7) % 7 || 7;
    return plusDays(today, delta);
  }
  throw new ToolError('INVALID_DATE', `"${text.trim()}" is not a date I can use. Ask the caller which day, then pass it as YYYY-MM-DD.`);
}

/** A caller's day and time as local 'YYYY-MM-DDTHH:MM', or an INVALID_DATE / INVALID_TIME refusal. */
export function resolveDayTime(text: string, now: Date, timezone: string): { date: string; time: string; local: string } {
  const t = text.trim();
  const m = /^(.+?)(?:T|\s+(?:at\s+)?)(\d{1,2}):(\d{2})$/i.exec(t);
  if (!m) throw new ToolError('INVALID_TIME', `"${t}" is not a start time I can use. Pass the day and time as YYYY-MM-DDTHH:MM.`);
  const hour = Number(m[2]);
  const minute = Number(m[3]);
  if (hour > 23 || minute > 59) throw new ToolError('INVALID_TIME', `${m[2]}:${m[3]} is not a valid time. Ask the caller for the time again.`);
  const date = resolveDay(m[1]!, now, timezone);
  const time = `${String(hour).padStart(2, '0')}:${m[3]}`;
  return { date, time, local: `${date}T${time}` };
}
