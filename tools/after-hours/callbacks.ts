/** Messages for the office and callbacks booked into the office's next open hours. */
import { z } from 'zod';
import { defineTool, isExclusionViolation, ToolError, type Queryable } from '../../src/toolkit/index.js';
import { dayInput, dayTimeInput, plusDays, resolveDay, resolveDayTime } from '../real-estate/relativeDates.js';
import { lastFour, normalisePhone, phoneInput, requireBusiness } from './common.js';
import { clockAt, insertMessage, type Business } from './repository.js';

/** A callback is never booked closer than this to now. */
const CALLBACK_NOTICE_MINUTES = 30;
const MAX_SLOTS_LISTED = 6;

export const ahTakeMessage = defineTool({
  name: 'ah_take_message',
  description: 'Leaves a message for a team at the office (office, billing, scheduling, technician, manager). Read back the caller\'s name, callback number and the message first. Not for emergencies: urgent problems go to triage and on-call paging.',
  input: z.object({
    callerName: z.string().min(2).max(100),
    callbackNumber: phoneInput,
    forTeam: z.enum(['office', 'billing', 'scheduling', 'technician', 'manager']),
    urgency: z.enum(['normal', 'high']).optional().describe('high only when the caller needs an answer first thing'),
    subject: z.string().min(2).max(120).describe('A few words'),
    message: z.string().min(3).max(1000).describe('The message in the caller\'s words'),
  }),
  output: z.object({ messageId: z.number(), forTeam: z.string(), callbackNumber: z.string(), expectCallFrom: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    await requireBusiness(ctx.db);
    const callbackNumber = normalisePhone(input.callbackNumber);
    const messageId = await insertMessage(ctx.db, {
      callId: ctx.callId, callerName: input.callerName.trim(), callbackNumber, forTeam: input.forTeam,
      urgency: input.urgency ?? 'normal', subject: input.subject.trim(), body: input.message.trim(),
    });
    const clock = await clockAt(ctx.db, ctx.services.now());
    return {
      messageId, forTeam: input.forTeam, callbackNumber: lastFour(callbackNumber),
      expectCallFrom: clock.open ? 'the office, today' : `the office, after it opens ${clock.nextOpening ?? 'next business day'}`,
    };
  },
});

interface CallbackSlot { local: string; label: string; startsAt: Date; taken: boolean }

async function callbackSlots(db: Queryable, date: string, now: Date): Promise<CallbackSlot[]> {
  const { rows } = await db.query<{ local: string; label: string; starts_at: unknown; taken: boolean }>(
    `WITH b AS (SELECT timezone AS tz, make_interval(mins => callback_slot_minutes) AS len FROM business WHERE id),
          h AS (SELECT opens, closes FROM hours WHERE weekday = extract(isodow FROM $1::date)),
          s AS (SELECT g AS l, (g AT TIME ZONE b.tz) AS starts_at, ((g + b.len) AT TIME ZONE b.tz) AS ends_at
                  FROM b, h, generate_series($1::date + h.opens, $1::date + h.closes - b.len, b.len) AS g)
     SELECT to_char(s.l, 'YYYY-MM-DD"T"HH24:MI') AS local, to_char(s.l, 'FMHH12:MI AM') AS label, s.starts_at,
            EXISTS (SELECT 1 FROM callbacks c WHERE c.status = 'scheduled'
                      AND tstzrange(c.starts_at, c.ends_at) && tstzrange(s.starts_at, s.ends_at)) AS taken
       FROM s WHERE s.starts_at >= $2::timestamptz + make_interval(mins => $3) ORDER BY s.l`,
    [date, now.toISOString(), CALLBACK_NOTICE_MINUTES],
  );
  return rows.map((r) => ({ local: r.local, label: r.label, startsAt: r.starts_at instanceof Date ? r.starts_at : new Date(String(r.starts_at)), taken: Boolean(r.taken) }));
}

async function dayLabel(db: Queryable, date: string): Promise<string> {
  const { rows } = await db.query<{ label: string }>(`SELECT to_char($1::date, 'FMDay, FMMonth FMDD') AS label`, [date]);
  return rows[0]?.label ?? date;
}

function checkHorizon(business: Business, today: string, date: string): void {
  if (date < today) throw new ToolError('DATE_IN_PAST', 'That day has already passed. Ask the caller for a day from today onwards.');
  if (date > plusDays(today, business.callbackHorizonDays)) {
    throw new ToolError('TOO_FAR_AHEAD', `Callbacks can be booked up to ${business.callbackHorizonDays} days ahead. Ask for an earlier day.`);
  }
}

const slotOut = z.object({ startsAt: z.string(), time: z.string() });

export const ahFindCallbackSlots = defineTool({
  name: 'ah_find_callback_slots',
  description: 'Free times when the office can call the caller back, during office hours. Without a day, returns the first day with free times. If the asked day is closed or full, also returns the next day that has times.',
  input: z.object({ date: dayInput.optional() }),
  output: z.object({
    date: z.string(),
    day: z.string(),
    slots: z.array(slotOut),
    nextAvailable: z.object({ date: z.string(), day: z.string(), firstTimes: z.array(slotOut) }).nullable(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const business = await requireBusiness(ctx.db);
    const now = ctx.services.now();
    const today = (await clockAt(ctx.db, now)).date;
    const date = input.date ? resolveDay(input.date, now, business.timezone) : today;
    checkHorizon(business, today, date);
    const toOut = (s: CallbackSlot) => ({ startsAt: s.local, time: s.label });
    const free = (await callbackSlots(ctx.db, date, now)).filter((s) => !s.taken);
    let nextAvailable: { date: string; day: string; firstTimes: { startsAt: string; time: string }[] } | null = null;
    if (free.length === 0) {
      for (let d = plusDays(date, 1); d <= plusDays(today, business.callbackHorizonDays); d = plusDays(d, 1)) {
        const open = (await callbackSlots(ctx.db, d, now)).filter((s) => !s.taken);
        if (open.length) {
          nextAvailable = { date: d, day: await dayLabel(ctx.db, d), firstTimes: open.slice(0, 3).map(toOut) };
          break;
        }
      }
    }
    if (!input.date && nextAvailable) {
      return { date: nextAvailable.date, day: nextAvailable.day, slots: (await callbackSlots(ctx.db, nextAvailable.date, now)).filter((s) => !s.taken).slice(0, MAX_SLOTS_LISTED).map(toOut), nextAvailable: null };
    }
    return { date, day: await dayLabel(ctx.db, date), slots: free.slice(0, MAX_SLOTS_LISTED).map(toOut), nextAvailable };
  },
});

export const ahScheduleCallback = defineTool({
  name: 'ah_schedule_callback',
  description: 'Books a callback from the office at a free time from ah_find_callback_slots. Read back the day and time, the caller\'s name and number, and the topic, and get a yes first.',
  input: z.object({
    startsAt: dayTimeInput,
    callerName: z.string().min(2).max(100),
    phone: phoneInput,
    topic: z.enum(['billing', 'scheduling', 'estimate', 'general']),
    reason: z.string().min(3).max(300).describe('What the office should call about, one sentence'),
  }),
  output: z.object({ callbackId: z.number(), when: z.string(), startsAt: z.string(), phone: z.string(), alreadyBooked: z.boolean() }),
  idempotent: false,
  async execute(input, ctx) {
    const business = await requireBusiness(ctx.db);
    const now = ctx.services.now();
    const phone = normalisePhone(input.phone);
    const { date, local } = resolveDayTime(input.startsAt, now, business.timezone);
    checkHorizon(business, (await clockAt(ctx.db, now)).date, date);
    const slot = (await callbackSlots(ctx.db, date, now)).find((s) => s.local === local);
    if (!slot) {
      throw new ToolError('NOT_A_CALLBACK_TIME', 'That is not a callback time (outside office hours, too soon, or not on a quarter hour). Offer times from ah_find_callback_slots.');
    }
    const label = `${await dayLabel(ctx.db, date)} at ${slot.label}`;
    if (slot.taken) {
      const { rows } = await ctx.db.query<{ id: number }>(
        `SELECT id FROM callbacks WHERE status = 'scheduled' AND starts_at = $1 AND phone = $2`, [slot.startsAt.toISOString(), phone],
      );
      if (!rows[0]) throw new ToolError('SLOT_TAKEN', 'That time was just taken. Offer the caller another time.');
      return { callbackId: Number(rows[0].id), when: label, startsAt: local, phone: lastFour(phone), alreadyBooked: true };
    }
    try {
      const { rows } = await ctx.db.query<{ id: number }>(
        `INSERT INTO callbacks (call_id, caller_name, phone, topic, reason, starts_at, ends_at)
         SELECT $1, $2, $3, $4, $5, ($6::timestamp AT TIME ZONE b.timezone),
                (($6::timestamp + make_interval(mins => b.callback_slot_minutes)) AT TIME ZONE b.timezone)
           FROM business b WHERE b.id RETURNING id`,
        [ctx.callId, input.callerName.trim(), phone, input.topic, input.reason.trim(), local.replace('T', ' ')],
      );
      return { callbackId: Number(rows[0]!.id), when: label, startsAt: local, phone: lastFour(phone), alreadyBooked: false };
    } catch (err) {
      if (isExclusionViolation(err)) throw new ToolError('SLOT_TAKEN', 'That time was just taken. Offer the caller another time.');
      throw err;
    }
  },
});

export const callbackTools = [ahTakeMessage, ahFindCallbackSlots, ahScheduleCallback];
