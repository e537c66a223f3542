/** Demo booking on the account executives' calendars: free slots, booking and moving a demo. */
import { z } from 'zod';
import { defineTool, isExclusionViolation, ToolError, type Queryable } from '../../src/toolkit/index.js';
import { localDate } from '../common/index.js';
import { dayInput, dayTimeInput, plusDays, resolveDay, resolveDayTime } from '../real-estate/relativeDates.js';
import { normalisePhone, phoneInput, requireCompany } from './common.js';
import type { Company } from './repository.js';
import { requireLead, leadRefInput } from './leadRef.js';
import { getLeadByPhone, getRep } from './repository.js';
import { demoSlots, findDemo, insertDemo, leadUpcomingDemo, moveDemo, repsInOrder, slotLabel, type DemoSlot } from './demoRepository.js';

const MAX_SLOTS_LISTED = 6;

function checkDay(company: Company, now: Date, date: string): void {
  const today = localDate(now, company.timezone);
  if (date < today) throw new ToolError('DATE_IN_PAST', 'That day has already passed. Ask the caller for a day from today onwards.');
  if (date > plusDays(today, company.demoHorizonDays)) {
    throw new ToolError('TOO_FAR_AHEAD', `Demos can be booked up to ${company.demoHorizonDays} days ahead. Ask for an earlier day.`);
  }
}

const slotOut = z.object({ startsAt: z.string(), time: z.string() });
const toOut = (s: DemoSlot) => ({ startsAt: s.local, time: s.label });

export const salesFindDemoSlots = defineTool({
  name: 'sales_find_demo_slots',
  description: 'Free 30-minute demo times with an account executive on a day (company time, Mountain). If that day has none, also returns the next day that does. Use before booking; never guess availability.',
  input: z.object({ date: dayInput }),
  output: z.object({
    date: z.string(),
    day: z.string(),
    timezone: z.string(),
    slots: z.array(slotOut),
    nextAvailable: z.object({ date: z.string(), day: z.string(), firstTimes: z.array(slotOut) }).nullable(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const company = await requireCompany(ctx.db);
    const now = ctx.services.now();
    const date = resolveDay(input.date, now, company.timezone);
    checkDay(company, now, date);
    const free = await demoSlots(ctx.db, date, now);
    let nextAvailable: { date: string; day: string; firstTimes: { startsAt: string; time: string }[] } | null = null;
    if (free.length === 0) {
      const last = plusDays(localDate(now, company.timezone), company.demoHorizonDays);
      for (let d = plusDays(date, 1); d <= last && !nextAvailable; d = plusDays(d, 1)) {
        const open = await demoSlots(ctx.db, d, now);
        if (open.length) nextAvailable = { date: d, day: await slotLabel(ctx.db, d), firstTimes: open.slice(0, 3).map(toOut) };
      }
    }
    return { date, day: await slotLabel(ctx.db, date), timezone: company.timezone, slots: free.slice(0, MAX_SLOTS_LISTED).map(toOut), nextAvailable };
  },
});

/** The demo slot a caller's start time means, or NOT_A_DEMO_TIME. */
async function requireDemoSlot(db: Queryable, company: Company, startsAt: string, now: Date, ignoreDemoId: number | null) {
  const { date, local } = resolveDayTime(startsAt, now, company.timezone);
  checkDay(company, now, date);
  const slot = (await demoSlots(db, date, now, { includeBooked: true, ignoreDemoId })).find((s) => s.local === local);
  if (!slot) throw new ToolError('NOT_A_DEMO_TIME', 'That is not a demo time (outside demo hours, too soon, or not on the half hour). Offer times from sales_find_demo_slots.');
  return slot;
}

const demoOut = z.object({
  demoId: z.number(),
  when: z.string(),
  startsAt: z.string(),
  accountExecutive: z.string(),
  minutes: z.number(),
  alreadyBooked: z.boolean(),
});

export const salesBookDemo = defineTool({
  name: 'sales_book_demo',
  description: 'Books a 30-minute video demo for a qualified lead (leadId, or the phone it was recorded with) at a free time from sales_find_demo_slots, with their account executive when free. Read back the day and time (Mountain time) and the email the invite goes to first.',
  input: z.object({
    ...leadRefInput,
    startsAt: dayTimeInput,
    focus: z.string().max(300).optional().describe('What they most want to see'),
  }),
  output: demoOut,
  idempotent: false,
  async execute(input, ctx) {
    const company = await requireCompany(ctx.db);
    const now = ctx.services.now();
    const lead = await requireLead(ctx.db, input);
    const slot = await requireDemoSlot(ctx.db, company, input.startsAt, now, null);
    const upcoming = await leadUpcomingDemo(ctx.db, lead.id, now);
    if (upcoming) {
      if (upcoming.local === slot.local) {
        return { demoId: upcoming.id, when: upcoming.label, startsAt: upcoming.local, accountExecutive: upcoming.rep_name, minutes: company.demoMinutes, alreadyBooked: true };
      }
      throw new ToolError('ALREADY_HAS_DEMO', `This lead already has a demo on ${upcoming.label} (demo ${upcoming.id}). Ask whether to move it instead (sales_reschedule_demo).`);
    }
    const reps = repsInOrder(slot, lead.owner_rep_id == null ? null : Number(lead.owner_rep_id));
    if (reps.length === 0) throw new ToolError('SLOT_TAKEN', 'That time is fully booked. Offer the caller another free time.');
    for (const repId of reps) {
      try {
        const demoId = await insertDemo(ctx.db, { leadId: lead.id, repId, slot, focus: input.focus, callId: ctx.callId });
        const rep = await getRep(ctx.db, repId);
        return { demoId, when: slot.longLabel, startsAt: slot.local, accountExecutive: rep?.name ?? 'an account executive', minutes: company.demoMinutes, alreadyBooked: false };
      } catch (err) {
        // Someone took this rep's slot a moment ago: the next free rep may still have it.
        if (!isExclusionViolation(err)) throw err;
      }
    }
    throw new ToolError('SLOT_TAKEN', 'That time was just booked. Offer the caller another free time.');
  },
});

export const salesRescheduleDemo = defineTool({
  name: 'sales_reschedule_demo',
  description: 'Moves the caller\'s upcoming demo to another free time. Needs the phone number of the lead (and the demo number if they have it). Read back the new day and time and get a yes first.',
  input: z.object({
    demoId: z.number().int().positive().optional().describe('Demo number, if the caller has it'),
    phone: phoneInput,
    newStartsAt: dayTimeInput,
  }),
  output: demoOut.extend({ previousWhen: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    const company = await requireCompany(ctx.db);
    const now = ctx.services.now();
    const phone = normalisePhone(input.phone);
    let demo = input.demoId !== undefined ? await findDemo(ctx.db, input.demoId) : undefined;
    if (input.demoId === undefined) {
      const lead = await getLeadByPhone(ctx.db, phone);
      demo = lead ? await leadUpcomingDemo(ctx.db, lead.id, now) : undefined;
    }
    if (!demo || demo.phone !== phone) {
      throw new ToolError('DEMO_NOT_FOUND', 'I could not find an upcoming demo for that phone number (and demo number). Ask the caller to check them.');
    }
    if (demo.status !== 'scheduled') throw new ToolError('DEMO_NOT_ACTIVE', `That demo is already ${demo.status}.`);
    if (demo.starts_at.getTime() <= now.getTime()) throw new ToolError('DEMO_IN_PAST', 'That demo time has passed, so it cannot be moved. Offer to book a new one.');
    const slot = await requireDemoSlot(ctx.db, company, input.newStartsAt, now, demo.id);
    const base = { demoId: demo.id, startsAt: slot.local, minutes: company.demoMinutes, alreadyBooked: false, previousWhen: demo.label };
    if (slot.local === demo.local) return { ...base, when: demo.label, accountExecutive: demo.rep_name };
    const reps = repsInOrder(slot, demo.rep_id);
    for (const repId of reps) {
      try {
        await moveDemo(ctx.db, demo.id, repId, slot);
        const rep = await getRep(ctx.db, repId);
        return { ...base, when: slot.longLabel, accountExecutive: rep?.name ?? 'an account executive' };
      } catch (err) {
        if (!isExclusionViolation(err)) throw err;
      }
    }
    throw new ToolError('SLOT_TAKEN', 'That time is fully booked. Offer the caller another free time.');
  },
});

export const demoTools = [salesFindDemoSlots, salesBookDemo, salesRescheduleDemo];
