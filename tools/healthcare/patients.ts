/** Patient identity and records: verify, look up, register, insurance eligibility. */
import { z } from 'zod';
import { defineTool, sensitive, ToolError } from '../../src/toolkit/index.js';
import {
  activePrescriptions, failedAttempts, findPatientByIdentity, getPatient, getPlan, insertPatient, recordAttempt,
  recordVerification, searchPlans, type PlanRow,
} from './repository.js';
import { upcomingAppointments } from './schedulingRepository.js';
import {
  dateOnly, dollars, e164, localDate, patientIdInput, personName, phoneHint, refuseAfterEmergency, requireVerified, settings,
  spokenDateTime,
} from './shared.js';

/** Misses allowed per call before verification is refused for the rest of it. */
export const MAX_IDENTITY_ATTEMPTS = 3;
const MAX_AGE_YEARS = 120;

export const hcVerifyIdentity = defineTool({
  name: 'hc_verify_identity',
  description:
    "Verifies a patient before anything about them is shared or changed: the patient's first name, last name and date of birth must all match. " +
    'Read the spelling and the date back to the caller before calling. On success it returns the patientId the other tools need. ' +
    `After ${MAX_IDENTITY_ATTEMPTS} misses in one call it refuses; then offer a transfer to the front desk.`,
  input: z.object({
    firstName: personName.describe("The patient's first name."),
    lastName: personName.describe("The patient's last name."),
    dateOfBirth: sensitive(dateOnly.describe('Date of birth as YYYY-MM-DD.')),
  }),
  output: z.object({
    verified: z.boolean(),
    patientId: z.number().optional(),
    firstName: z.string().optional(),
    attemptsRemaining: z.number(),
  }),
  idempotent: false,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    const misses = await failedAttempts(ctx.db, ctx.callId);
    if (misses >= MAX_IDENTITY_ATTEMPTS) {
      throw new ToolError('IDENTITY_LOCKED', "I can't verify identity again on this call. Offer to transfer the caller to the front desk.");
    }
    const patient = await findPatientByIdentity(ctx.db, input.firstName, input.lastName, input.dateOfBirth);
    await recordAttempt(ctx.db, ctx.callId, patient !== undefined);
    if (!patient) {
      // Never say which part did not match.
      return { verified: false, attemptsRemaining: MAX_IDENTITY_ATTEMPTS - misses - 1 };
    }
    await recordVerification(ctx.db, ctx.callId, patient.id, 'name_dob');
    return { verified: true, patientId: patient.id, firstName: patient.first_name, attemptsRemaining: MAX_IDENTITY_ATTEMPTS - misses };
  },
});

export const hcLookupPatient = defineTool({
  name: 'hc_lookup_patient',
  description:
    "The verified patient's record: primary provider, phone on file (last four digits only), insurance on file, upcoming appointments " +
    'with their appointmentId, and active prescriptions. Needs a patientId verified on this call.',
  input: z.object({ patientId: patientIdInput }),
  output: z.object({
    patientId: z.number(),
    name: z.string(),
    primaryProvider: z.string().nullable(),
    phoneOnFile: z.string().nullable(),
    insurance: z.string().nullable(),
    upcomingAppointments: z.array(z.object({
      appointmentId: z.number(), when: z.string(), startsAt: z.string(), provider: z.string(), location: z.string(), reason: z.string(),
    })),
    activePrescriptions: z.array(z.object({ medication: z.string(), dosage: z.string(), refillsRemaining: z.number() })),
  }),
  idempotent: true,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    await requireVerified(ctx, input.patientId);
    const s = await settings(ctx);
    const patient = await getPatient(ctx.db, input.patientId);
    if (!patient) throw new ToolError('PATIENT_NOT_FOUND', 'That patient record no longer exists. Offer a transfer to the front desk.');
    const plan = patient.insurance_plan_id ? await getPlan(ctx.db, patient.insurance_plan_id) : undefined;
    const appointments = await upcomingAppointments(ctx.db, patient.id, ctx.services.now());
    const rx = await activePrescriptions(ctx.db, patient.id);
    return {
      patientId: patient.id,
      name: `${patient.first_name} ${patient.last_name}`,
      primaryProvider: patient.primary_provider_name,
      phoneOnFile: phoneHint(patient.phone),
      insurance: plan ? `${plan.payer} ${plan.plan_name}` : null,
      upcomingAppointments: appointments.map((a) => ({
        appointmentId: a.id, when: spokenDateTime(a.starts_at, s.timezone), startsAt: a.starts_at.toISOString(),
        provider: a.provider_name, location: a.location_name, reason: a.reason,
      })),
      activePrescriptions: rx.map((r) => ({ medication: r.medication, dosage: r.dosage, refillsRemaining: r.refills_remaining })),
    };
  },
});

export const hcRegisterPatient = defineTool({
  name: 'hc_register_patient',
  description:
    'Registers a new patient. Collect and read back the full name (spelled), date of birth and mobile number before calling. ' +
    'Insurance is optional: pass insurancePlanId only as returned by hc_check_insurance. If the person is already registered it refuses: ' +
    'verify them with hc_verify_identity instead (unless name, date of birth and mobile all match: then their record is returned). ' +
    'The patient counts as verified for the rest of this call.',
  input: z.object({
    firstName: personName,
    lastName: personName,
    dateOfBirth: sensitive(dateOnly.describe('Date of birth as YYYY-MM-DD.')),
    phone: e164.describe('Mobile number in E.164, e.g. +15551234567.'),
    email: sensitive(z.email()).optional(),
    insurancePlanId: z.string().optional().describe('A planId from hc_check_insurance.'),
    insuranceMemberId: sensitive(z.string().trim().min(3).max(40)).optional(),
  }),
  output: z.object({
    patientId: z.number(), name: z.string(), verified: z.literal(true), alreadyRegistered: z.boolean(), insurance: z.string().nullable(),
  }),
  idempotent: false,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    const s = await settings(ctx);
    const today = localDate(ctx.services.now(), s.timezone);
    if (input.dateOfBirth > today) {
      throw new ToolError('INVALID_DATE_OF_BIRTH', 'That date of birth is in the future. Please confirm it with the caller.');
    }
    if (Number(today.slice(0, 4)) - Number(input.dateOfBirth.slice(0, 4)) > MAX_AGE_YEARS) {
      throw new ToolError('INVALID_DATE_OF_BIRTH', 'That date of birth does not look right. Please confirm the year with the caller.');
    }
    let plan: PlanRow | undefined;
    if (input.insurancePlanId) {
      plan = await getPlan(ctx.db, input.insurancePlanId);
      if (!plan) throw new ToolError('UNKNOWN_INSURANCE_PLAN', 'That insurance plan is not on our list. Look it up with hc_check_insurance first.');
    }
    if (input.insuranceMemberId && !plan) {
      throw new ToolError('UNKNOWN_INSURANCE_PLAN', 'A member ID needs its insurance plan. Look the plan up with hc_check_insurance first.');
    }
    const id = await insertPatient(ctx.db, {
      firstName: input.firstName, lastName: input.lastName, dateOfBirth: input.dateOfBirth, phone: input.phone,
      email: input.email ?? null, insurancePlanId: plan?.id ?? null, insuranceMemberId: input.insuranceMemberId ?? null, callId: ctx.callId,
    });
    if (id === undefined) {
      // The same person registering again with the same mobile number (a repeated confirmation) gets their record back.
      const existing = await findPatientByIdentity(ctx.db, input.firstName, input.lastName, input.dateOfBirth);
      if (!existing || existing.phone !== input.phone) {
        throw new ToolError('PATIENT_ALREADY_REGISTERED', 'Someone with that name and date of birth is already a patient. Verify them with hc_verify_identity instead.');
      }
      await recordVerification(ctx.db, ctx.callId, existing.id, 'name_dob');
      const onFile = existing.insurance_plan_id ? await getPlan(ctx.db, existing.insurance_plan_id) : undefined;
      return {
        patientId: existing.id, name: `${existing.first_name} ${existing.last_name}`, verified: true as const, alreadyRegistered: true,
        insurance: onFile ? `${onFile.payer} ${onFile.plan_name}` : null,
      };
    }
    await recordVerification(ctx.db, ctx.callId, id, 'registration');
    return {
      patientId: id, name: `${input.firstName} ${input.lastName}`, verified: true as const, alreadyRegistered: false,
      insurance: plan ? `${plan.payer} ${plan.plan_name}` : null,
    };
  },
});

const planOut = z.object({
  planId: z.string(), payer: z.string(), planName: z.string(), accepted: z.boolean(),
  primaryCareCopay: z.string().nullable(), specialistCopay: z.string().nullable(), notes: z.string().nullable(),
});

function planView(p: PlanRow): z.infer<typeof planOut> {
  return {
    planId: p.id, payer: p.payer, planName: p.plan_name, accepted: p.accepted,
    primaryCareCopay: p.accepted ? dollars(p.primary_copay_cents) : null,
    specialistCopay: p.accepted ? dollars(p.specialist_copay_cents) : null,
    notes: p.notes,
  };
}

export const hcCheckInsurance = defineTool({
  name: 'hc_check_insurance',
  description:
    'Insurance questions. With patientId (verified on this call) it checks the coverage on file: whether the plan is accepted, ' +
    'whether coverage is active today, and the copays. With payer only (e.g. "Blue Cross") it says which matching plans the clinic accepts, ' +
    'no identity needed. Quote copays exactly as returned.',
  input: z.object({
    patientId: patientIdInput.optional(),
    payer: z.string().trim().min(2).max(80).optional().describe('Insurance company or plan name the caller mentioned.'),
  }),
  output: z.object({
    mode: z.enum(['patient_coverage', 'plan_lookup']),
    eligible: z.boolean().nullable(),
    coverageActive: z.boolean().nullable(),
    plans: z.array(planOut),
    explanation: z.string(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    if (input.patientId !== undefined) {
      await requireVerified(ctx, input.patientId);
      const s = await settings(ctx);
      const patient = await getPatient(ctx.db, input.patientId);
      if (!patient) throw new ToolError('PATIENT_NOT_FOUND', 'That patient record no longer exists. Offer a transfer to the front desk.');
      const plan = patient.insurance_plan_id ? await getPlan(ctx.db, patient.insurance_plan_id) : undefined;
      if (!plan) {
        return { mode: 'patient_coverage' as const, eligible: false, coverageActive: null, plans: [],
          explanation: 'There is no insurance on file for this patient. Visits are self-pay until insurance details are added at check-in.' };
      }
      const today = localDate(ctx.services.now(), s.timezone);
      const active = patient.coverage_ends_on === null || patient.coverage_ends_on >= today;
      const eligible = plan.accepted && active;
      const explanation = !plan.accepted
        ? `${plan.payer} ${plan.plan_name} is not accepted at this clinic. ${plan.notes ?? ''}`.trim()
        : !active
          ? `The coverage on file ended on ${patient.coverage_ends_on}. The patient should bring a current insurance card, or the visit is self-pay.`
          : `${plan.payer} ${plan.plan_name} is accepted and active.`;
      return { mode: 'patient_coverage' as const, eligible, coverageActive: active, plans: [planView(plan)], explanation };
    }
    if (!input.payer) throw new ToolError('MISSING_ARGUMENT', 'Give either the verified patientId or the insurance company name.');
    const plans = await searchPlans(ctx.db, input.payer);
    if (plans.length === 0) {
      return { mode: 'plan_lookup' as const, eligible: null, coverageActive: null, plans: [],
        explanation: 'That insurer is not on our list. The billing office can check out-of-network options; offer a transfer to billing.' };
    }
    const accepted = plans.filter((p) => p.accepted);
    return {
      mode: 'plan_lookup' as const, eligible: null, coverageActive: null, plans: plans.map(planView),
      explanation: accepted.length > 0
        ? `Accepted: ${accepted.map((p) => `${p.payer} ${p.plan_name}`).join('; ')}.`
        : 'None of the matching plans are accepted here.',
    };
  },
});
