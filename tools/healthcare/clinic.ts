/** Clinic-wide tools that need no patient identity: facts, symptom triage, transfer to a human. */
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';
import {
  getDepartment, insertTransfer, insertTriageEvent, listDepartments, listLocations, listProviders, locationHours, upcomingClosures,
} from './repository.js';
import { localDate, refuseAfterEmergency, settings, spokenDate, spokenTime, WEEKDAYS } from './shared.js';
import { triageSymptoms } from './triage.js';

const CLOSURE_LOOKAHEAD_DAYS = 30;

export const hcClinicInfo = defineTool({
  name: 'hc_clinic_info',
  description:
    "The clinic's facts: today's date, locations with address, phone, parking and opening hours for each day, upcoming closures, " +
    'providers with their specialty, location and whether they accept new patients, and the clinic policies (cancellation, new patients, ' +
    'refills, messages). Use it for any question about hours, locations, doctors or policies; never answer those from memory.',
  input: z.object({
    locationId: z.string().optional().describe('Only this location (e.g. "downtown"); omit for all.'),
  }),
  output: z.object({
    clinicName: z.string(),
    today: z.object({ date: z.string(), spoken: z.string(), time: z.string() }),
    mainPhone: z.string(),
    locations: z.array(z.object({
      id: z.string(), name: z.string(), address: z.string(), phone: z.string(), parking: z.string().nullable(),
      openNow: z.boolean(),
      hours: z.array(z.object({ day: z.string(), hours: z.string() })),
    })),
    upcomingClosures: z.array(z.object({ date: z.string(), spoken: z.string(), location: z.string(), reason: z.string() })),
    providers: z.array(z.object({
      providerId: z.string(), name: z.string(), title: z.string(), specialty: z.string(), location: z.string(), acceptingNewPatients: z.boolean(),
    })),
    policies: z.object({ cancellation: z.string(), newPatients: z.string(), refillTurnaroundHours: z.number(), messageCallbackHours: z.number() }),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const s = await settings(ctx);
    const now = ctx.services.now();
    const locations = await listLocations(ctx.db, input.locationId);
    if (input.locationId && locations.length === 0) {
      throw new ToolError('UNKNOWN_LOCATION', 'We have no location by that name. Call hc_clinic_info without a location to list them.');
    }
    const hours = await locationHours(ctx.db);
    const today = localDate(now, s.timezone);
    const closures = await upcomingClosures(ctx.db, today, CLOSURE_LOOKAHEAD_DAYS);
    const providers = await listProviders(ctx.db);
    const nameOf = new Map(locations.map((l) => [l.id, l.name]));
    const localClock = new Intl.DateTimeFormat('en-GB', { timeZone: s.timezone, hour: '2-digit', minute: '2-digit', hour12: false }).format(now);
    const weekdayNow = new Date(`${today}T00:00:00Z`).getUTCDay();
    const closedToday = (locationId: string): boolean =>
      closures.some((c) => c.closed_on === today && (c.location_id === null || c.location_id === locationId));
    return {
      clinicName: s.clinicName,
      today: { date: today, spoken: spokenDate(today), time: spokenTime(localClock) },
      mainPhone: s.mainPhone,
      locations: locations.map((l) => {
        const own = hours.filter((h) => h.location_id === l.id);
        const todayHours = own.find((h) => h.weekday === weekdayNow);
        const openNow = !!todayHours && !closedToday(l.id)
          && localClock >= todayHours.opens_at.slice(0, 5) && localClock < todayHours.closes_at.slice(0, 5);
        return {
          id: l.id, name: l.name, address: l.address, phone: l.phone, parking: l.parking, openNow,
          hours: WEEKDAYS.map((day, i) => {
            const h = own.find((x) => x.weekday === i);
            return { day, hours: h ? `${spokenTime(h.opens_at)} to ${spokenTime(h.closes_at)}` : 'closed' };
          }),
        };
      }),
      upcomingClosures: closures
        .filter((c) => c.location_id === null || nameOf.has(c.location_id))
        .map((c) => ({
          date: c.closed_on, spoken: spokenDate(c.closed_on), reason: c.reason,
          location: c.location_id === null ? 'all locations' : nameOf.get(c.location_id) ?? c.location_id,
        })),
      providers: providers
        .filter((p) => !input.locationId || p.location_id === input.locationId)
        .map((p) => ({
          providerId: p.id, name: p.full_name, title: p.title, specialty: p.specialty,
          location: nameOf.get(p.location_id) ?? p.location_id, acceptingNewPatients: p.accepting_new_patients,
        })),
      policies: {
        cancellation: s.lateCancellationPolicy, newPatients: s.newPatientPolicy,
        refillTurnaroundHours: s.refillTurnaroundHours, messageCallbackHours: s.messageCallbackHours,
      },
    };
  },
});

export const hcTriageSymptoms = defineTool({
  name: 'hc_triage_symptoms',
  description:
    'Rates how urgent the caller\'s symptoms are. Call it as soon as anyone describes symptoms, before booking anything. ' +
    'Pass the symptoms in the caller\'s own words. If urgency is "emergency", say the instruction word for word and do nothing else: ' +
    'no booking, no messages, no transfer. "urgent" means a same-day visit or the nurse line; "routine" means a normal appointment.',
  input: z.object({
    symptoms: z.string().trim().min(3).max(1000).describe("The symptoms as the caller described them, in their words."),
  }),
  output: z.object({
    urgency: z.enum(['emergency', 'urgent', 'routine']),
    instruction: z.string(),
    matched: z.array(z.string()),
    nextStep: z.enum(['call_emergency_services', 'same_day_visit_or_nurse_line', 'routine_appointment']),
  }),
  // Records the outcome (an emergency locks the call's other tools), so not a pure read.
  idempotent: false,
  async execute(input, ctx) {
    const s = await settings(ctx);
    const result = triageSymptoms(input.symptoms);
    await insertTriageEvent(ctx.db, ctx.callId, result.urgency, result.matched.join(', ') || 'none');
    if (result.urgency === 'emergency') {
      const crisis = result.crisisLine
        ? ` You can also call or text ${result.crisisLine}, the Suicide and Crisis Lifeline, any time.`
        : '';
      return {
        urgency: 'emergency' as const,
        instruction: `This could be a medical emergency. Please hang up now and call ${s.emergencyNumber}, or go to the nearest emergency room.${crisis}`,
        matched: result.matched,
        nextStep: 'call_emergency_services' as const,
      };
    }
    if (result.urgency === 'urgent') {
      return {
        urgency: 'urgent' as const,
        instruction: 'This should be seen today. Offer the earliest same-day appointment, or a transfer to the nurse line. If it gets worse, call ' +
          `${s.emergencyNumber}.`,
        matched: result.matched,
        nextStep: 'same_day_visit_or_nurse_line' as const,
      };
    }
    return {
      urgency: 'routine' as const,
      instruction: `A regular appointment is appropriate. If anything gets worse or new symptoms appear, call ${s.emergencyNumber} for an emergency.`,
      matched: [],
      nextStep: 'routine_appointment' as const,
    };
  },
});

export const hcTransferToHuman = defineTool({
  name: 'hc_transfer_to_human',
  description:
    'Transfers the live call to a person in one of the clinic departments: front_desk, nurse_line, billing or records. ' +
    'Tell the caller first and use it when they ask for a person, for billing disputes, records requests, or anything you cannot do. ' +
    'Never use it for an emergency: emergencies are told to hang up and call emergency services.',
  input: z.object({
    department: z.string().trim().min(1).describe('front_desk, nurse_line, billing or records.'),
    reason: z.string().trim().min(3).max(300).describe('One sentence for the person who picks up.'),
  }),
  output: z.object({ transferred: z.literal(true), department: z.string() }),
  idempotent: false,
  timeoutMs: 15_000,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    const dept = await getDepartment(ctx.db, input.department);
    if (!dept) {
      const known = (await listDepartments(ctx.db)).map((d) => d.id).join(', ');
      throw new ToolError('UNKNOWN_DEPARTMENT', `There is no department called that. Choose one of: ${known}.`);
    }
    const call = ctx.services.call;
    if (!call) {
      throw new ToolError('TRANSFER_UNAVAILABLE', "I can't transfer this call right now. Offer to take a message for a provider instead.");
    }
    await call.transfer(dept.phone, { announce: `Please hold while I connect you to our ${dept.name.toLowerCase()}.`, reason: input.reason });
    await insertTransfer(ctx.db, ctx.callId, dept.id, input.reason);
    return { transferred: true as const, department: dept.name };
  },
});
