/** Appointments: availability, book, reschedule, cancel, and an SMS reminder. */
import { z } from 'zod';
import { defineTool, ToolError, type ToolContext } from '../../src/toolkit/index.js';
import { getPatient, getProvider, type ClinicSettings, type ProviderRow } from './repository.js';
import {
  bookedAt, bookedOverlap, cancelAppointment, getAppointment, insertAppointment, insertReminder, isEstablished, lastReminder, localInstant,
  moveAppointment, openSlots, upcomingAppointments, type AppointmentRow, type SlotRow,
} from './schedulingRepository.js';
import {
  addDays, dayInput, instant, localDate, parseTime, patientIdInput, phoneHint, refuseAfterEmergency, requireVerified, resolveDay, settings,
  spokenDateTime, timeInput,
} from './shared.js';

const DEFAULT_DAYS = 7;
const MAX_DAYS = 14;
const DEFAULT_SLOTS = 6;
const REMINDER_COOLDOWN_MS = 15 * 60_000;

const slotOut = z.object({
  providerId: z.string(), provider: z.string(), specialty: z.string(), acceptingNewPatients: z.boolean(),
  location: z.string(), startsAt: z.string(), when: z.string(),
});

function slotView(s: SlotRow, tz: string): z.infer<typeof slotOut> {
  return {
    providerId: s.provider_id, provider: s.provider_name, specialty: s.specialty, acceptingNewPatients: s.accepting_new_patients,
    location: s.location_name, startsAt: s.starts_at.toISOString(), when: spokenDateTime(s.starts_at, tz),
  };
}

const appointmentOut = z.object({
  appointmentId: z.number(), when: z.string(), startsAt: z.string(), provider: z.string(), location: z.string(), address: z.string(),
});

function appointmentView(a: AppointmentRow, tz: string): z.infer<typeof appointmentOut> {
  return {
    appointmentId: a.id, when: spokenDateTime(a.starts_at, tz), startsAt: a.starts_at.toISOString(),
    provider: a.provider_name, location: a.location_name, address: a.location_address,
  };
}

export const hcProviderAvailability = defineTool({
  name: 'hc_provider_availability',
  description:
    'Open appointment times, by provider (providerId from hc_clinic_info) or by specialty (e.g. "family medicine", "pediatrics", ' +
    '"dermatology", "cardiology"). Returns the earliest open slots from fromDate on; offer two or three, never invent times. ' +
    'Book with the startsAt value exactly as returned.',
  input: z.object({
    providerId: z.string().optional(),
    specialty: z.string().trim().min(3).optional(),
    locationId: z.string().optional(),
    fromDate: dayInput.optional().describe('First day to search: YYYY-MM-DD, "today", "tomorrow" or a weekday name; default today.'),
    days: z.number().int().min(1).max(MAX_DAYS).optional().describe(`How many days to search, 1-${MAX_DAYS}; default ${DEFAULT_DAYS}.`),
    partOfDay: z.enum(['any', 'morning', 'afternoon']).optional(),
  }),
  output: z.object({ slots: z.array(slotOut), searched: z.string() }),
  idempotent: true,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    if (!input.providerId && !input.specialty) {
      throw new ToolError('MISSING_ARGUMENT', 'Ask whether the caller wants a particular provider or a specialty, then pass providerId or specialty.');
    }
    if (input.providerId && !(await getProvider(ctx.db, input.providerId))) {
      throw new ToolError('UNKNOWN_PROVIDER', 'There is no provider with that id. Use the providerId values from hc_clinic_info.');
    }
    const s = await settings(ctx);
    const now = ctx.services.now();
    const today = localDate(now, s.timezone);
    const fromDate = input.fromDate ? resolveDay(input.fromDate, today) : today;
    const lastBookable = addDays(today, s.bookingHorizonDays);
    if (fromDate > lastBookable) {
      throw new ToolError('OUTSIDE_BOOKING_WINDOW', `We only book up to ${s.bookingHorizonDays} days ahead. Ask for an earlier date.`);
    }
    const start = fromDate < today ? today : fromDate;
    const days = input.days ?? DEFAULT_DAYS;
    const slots = await openSlots(ctx.db, {
      timezone: s.timezone, fromDate: start, days, providerId: input.providerId ?? null, specialty: input.specialty ?? null,
      locationId: input.locationId ?? null, partOfDay: input.partOfDay ?? 'any',
      notBefore: new Date(now.getTime() + s.minBookingLeadMinutes * 60_000), limit: DEFAULT_SLOTS, ignoreAppointmentId: null,
    });
    return { slots: slots.map((x) => slotView(x, s.timezone)), searched: `${start} to ${addDays(start, days - 1)}` };
  },
});

/** Checks that `startsAt` is an open slot of the provider; returns it, or refuses with the reason. */
async function requireOpenSlot(
  ctx: ToolContext, s: ClinicSettings, provider: ProviderRow, startsAt: Date, ignoreAppointmentId: number | null,
): Promise<SlotRow> {
  const now = ctx.services.now();
  if (startsAt.getTime() < now.getTime()) throw new ToolError('TIME_IN_PAST', 'That time has already passed. Offer times from hc_provider_availability.');
  const day = localDate(startsAt, s.timezone);
  if (day > addDays(localDate(now, s.timezone), s.bookingHorizonDays)) {
    throw new ToolError('OUTSIDE_BOOKING_WINDOW', `We only book up to ${s.bookingHorizonDays} days ahead.`);
  }
  const slots = await openSlots(ctx.db, {
    timezone: s.timezone, fromDate: day, days: 1, providerId: provider.id, specialty: null, locationId: null, partOfDay: 'any',
    notBefore: new Date(now.getTime() + s.minBookingLeadMinutes * 60_000), limit: 100, ignoreAppointmentId,
  });
  const slot = slots.find((x) => x.starts_at.getTime() === startsAt.getTime());
  if (slot) return slot;
  const endsAt = new Date(startsAt.getTime() + provider.slot_minutes * 60_000);
  if (await bookedOverlap(ctx.db, provider.id, startsAt, endsAt, ignoreAppointmentId)) {
    throw new ToolError('SLOT_TAKEN', 'That time is already booked. Check hc_provider_availability again and offer other times.');
  }
  throw new ToolError('SLOT_UNAVAILABLE', `${provider.full_name} is not seeing patients at that time. Offer times from hc_provider_availability.`);
}

/** The start the model asked for: an ISO instant, or a clinic-local day and time. */
async function requestedStart(
  ctx: ToolContext, s: ClinicSettings, at: { startsAt?: string | undefined; date?: string | undefined; time?: string | undefined }, what: string,
): Promise<Date> {
  if (at.startsAt) return new Date(at.startsAt);
  if (at.date && at.time) {
    const day = resolveDay(at.date, localDate(ctx.services.now(), s.timezone));
    return localInstant(ctx.db, day, parseTime(at.time), s.timezone);
  }
  throw new ToolError('MISSING_ARGUMENT', `Give the ${what} either as startsAt from hc_provider_availability, or as a date and a time.`);
}

/** The patient's appointment by id, or by its current day and time. */
async function findAppointment(
  ctx: ToolContext, s: ClinicSettings, patientId: number, ref: { appointmentId?: number | undefined; date?: string | undefined; time?: string | undefined },
): Promise<AppointmentRow> {
  if (ref.appointmentId !== undefined) return ownedBookedAppointment(ctx, patientId, ref.appointmentId);
  if (!ref.date || !ref.time) {
    throw new ToolError('MISSING_ARGUMENT', 'Say which appointment: its appointmentId from hc_lookup_patient, or its current date and time.');
  }
  const at = await requestedStart(ctx, s, { date: ref.date, time: ref.time }, 'appointment');
  const appt = await bookedAt(ctx.db, patientId, at, null);
  if (!appt) throw new ToolError('APPOINTMENT_NOT_FOUND', "I can't find an appointment for this patient at that time. Check the list from hc_lookup_patient.");
  return ownedBookedAppointment(ctx, patientId, appt.id);
}

async function ownedBookedAppointment(ctx: ToolContext, patientId: number, appointmentId: number): Promise<AppointmentRow> {
  const appt = await getAppointment(ctx.db, appointmentId);
  // Another patient's appointment is reported exactly like a missing one.
  if (!appt || appt.patient_id !== patientId) {
    throw new ToolError('APPOINTMENT_NOT_FOUND', "I can't find that appointment for this patient. Check the list from hc_lookup_patient.");
  }
  if (appt.status !== 'booked') throw new ToolError('APPOINTMENT_NOT_ACTIVE', `That appointment is already ${appt.status}.`);
  if (appt.starts_at.getTime() <= ctx.services.now().getTime()) {
    throw new ToolError('APPOINTMENT_IN_PAST', 'That appointment has already started or passed.');
  }
  return appt;
}

function conflictError(conflict: 'provider' | 'patient'): ToolError {
  return conflict === 'patient'
    ? new ToolError('PATIENT_DOUBLE_BOOKED', 'The patient already has another appointment at that time. Offer a different time.')
    : new ToolError('SLOT_TAKEN', 'That time was just booked by someone else. Offer other times from hc_provider_availability.');
}

export const hcBookAppointment = defineTool({
  name: 'hc_book_appointment',
  description:
    'Books an appointment for a verified patient. Read back the provider, day and time and get a yes before calling. ' +
    'Pass startsAt exactly as returned by hc_provider_availability, or a date and time of one of the offered slots. ' +
    'Returns the appointmentId as a confirmation number. Booking the same patient, provider and time again returns the existing appointment.',
  input: z.object({
    patientId: patientIdInput,
    providerId: z.string().min(1),
    startsAt: instant.optional().describe('ISO 8601 start time exactly as returned by hc_provider_availability.'),
    date: dayInput.optional(),
    time: timeInput.optional(),
    reason: z.string().trim().min(3).max(200).describe('Reason for the visit in a few words.'),
  }),
  output: appointmentOut.extend({ alreadyBooked: z.boolean() }),
  idempotent: false,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    await requireVerified(ctx, input.patientId);
    const s = await settings(ctx);
    const provider = await getProvider(ctx.db, input.providerId);
    if (!provider) throw new ToolError('UNKNOWN_PROVIDER', 'There is no provider with that id. Use the providerId values from hc_clinic_info.');
    if (!provider.accepting_new_patients && !(await isEstablished(ctx.db, input.patientId, provider.id))) {
      throw new ToolError('PROVIDER_NOT_ACCEPTING', `${provider.full_name} is not taking new patients. Offer another provider with the same specialty.`);
    }
    const startsAt = await requestedStart(ctx, s, input, 'start time');
    // A repeated confirmation of the same booking is not a double booking.
    const existing = await bookedAt(ctx.db, input.patientId, startsAt, provider.id);
    if (existing) return { ...appointmentView(existing, s.timezone), alreadyBooked: true };
    const slot = await requireOpenSlot(ctx, s, provider, startsAt, null);
    const outcome = await insertAppointment(ctx.db, {
      patientId: input.patientId, providerId: provider.id, locationId: slot.location_id, startsAt: slot.starts_at, endsAt: slot.ends_at,
      reason: input.reason, callId: ctx.callId,
    });
    if (!outcome.ok) throw conflictError(outcome.conflict);
    const appt = await getAppointment(ctx.db, outcome.id);
    return { ...appointmentView(appt!, s.timezone), alreadyBooked: false };
  },
});

export const hcRescheduleAppointment = defineTool({
  name: 'hc_reschedule_appointment',
  description:
    "Moves a verified patient's upcoming appointment to another open time with the same provider. Name the appointment by appointmentId, " +
    'or by its current date and time. Find the new time with hc_provider_availability (same providerId), read it back, then pass it as ' +
    'newStartsAt, or as newDate and newTime.',
  input: z.object({
    patientId: patientIdInput,
    appointmentId: z.number().int().positive().optional(),
    currentDate: dayInput.optional(),
    currentTime: timeInput.optional(),
    newStartsAt: instant.optional().describe('ISO 8601 start time exactly as returned by hc_provider_availability.'),
    newDate: dayInput.optional(),
    newTime: timeInput.optional(),
  }),
  output: appointmentOut.extend({ previousWhen: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    await requireVerified(ctx, input.patientId);
    const s = await settings(ctx);
    const appt = await findAppointment(ctx, s, input.patientId, { appointmentId: input.appointmentId, date: input.currentDate, time: input.currentTime });
    const provider = await getProvider(ctx.db, appt.provider_id);
    if (!provider) throw new ToolError('UNKNOWN_PROVIDER', 'That provider is no longer seeing patients. Offer to book with another provider.');
    const newStart = await requestedStart(ctx, s, { startsAt: input.newStartsAt, date: input.newDate, time: input.newTime }, 'new time');
    const slot = await requireOpenSlot(ctx, s, provider, newStart, appt.id);
    const outcome = await moveAppointment(ctx.db, appt.id, slot.starts_at, slot.ends_at, slot.location_id);
    if (!outcome.ok) throw conflictError(outcome.conflict);
    const moved = await getAppointment(ctx.db, appt.id);
    return { ...appointmentView(moved!, s.timezone), previousWhen: spokenDateTime(appt.starts_at, s.timezone) };
  },
});

export const hcCancelAppointment = defineTool({
  name: 'hc_cancel_appointment',
  description:
    "Cancels a verified patient's upcoming appointment, named by appointmentId or by its date and time. Confirm which one " +
    '(day, time, provider) and get a yes first. If it is inside the notice period the result says so and gives the policy to read to the caller.',
  input: z.object({
    patientId: patientIdInput,
    appointmentId: z.number().int().positive().optional(),
    date: dayInput.optional(),
    time: timeInput.optional(),
    reason: z.string().trim().max(200).optional(),
  }),
  output: z.object({ cancelled: z.literal(true), appointmentId: z.number(), when: z.string(), lateCancellation: z.boolean(), policy: z.string().nullable() }),
  idempotent: false,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    await requireVerified(ctx, input.patientId);
    const s = await settings(ctx);
    const appt = await findAppointment(ctx, s, input.patientId, input);
    const now = ctx.services.now();
    if (!(await cancelAppointment(ctx.db, appt.id, now, input.reason ?? null))) {
      throw new ToolError('APPOINTMENT_NOT_ACTIVE', 'That appointment is no longer booked.');
    }
    const late = appt.starts_at.getTime() - now.getTime() < s.cancellationNoticeHours * 3600_000;
    return {
      cancelled: true as const, appointmentId: appt.id, when: spokenDateTime(appt.starts_at, s.timezone),
      lateCancellation: late, policy: late ? s.lateCancellationPolicy : null,
    };
  },
});

export const hcSendAppointmentReminder = defineTool({
  name: 'hc_send_appointment_reminder',
  description:
    "Texts the verified patient a reminder of an upcoming appointment (day, time, provider, address) to the mobile number on file; " +
    'without appointmentId, of their next appointment. It never texts a number the caller gives; if the number on file is wrong, ' +
    'transfer to the front desk to update it.',
  input: z.object({ patientId: patientIdInput, appointmentId: z.number().int().positive().optional() }),
  output: z.object({ sent: z.literal(true), to: z.string(), when: z.string() }),
  idempotent: false,
  timeoutMs: 10_000,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    await requireVerified(ctx, input.patientId);
    const s = await settings(ctx);
    let appointmentId = input.appointmentId;
    if (appointmentId === undefined) {
      const [next] = await upcomingAppointments(ctx.db, input.patientId, ctx.services.now());
      if (!next) throw new ToolError('NO_UPCOMING_APPOINTMENT', 'This patient has no upcoming appointment to remind them of.');
      appointmentId = next.id;
    }
    const appt = await ownedBookedAppointment(ctx, input.patientId, appointmentId);
    const patient = await getPatient(ctx.db, input.patientId);
    if (!patient?.phone) throw new ToolError('NO_PHONE_ON_FILE', 'There is no mobile number on file. Offer a transfer to the front desk to add one.');
    const sms = ctx.services.sms;
    if (!sms) throw new ToolError('SMS_UNAVAILABLE', "Text messages can't be sent right now. Read the appointment details to the caller instead.");
    const now = ctx.services.now();
    const last = await lastReminder(ctx.db, appt.id);
    if (last && now.getTime() - last.getTime() < REMINDER_COOLDOWN_MS) {
      throw new ToolError('REMINDER_ALREADY_SENT', 'A reminder for this appointment was texted a few minutes ago. Ask the caller to check their messages.');
    }
    const when = spokenDateTime(appt.starts_at, s.timezone);
    const body = `${s.clinicName}: reminder of your appointment with ${appt.provider_name} on ${when} at ${appt.location_name}, ` +
      `${appt.location_address}. To change it call ${s.mainPhone}.`;
    const { id } = await sms.send(patient.phone, body, ctx.signal);
    await insertReminder(ctx.db, { appointmentId: appt.id, toNumber: patient.phone, body, providerMessageId: id, sentAt: now, callId: ctx.callId });
    return { sent: true as const, to: phoneHint(patient.phone)!, when };
  },
});
