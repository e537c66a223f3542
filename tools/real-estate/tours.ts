/** Tour scheduling: free showing slots, booking, rescheduling and cancelling a property tour. */
import { z } from 'zod';
import { defineTool, isExclusionViolation, sensitive, ToolError, type Queryable } from '../../src/toolkit/index.js';
import { normalisePhone, phoneInput } from './common.js';
import { dayInput, dayTimeInput, resolveDay, resolveDayTime } from './relativeDates.js';
import { getListingById, getOffice, getPolicy, upsertLead, type ListingRow, type Office } from './repository.js';
import {
  addDays, cancelTour, dayLabel, daysFromToday, findScheduledTour, getTour, insertTour, localLabel, moveTour, slotsForDate,
  upcomingToursByPhone, type TourRow,
} from './toursRepository.js';

const MAX_SLOTS_LISTED = 8;
const ALTERNATIVE_DAYS_SCANNED = 7;

export async function requireOffice(db: Queryable): Promise<Office> {
  const office = await getOffice(db);
  if (!office) throw new ToolError('NOT_CONFIGURED', 'Scheduling is not set up yet. Offer to take the caller\'s details for a callback.');
  return office;
}

async function requireTourableListing(db: Queryable, listingId: number): Promise<ListingRow> {
  const listing = await getListingById(db, listingId);
  if (!listing) throw new ToolError('LISTING_NOT_FOUND', `There is no listing number ${listingId}. Ask the caller to check the listing number or the address.`);
  if (listing.status !== 'active') {
    throw new ToolError('LISTING_UNAVAILABLE', `That property is ${listing.status} and is no longer shown. Offer to look for similar listings.`);
  }
  return listing;
}

/** Refuses dates in the past or beyond the booking horizon. */
async function checkBookableDate(db: Queryable, office: Office, date: string, now: Date): Promise<void> {
  const ahead = await daysFromToday(db, date, now);
  if (ahead < 0) throw new ToolError('DATE_IN_PAST', `${date} has already passed. Ask the caller for a day from today onwards.`);
  if (ahead > office.bookingHorizonDays) {
    throw new ToolError('TOO_FAR_AHEAD', `Tours can be booked up to ${office.bookingHorizonDays} days ahead. Ask for an earlier day.`);
  }
}

const fullAddress = (l: Pick<ListingRow, 'address' | 'unit'>): string => (l.unit ? `${l.address}, unit ${l.unit}` : l.address);

const slotOutput = z.object({ startsAt: z.string(), time: z.string() });

export const reFindTourSlots = defineTool({
  name: 're_find_tour_slots',
  description: 'Lists the free tour times for one property on one day (office local time). When that day is full or closed, also suggests the next days that have free times. Use before booking; never guess availability.',
  input: z.object({
    listingId: z.number().int().positive().describe('The listing number'),
    date: dayInput,
  }),
  output: z.object({
    listingId: z.number(),
    address: z.string(),
    date: z.string(),
    day: z.string(),
    slots: z.array(slotOutput),
    alternatives: z.array(z.object({ date: z.string(), day: z.string(), firstTimes: z.array(slotOutput) })),
    tourMinutes: z.number(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const now = ctx.services.now();
    const office = await requireOffice(ctx.db);
    const listing = await requireTourableListing(ctx.db, input.listingId);
    const day = resolveDay(input.date, now, office.timezone);
    await checkBookableDate(ctx.db, office, day, now);
    const free = (await slotsForDate(ctx.db, listing.id, day, now)).filter((s) => !s.taken);
    const alternatives: { date: string; day: string; firstTimes: { startsAt: string; time: string }[] }[] = [];
    if (free.length === 0) {
      for (let i = 1; i <= ALTERNATIVE_DAYS_SCANNED && alternatives.length < 2; i++) {
        const date = await addDays(ctx.db, day, i);
        if ((await daysFromToday(ctx.db, date, now)) > office.bookingHorizonDays) break;
        const open = (await slotsForDate(ctx.db, listing.id, date, now)).filter((s) => !s.taken);
        if (open.length) {
          alternatives.push({ date, day: await dayLabel(ctx.db, date), firstTimes: open.slice(0, 3).map((s) => ({ startsAt: s.local, time: s.label })) });
        }
      }
    }
    return {
      listingId: listing.id,
      address: fullAddress(listing),
      date: day,
      day: await dayLabel(ctx.db, day),
      slots: free.slice(0, MAX_SLOTS_LISTED).map((s) => ({ startsAt: s.local, time: s.label })),
      alternatives,
      tourMinutes: office.tourMinutes,
    };
  },
});

/**
 * The grid slot a caller's start time means, or a refusal saying why it cannot be booked.
 * `taken` is left to the caller: booking the same slot twice for the same person is not an error.
 */
async function requireSlot(db: Queryable, office: Office, listingId: number, startsAt: string, now: Date, ignoreTourId: number | null) {
  const { date, local } = resolveDayTime(startsAt, now, office.timezone);
  await checkBookableDate(db, office, date, now);
  const slots = await slotsForDate(db, listingId, date, now, ignoreTourId);
  const slot = slots.find((s) => s.local === local);
  if (!slot) {
    throw new ToolError('NOT_A_TOUR_TIME', 'That is not an available tour time (outside showing hours, too soon, or not on the half hour). Check the free times with re_find_tour_slots and offer those.');
  }
  return slot;
}

const slotTaken = (): ToolError => new ToolError('SLOT_TAKEN', 'That time is already booked for this property. Offer the caller another free time.');

const tourOutput = z.object({
  tourId: z.number(),
  listingId: z.number(),
  address: z.string(),
  startsAt: z.string(),
  when: z.string(),
  tourMinutes: z.number(),
  name: z.string(),
  leadId: z.number(),
  tourPolicy: z.string().optional(),
  alreadyBooked: z.boolean().describe('true when this caller already had exactly this tour: nothing new was booked'),
});

export const reBookTour = defineTool({
  name: 're_book_tour',
  description: 'Books a property tour at a free time returned by re_find_tour_slots. Only call after reading back the property, the day and time, the caller\'s name and phone number, and hearing the caller confirm. Returns the tour confirmation number.',
  input: z.object({
    listingId: z.number().int().positive().describe('The listing number'),
    startsAt: dayTimeInput,
    name: z.string().min(2).max(100).describe('Caller\'s full name'),
    phone: phoneInput,
    email: sensitive(z.string().email()).optional().describe('Email, if the caller offers one'),
    attendees: z.number().int().min(1).max(4).optional().describe('How many people are coming, 1 to 4 (default 1)'),
    notes: z.string().max(500).optional(),
  }),
  output: tourOutput,
  idempotent: false,
  async execute(input, ctx) {
    const now = ctx.services.now();
    const phone = normalisePhone(input.phone);
    const office = await requireOffice(ctx.db);
    const listing = await requireTourableListing(ctx.db, input.listingId);
    const slot = await requireSlot(ctx.db, office, listing.id, input.startsAt, now, null);
    if (slot.taken) {
      // The same caller confirming the same tour twice gets their tour back, not a refusal.
      const mine = await findScheduledTour(ctx.db, listing.id, slot.startsAt, phone);
      if (!mine) throw slotTaken();
      return {
        tourId: mine.id, listingId: listing.id, address: fullAddress(listing), startsAt: slot.local, when: mine.label,
        tourMinutes: office.tourMinutes, name: mine.name, leadId: mine.lead_id, alreadyBooked: true, ...await tourPolicy(ctx.db),
      };
    }
    let ids: { tourId: number; leadId: number };
    try {
      ids = await ctx.db.transaction(async (tx) => {
        const lead = await upsertLead(tx, {
          name: input.name.trim(), phone, email: input.email, intent: listing.kind === 'sale' ? 'buy' : 'rent', callId: ctx.callId,
        });
        const tourId = await insertTour(tx, {
          listingId: listing.id, leadId: lead.id, local: slot.local, attendees: input.attendees ?? 1, notes: input.notes, callId: ctx.callId,
        });
        return { tourId, leadId: lead.id };
      });
    } catch (err) {
      if (isExclusionViolation(err)) throw new ToolError('SLOT_TAKEN', 'Someone booked that time a moment ago. Offer the caller another free time.');
      throw err;
    }
    return {
      tourId: ids.tourId, listingId: listing.id, address: fullAddress(listing), startsAt: slot.local,
      when: await localLabel(ctx.db, slot.local), tourMinutes: office.tourMinutes, name: input.name.trim(), leadId: ids.leadId,
      alreadyBooked: false, ...await tourPolicy(ctx.db),
    };
  },
});

async function tourPolicy(db: Queryable): Promise<{ tourPolicy?: string }> {
  const policy = await getPolicy(db, 'tours');
  return policy ? { tourPolicy: policy } : {};
}

/**
 * The caller's own upcoming tour: by confirmation number and the phone it was booked with, or by
 * phone alone (and listing) when the caller has no number, as long as that picks exactly one.
 */
async function requireOwnTour(
  db: Queryable, ref: { tourId?: number | undefined; listingId?: number | undefined; phone: string }, now: Date,
): Promise<TourRow> {
  const phone = normalisePhone(ref.phone);
  let tour: TourRow | undefined;
  if (ref.tourId !== undefined) {
    tour = await getTour(db, ref.tourId);
    // The same answer for a wrong number and a wrong phone: a tour is only discussed with its booker.
    if (!tour || tour.phone !== phone) {
      throw new ToolError('TOUR_NOT_FOUND', 'I could not find a tour with that confirmation number and phone number. Ask the caller to check both.');
    }
  } else {
    const mine = await upcomingToursByPhone(db, phone, now, ref.listingId);
    if (mine.length === 0) throw new ToolError('TOUR_NOT_FOUND', 'There is no upcoming tour booked with that phone number. Ask for the confirmation number or the number they booked with.');
    if (mine.length > 1) {
      throw new ToolError('SEVERAL_TOURS', `That phone number has several upcoming tours: ${mine.map((t) => `${t.id} at ${t.address} on ${t.label}`).join('; ')}. Ask which one, then pass its tourId.`);
    }
    tour = mine[0]!;
  }
  if (tour.status !== 'scheduled') throw new ToolError('TOUR_NOT_ACTIVE', `That tour is already ${tour.status}.`);
  const startsAt = tour.starts_at instanceof Date ? tour.starts_at : new Date(String(tour.starts_at));
  if (startsAt.getTime() <= now.getTime()) throw new ToolError('TOUR_IN_PAST', 'That tour time has already passed, so it cannot be changed.');
  return tour;
}

const tourRefInput = {
  tourId: z.number().int().positive().optional().describe('Tour confirmation number, if the caller has it'),
  listingId: z.number().int().positive().optional().describe('The listing, when the caller has several tours'),
  phone: phoneInput.describe('The phone number the tour was booked with'),
};

export const reRescheduleTour = defineTool({
  name: 're_reschedule_tour',
  description: 'Moves the caller\'s upcoming tour to another free time. Needs the phone number it was booked with (and the confirmation number if they have it). Read back the new day and time and get a yes first.',
  input: z.object({ ...tourRefInput, newStartsAt: dayTimeInput }),
  output: tourOutput.extend({ previousWhen: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    const now = ctx.services.now();
    const office = await requireOffice(ctx.db);
    const tour = await requireOwnTour(ctx.db, input, now);
    await requireTourableListing(ctx.db, tour.listing_id);
    const slot = await requireSlot(ctx.db, office, tour.listing_id, input.newStartsAt, now, tour.id);
    if (tour.local !== slot.local) {
      if (slot.taken) throw slotTaken();
      try {
        await ctx.db.transaction((tx) => moveTour(tx, tour.id, slot.local));
      } catch (err) {
        if (isExclusionViolation(err)) throw new ToolError('SLOT_TAKEN', 'Someone booked that time a moment ago. Offer the caller another free time.');
        throw err;
      }
    }
    return {
      tourId: tour.id, listingId: tour.listing_id, address: tour.address, startsAt: slot.local,
      when: await localLabel(ctx.db, slot.local), previousWhen: tour.label, tourMinutes: office.tourMinutes,
      name: tour.name, leadId: tour.lead_id, alreadyBooked: false, ...await tourPolicy(ctx.db),
    };
  },
});

export const reCancelTour = defineTool({
  name: 're_cancel_tour',
  description: 'Cancels the caller\'s upcoming tour. Needs the phone number it was booked with (and the confirmation number if they have it). Confirm with the caller before cancelling.',
  input: z.object(tourRefInput),
  output: z.object({ tourId: z.number(), cancelled: z.literal(true), address: z.string(), when: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    const now = ctx.services.now();
    const tour = await requireOwnTour(ctx.db, input, now);
    const done = await cancelTour(ctx.db, tour.id, now);
    if (!done) throw new ToolError('TOUR_NOT_ACTIVE', 'That tour is no longer scheduled.');
    return { tourId: tour.id, cancelled: true as const, address: tour.address, when: tour.label };
  },
});

export const tourTools = [reFindTourSlots, reBookTour, reRescheduleTour, reCancelTour];
