import { randomInt } from 'node:crypto';
import { z } from 'zod';
import { defineTool, isExclusionViolation, isUniqueViolation, ToolError, violatedConstraint, type Queryable, type ToolContext } from '../../src/toolkit/index.js';
import { normalizePhone } from '../common/phone.js';
import { isoDateTime, priceText } from '../common/time.js';
import {
  cancelAppointment, findAppointments, getAppointment, getAppointmentByBookingKey, getAppointmentByPhoneAt, getService, insertAppointment,
  moveAppointment, onTimeOff, resolveInstant, stylistOffers, timezoneOf, upsertCustomer, withinWorkingHours,
  type AppointmentRow,
} from './repository.js';

const REFERENCE_ALPHABET = 'ACDEFGHJKLMNPQRTUVWXY3479';

function newReference(): string {
  let out = '';
  for (let i = 0; i < 6; i++) out += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return out;
}

const appointmentOut = z.object({
  appointmentId: z.string(),
  reference: z.string(),
  status: z.string(),
  service: z.string(),
  stylist: z.string(),
  customerName: z.string(),
  startsAt: z.string(),
  localTime: z.string(),
  spoken: z.string(),
  price: z.string(),
});

function present(a: AppointmentRow): z.infer<typeof appointmentOut> {
  return {
    appointmentId: a.id, reference: a.reference, status: a.status, service: a.serviceName, stylist: a.stylistName,
    customerName: a.customerName, startsAt: a.startsAt, localTime: a.localTime, spoken: a.spoken, price: priceText(a.priceCents),
  };
}

const SLOT_TAKEN_MESSAGE = "Sorry, that time was just taken. Shall I find the nearest free time?";

function isDoubleBooking(err: unknown): boolean {
  return isExclusionViolation(err) || violatedConstraint(err) === 'appointments_no_double_booking';
}

/** Checks a proposed [start, end) for a stylist and service; throws a ToolError the caller can hear. */
async function checkSlot(
  tx: Queryable, ctx: ToolContext, q: { stylistId: string; serviceId: string; startsAtIso: string; timezone: string },
): Promise<{ start: Date; end: Date; serviceName: string }> {
  const service = await getService(tx, q.serviceId);
  if (!service) throw new ToolError('UNKNOWN_SERVICE', "I couldn't find that service. Let me check the list of services.");
  if (!(await stylistOffers(tx, q.stylistId, q.serviceId))) {
    throw new ToolError('STYLIST_DOES_NOT_OFFER', `That stylist doesn't do ${service.name}.`);
  }
  const start = await resolveInstant(tx, q.startsAtIso, q.timezone);
  if (start.getTime() < ctx.services.now().getTime()) {
    throw new ToolError('TIME_IN_PAST', 'That time has already passed. Which upcoming time would suit?');
  }
  const end = new Date(start.getTime() + service.durationMin * 60_000);
  if (!(await withinWorkingHours(tx, q.stylistId, start, end, q.timezone))) {
    throw new ToolError('OUTSIDE_HOURS', "The stylist isn't working then. Shall I check the free times that day?");
  }
  if (await onTimeOff(tx, q.stylistId, start, end)) {
    throw new ToolError('STYLIST_AWAY', "The stylist is away then. Shall I check another day or another stylist?");
  }
  return { start, end, serviceName: service.name };
}

export const salonBookAppointment = defineTool({
  name: 'salon_book_appointment',
  description:
    'Books one appointment. Only call it after reading back the service, stylist, day, time and the name and phone number, and the caller said yes. Returns a reference to read to the caller.',
  input: z.object({
    serviceId: z.string().min(1).describe('a serviceId from salon_list_services'),
    stylistId: z.string().min(1).describe('a stylistId from salon_check_availability'),
    startsAt: isoDateTime,
    customerName: z.string().trim().min(1).max(120).describe("the caller's name as they confirmed it"),
    customerPhone: z.string().min(7).max(32).describe("the caller's phone number, digits as they confirmed them"),
    notes: z.string().max(500).optional().describe('anything the stylist should know'),
  }),
  output: appointmentOut,
  idempotent: false,
  async execute(input, ctx) {
    const phone = normalizePhone(input.customerPhone);
    const timezone = await timezoneOf(ctx.db);
    try {
      const booked = await ctx.db.transaction(async (tx) => {
        // A retry of the same tool call (same idempotency key) finds the booking it already made.
        const previous = await getAppointmentByBookingKey(tx, ctx.idempotencyKey, timezone);
        if (previous) return previous;
        const { start, end } = await checkSlot(tx, ctx, { ...input, startsAtIso: input.startsAt, timezone });
        const customerId = await upsertCustomer(tx, input.customerName, phone);
        // booking_key conflict (null) means a concurrent retry of this same call booked it: read that row.
        await insertAppointment(tx, {
          reference: newReference(), customerId, stylistId: input.stylistId, serviceId: input.serviceId,
          start, end, callId: ctx.callId, bookingKey: ctx.idempotencyKey, ...(input.notes ? { notes: input.notes } : {}),
        });
        const row = await getAppointmentByBookingKey(tx, ctx.idempotencyKey, timezone);
        if (!row) throw new Error('appointment vanished after insert');
        return row;
      });
      return present(booked);
    } catch (err) {
      if (isDoubleBooking(err)) throw new ToolError('SLOT_TAKEN', SLOT_TAKEN_MESSAGE, { retryable: false });
      // 1 in ~244 million per booking: a reference collision; asking again draws a new one.
      if (isUniqueViolation(err) && violatedConstraint(err)?.includes('reference')) {
        throw new ToolError('BOOKING_FAILED', 'Sorry, that did not go through. Could we try once more?', { retryable: true });
      }
      throw err;
    }
  },
});

export const salonFindAppointment = defineTool({
  name: 'salon_find_appointment',
  description:
    "Finds the caller's upcoming appointments by phone number (preferred) or by name. Use it before rescheduling or cancelling.",
  input: z.object({
    phone: z.string().min(7).max(32).optional().describe('phone number the appointment was booked under'),
    name: z.string().trim().min(2).max(120).optional().describe('customer name, when no phone number is given'),
  }).refine((v) => v.phone !== undefined || v.name !== undefined, { message: 'give a phone number or a name', path: ['phone'] }),
  output: z.object({ appointments: z.array(appointmentOut) }),
  idempotent: true,
  timeoutMs: 5000,
  async execute({ phone, name }, ctx) {
    const timezone = await timezoneOf(ctx.db);
    const rows = await findAppointments(ctx.db, {
      from: ctx.services.now(), timezone, limit: 5,
      ...(phone ? { phone: normalizePhone(phone) } : name ? { name } : {}),
    });
    return { appointments: rows.map(present) };
  },
});

/** How a caller points at an existing appointment: its id or reference, or their phone and its current time. */
interface AppointmentPointer {
  appointmentId?: string | undefined;
  phone?: string | undefined;
  startsAt?: string | undefined;
}

async function requireBooked(tx: Queryable, pointer: AppointmentPointer, timezone: string, ctx: ToolContext): Promise<AppointmentRow> {
  const row = pointer.appointmentId !== undefined
    ? await getAppointment(tx, pointer.appointmentId, timezone)
    : await getAppointmentByPhoneAt(tx, normalizePhone(pointer.phone!), await resolveInstant(tx, pointer.startsAt!, timezone), timezone);
  if (!row) throw new ToolError('APPOINTMENT_NOT_FOUND', "I couldn't find that appointment. Could you give me the phone number it was booked under?");
  if (row.status === 'cancelled') throw new ToolError('APPOINTMENT_CANCELLED', 'That appointment was already cancelled.');
  if (row.status !== 'booked' || new Date(row.endsAt) < ctx.services.now()) {
    throw new ToolError('APPOINTMENT_PAST', 'That appointment is in the past, so it cannot be changed.');
  }
  return row;
}

const appointmentRef = z.string().min(1).max(64).describe('the appointmentId from salon_find_appointment, or the booking reference the caller reads out');
/** Either the appointment's id or reference, or the phone it was booked under and its current time. */
const pointerFields = {
  appointmentId: appointmentRef.optional(),
  phone: z.string().min(7).max(32).optional().describe('with startsAt, when there is no appointmentId: the phone number it was booked under'),
  startsAt: isoDateTime.optional().describe("with phone, when there is no appointmentId: the appointment's current local date and time"),
};
const pointerGiven = (v: AppointmentPointer): boolean => v.appointmentId !== undefined || (v.phone !== undefined && v.startsAt !== undefined);
const POINTER_MESSAGE = { message: 'give the appointmentId (or reference), or the phone number and the current startsAt', path: ['appointmentId'] };

export const salonRescheduleAppointment = defineTool({
  name: 'salon_reschedule_appointment',
  description:
    'Moves an existing appointment to a new time (and optionally another stylist). Identify it by appointmentId, or by the phone it was booked under and its current startsAt. Check availability first and read the new time back before calling.',
  input: z.object({
    ...pointerFields,
    newStartsAt: isoDateTime,
    stylistId: z.string().min(1).optional().describe('a different stylistId, only if the caller asked to change stylist'),
  }).refine(pointerGiven, POINTER_MESSAGE),
  output: appointmentOut.extend({ previousSpoken: z.string() }),
  idempotent: false,
  async execute({ newStartsAt, stylistId, ...pointer }, ctx) {
    const timezone = await timezoneOf(ctx.db);
    try {
      return await ctx.db.transaction(async (tx) => {
        const current = await requireBooked(tx, pointer, timezone, ctx);
        const targetStylist = stylistId ?? current.stylistId;
        const { start, end } = await checkSlot(tx, ctx, { stylistId: targetStylist, serviceId: current.serviceId, startsAtIso: newStartsAt, timezone });
        await moveAppointment(tx, current.id, targetStylist, start, end);
        const moved = await getAppointment(tx, current.id, timezone);
        return { ...present(moved!), previousSpoken: current.spoken };
      });
    } catch (err) {
      if (isDoubleBooking(err)) throw new ToolError('SLOT_TAKEN', SLOT_TAKEN_MESSAGE);
      throw err;
    }
  },
});

export const salonCancelAppointment = defineTool({
  name: 'salon_cancel_appointment',
  description: 'Cancels an existing appointment, identified by appointmentId or by the phone it was booked under and its current startsAt. Confirm with the caller which appointment before calling.',
  input: z.object({
    ...pointerFields,
    reason: z.string().max(300).optional().describe("the caller's reason, if they gave one"),
  }).refine(pointerGiven, POINTER_MESSAGE),
  output: appointmentOut,
  idempotent: false,
  async execute({ reason, ...pointer }, ctx) {
    const timezone = await timezoneOf(ctx.db);
    return ctx.db.transaction(async (tx) => {
      const current = await requireBooked(tx, pointer, timezone, ctx);
      await cancelAppointment(tx, current.id, reason ?? null);
      return present({ ...current, status: 'cancelled' });
    });
  },
});
