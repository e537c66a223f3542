/** Requests that go to the care team: prescription refills and messages for a provider. */
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';
import { findPrescription, getProvider, insertProviderMessage, insertRefill, pendingRefill } from './repository.js';
import { e164, patientIdInput, personName, refuseAfterEmergency, requireVerified, settings } from './shared.js';

export const hcRequestRefill = defineTool({
  name: 'hc_request_refill',
  description:
    "Sends a refill request for one of the verified patient's active prescriptions to the prescriber. Say the medication name back first. " +
    'Refuses controlled substances and prescriptions with no refills left (offer a visit or a message to the provider instead).',
  input: z.object({
    patientId: patientIdInput,
    medication: z.string().trim().min(2).max(80).describe('Medication name as the caller said it, e.g. "lisinopril".'),
    pharmacy: z.string().trim().min(3).max(120).optional().describe('Pharmacy to send it to; omit to use the one on file.'),
  }),
  output: z.object({
    requestId: z.number(), medication: z.string(), pharmacy: z.string(), prescriber: z.string(),
    alreadyRequested: z.boolean(), expectedWithinHours: z.number(),
  }),
  idempotent: false,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    await requireVerified(ctx, input.patientId);
    const s = await settings(ctx);
    const matches = await findPrescription(ctx.db, input.patientId, input.medication);
    if (matches.length === 0) {
      throw new ToolError('PRESCRIPTION_NOT_FOUND', 'There is no active prescription for that medication on file. Offer to leave a message for the provider.');
    }
    if (matches.length > 1) {
      throw new ToolError('AMBIGUOUS_MEDICATION', `That matches ${matches.map((m) => m.medication).join(' and ')}. Ask which one.`);
    }
    const rx = matches[0]!;
    if (rx.controlled) {
      throw new ToolError('CONTROLLED_SUBSTANCE', `${rx.medication} can't be refilled over the phone. The patient needs to talk with ${rx.prescriber_name}; offer an appointment.`);
    }
    const pending = await pendingRefill(ctx.db, rx.id);
    const base = { medication: rx.medication, prescriber: rx.prescriber_name, expectedWithinHours: s.refillTurnaroundHours };
    if (pending) return { ...base, requestId: pending.id, pharmacy: input.pharmacy ?? rx.pharmacy ?? 'the pharmacy on file', alreadyRequested: true };
    if (rx.refills_remaining <= 0) {
      throw new ToolError('NO_REFILLS_LEFT', `There are no refills left on ${rx.medication}. ${rx.prescriber_name} must approve a new prescription: offer a message or an appointment.`);
    }
    const pharmacy = input.pharmacy ?? rx.pharmacy;
    if (!pharmacy) throw new ToolError('PHARMACY_NEEDED', 'There is no pharmacy on file. Ask which pharmacy to send it to.');
    const id = await insertRefill(ctx.db, { prescriptionId: rx.id, patientId: input.patientId, pharmacy, callId: ctx.callId });
    if (id === undefined) {
      const existing = await pendingRefill(ctx.db, rx.id);
      return { ...base, requestId: existing?.id ?? 0, pharmacy, alreadyRequested: true };
    }
    return { ...base, requestId: id, pharmacy, alreadyRequested: false };
  },
});

export const hcLeaveProviderMessage = defineTool({
  name: 'hc_leave_provider_message',
  description:
    'Leaves a message for a provider (providerId from hc_clinic_info), e.g. a question about results or medication. ' +
    'Read back the callback number first. Pass patientId only if that patient was verified on this call; anyone may leave a message, ' +
    'but nothing about a patient is told to an unverified caller. Not for emergencies or new symptoms: triage those first.',
  input: z.object({
    providerId: z.string().min(1),
    callerName: personName,
    callbackNumber: e164.describe('Callback number in E.164, e.g. +15551234567.'),
    message: z.string().trim().min(5).max(1000),
    priority: z.enum(['routine', 'soon']).optional().describe('"soon" if the caller needs an answer today; default routine.'),
    patientId: patientIdInput.optional(),
  }),
  output: z.object({ messageId: z.number(), provider: z.string(), expectedCallbackWithinHours: z.number() }),
  idempotent: false,
  async execute(input, ctx) {
    await refuseAfterEmergency(ctx);
    if (input.patientId !== undefined) await requireVerified(ctx, input.patientId);
    const s = await settings(ctx);
    const provider = await getProvider(ctx.db, input.providerId);
    if (!provider) throw new ToolError('UNKNOWN_PROVIDER', 'There is no provider with that id. Use the providerId values from hc_clinic_info.');
    const id = await insertProviderMessage(ctx.db, {
      providerId: provider.id, patientId: input.patientId ?? null, callerName: input.callerName, callbackNumber: input.callbackNumber,
      body: input.message, priority: input.priority ?? 'routine', callId: ctx.callId,
    });
    return { messageId: id, provider: provider.full_name, expectedCallbackWithinHours: s.messageCallbackHours };
  },
});
