/**
 * The safety core of the after-hours line. Two guarantees are structural, not left to prompts:
 * - ah_triage: any danger sign makes the result life_safety, whose only action is "call
 *   emergency services" with the words to say; the categories table can raise urgency, never
 *   lower it below what the danger signs demand.
 * - ah_page_on_call: the caller either reaches the on-call person live, or the result tells
 *   them to call 911 if anyone is in danger (while the on-call person is paged by SMS).
 */
import { z } from 'zod';
import { defineTool, ToolError, type ToolContext } from '../../src/toolkit/index.js';
import { money, normalisePhone, phoneInput, postalCodeInput, requireBusiness, checkPostalCode } from './common.js';
import type { Business } from './repository.js';
import { categoryCodes, getCategory, insertMessage, onCallAt, recordAssessment, recordPage, type OnCallPerson } from './repository.js';

/** Signs of danger to people. Any one of them means: get out, call emergency services. */
export const DANGER_SIGNS = [
  'gas_smell', 'smoke_or_fire', 'carbon_monoxide_alarm', 'sparking_or_burning_smell', 'water_near_electrics', 'someone_hurt_or_unwell',
] as const;
export type DangerSign = (typeof DANGER_SIGNS)[number];

export type Level = 'life_safety' | 'urgent' | 'routine';

/** What to say for a danger to life: always starts with the emergency number. */
export function emergencyScript(business: Pick<Business, 'emergencyNumber' | 'gasUtilityName' | 'gasUtilityNumber'>, gas: boolean): string {
  const base = `Please get everyone out of the building now and call ${business.emergencyNumber} from outside.`;
  return gas
    ? `${base} Do not switch anything on or off on the way out. Once you are outside, also call ${business.gasUtilityName}.`
    : base;
}

const triageOutput = z.discriminatedUnion('level', [
  z.object({
    level: z.literal('life_safety'),
    action: z.literal('call_emergency_services'),
    say: z.string().describe('Say this first, word for word'),
    emergencyNumber: z.string(),
    gasUtility: z.object({ name: z.string(), phone: z.string() }).optional(),
    nextStep: z.string(),
    assessmentId: z.number(),
  }),
  z.object({
    level: z.literal('urgent'),
    action: z.literal('page_on_call'),
    say: z.string().describe('Safety steps to read to the caller'),
    dispatchFeeText: z.string(),
    nextStep: z.string(),
    assessmentId: z.number(),
  }),
  z.object({
    level: z.literal('routine'),
    action: z.literal('next_business_day'),
    say: z.string(),
    nextStep: z.string(),
    assessmentId: z.number(),
  }),
]);
export type TriageResult = z.infer<typeof triageOutput>;

export const ahTriage = defineTool({
  name: 'ah_triage',
  description: 'Decides how urgent the caller\'s problem is. Call it as soon as the caller describes a problem, with the closest category and EVERY danger sign they mention (gas smell, smoke or fire, carbon monoxide alarm, sparking or burning smell, water near electrics, someone hurt). life_safety: say the returned words at once, word for word. urgent: page the on-call technician. routine: offer a callback or take a message.',
  input: z.object({
    category: z.string().min(2).max(40).describe('burst_pipe, sewage_backup, no_heat, water_heater_leak, no_hot_water, clogged_drain, cooling_problem, gas_smell, fire_or_smoke, carbon_monoxide_alarm, electrical_hazard, or other'),
    dangerSigns: z.array(z.enum(DANGER_SIGNS)).max(6).optional().describe('Every danger sign the caller mentions; empty if none'),
    description: z.string().min(3).max(500).describe('The problem in the caller\'s words'),
    postalCode: postalCodeInput.optional(),
  }),
  output: triageOutput,
  idempotent: false,
  async execute(input, ctx): Promise<TriageResult> {
    const business = await requireBusiness(ctx.db);
    const signs = [...new Set(input.dangerSigns ?? [])];
    const requested = input.category.trim().toLowerCase().replace(/[\s-]+/g, '_');
    const category = await getCategory(ctx.db, requested);
    if (!category && signs.length === 0) {
      throw new ToolError('UNKNOWN_CATEGORY', `Pick the closest category: ${(await categoryCodes(ctx.db)).join(', ')}.`);
    }
    // Danger signs always win; the table decides only between urgent and routine otherwise.
    const level: Level = signs.length > 0 || category?.level === 'life_safety' ? 'life_safety' : category!.level;
    const postalCode = input.postalCode ? checkPostalCode(input.postalCode) : undefined;
    const assessmentId = await recordAssessment(ctx.db, {
      callId: ctx.callId, category: category?.code ?? 'other', level, flags: signs, postalCode,
    });
    if (level === 'life_safety') {
      const gas = signs.includes('gas_smell') || category?.code === 'gas_smell';
      return {
        level, action: 'call_emergency_services', say: emergencyScript(business, gas), emergencyNumber: business.emergencyNumber,
        ...(gas ? { gasUtility: { name: business.gasUtilityName, phone: business.gasUtilityNumber } } : {}),
        nextStep: 'Say it now, word for word, and make sure the caller heard it. Only once they say they are safe, offer to page the on-call technician to follow up.',
        assessmentId,
      };
    }
    if (level === 'urgent') {
      return {
        level, action: 'page_on_call', say: category!.guidance,
        dispatchFeeText: `${money(business.emergencyDispatchFeeCents)} emergency dispatch fee, plus parts and labor`,
        nextStep: 'Read the safety steps, mention the dispatch fee, then hand off to On-Call Paging to reach the technician now.',
        assessmentId,
      };
    }
    return {
      level, action: 'next_business_day', say: category!.guidance,
      nextStep: 'Offer a callback from the office (Callback Scheduling) or take a message (Message Taking).',
      assessmentId,
    };
  },
});

const pageOutput = z.object({
  reached: z.boolean().describe('true only when the caller was transferred live'),
  method: z.enum(['transfer', 'sms', 'none']),
  onCall: z.string().nullable().describe('First name and role of the person paged'),
  say: z.string().describe('Say this to the caller'),
  pageId: z.number(),
});

export const ahPageOnCall = defineTool({
  name: 'ah_page_on_call',
  description: 'Reaches the on-call person for an urgent problem, from the on-call schedule: a warm transfer to tier 1, then to the tier 2 backup; if neither connects, both are paged by text message with the caller\'s details. Read back the caller\'s name, callback number and address before calling it. Always say the returned words.',
  input: z.object({
    category: z.string().min(2).max(40).describe('The category given to ah_triage'),
    callerName: z.string().min(2).max(100),
    callbackNumber: phoneInput,
    address: z.string().min(5).max(200).describe('Service address, with the ZIP code if known'),
    summary: z.string().min(5).max(300).describe('One sentence for the technician: what is wrong and what the caller has done'),
  }),
  output: pageOutput,
  idempotent: false,
  timeoutMs: 45_000,
  async execute(input, ctx): Promise<z.infer<typeof pageOutput>> {
    const business = await requireBusiness(ctx.db);
    const callbackNumber = normalisePhone(input.callbackNumber);
    const category = (await getCategory(ctx.db, input.category.trim().toLowerCase())) ?? (await getCategory(ctx.db, 'other'));
    if (!category) throw new ToolError('NOT_CONFIGURED', `Tell the caller: if anyone is in danger, hang up and call ${business.emergencyNumber}.`);
    const onCall = await onCallAt(ctx.db, ctx.services.now());
    const record = (person: OnCallPerson | null, outcome: 'transferred' | 'sms_sent' | 'unreachable') => recordPage(ctx.db, {
      callId: ctx.callId, category: category.code, staffId: person?.staffId ?? null, tier: person?.tier ?? null,
      callerName: input.callerName.trim(), callbackNumber, address: input.address.trim(), summary: input.summary.trim(), outcome,
    });
    const firstName = (p: OnCallPerson): string => p.name.split(' ')[0] ?? p.name;
    const dangerLine = `If anyone is in danger before then, hang up and call ${business.emergencyNumber}.`;

    const transferred = await tryTransfers(ctx, onCall, input.summary.trim(), category.label);
    if (transferred) {
      const pageId = await record(transferred, 'transferred');
      return {
        reached: true, method: 'transfer', onCall: `${firstName(transferred)}, on-call ${transferred.role}`,
        say: `I'm connecting you to ${firstName(transferred)}, our on-call ${transferred.role}, now. Please stay on the line.`, pageId,
      };
    }
    const texted = await textAll(ctx, onCall, `${business.name} PAGE: ${category.label} at ${input.address.trim()}. ${input.summary.trim()} Call ${input.callerName.trim()} back at ${callbackNumber}.`);
    if (texted) {
      const pageId = await record(texted, 'sms_sent');
      return {
        reached: false, method: 'sms', onCall: `${firstName(texted)}, on-call ${texted.role}`,
        say: `I've paged ${firstName(texted)}, our on-call ${texted.role}, with your details. They will call you back at the number you gave within ${business.pageCallbackMinutes} minutes. ${dangerLine}`,
        pageId,
      };
    }
    // Nobody reachable: the caller is told about emergency services, and the manager gets a high-priority message.
    const pageId = await record(null, 'unreachable');
    await insertMessage(ctx.db, {
      callId: ctx.callId, callerName: input.callerName.trim(), callbackNumber, forTeam: 'manager', urgency: 'high',
      subject: `UNREACHED PAGE: ${category.label}`, body: `${input.summary.trim()} Address: ${input.address.trim()}.`,
    });
    return {
      reached: false, method: 'none', onCall: null,
      say: `I'm sorry, I could not reach our on-call technician just now. If anyone is in danger, hang up and call ${business.emergencyNumber} now. I've flagged this as urgent for our manager, who will call you back as soon as possible.`,
      pageId,
    };
  },
});

/** Warm transfer down the tiers; the first that connects wins. */
async function tryTransfers(ctx: ToolContext, onCall: OnCallPerson[], summary: string, label: string): Promise<OnCallPerson | null> {
  const call = ctx.services.call;
  if (!call) return null;
  for (const person of onCall) {
    try {
      await call.transfer(person.phone, {
        announce: `Connecting you to our on-call ${person.role} now. Please stay on the line.`,
        reason: `${label}: ${summary}`,
      });
      return person;
    } catch (err) {
      ctx.logger.warn('on-call transfer did not connect', { err, tier: person.tier });
    }
  }
  return null;
}

/** Texts every on-call person; returns the first who was texted. */
async function textAll(ctx: ToolContext, onCall: OnCallPerson[], body: string): Promise<OnCallPerson | null> {
  const sms = ctx.services.sms;
  if (!sms) return null;
  let first: OnCallPerson | null = null;
  for (const person of onCall) {
    try {
      await sms.send(person.phone, body, ctx.signal);
      first ??= person;
    } catch (err) {
      ctx.logger.warn('on-call page by SMS failed', { err, tier: person.tier });
    }
  }
  return first;
}

export const triageTools = [ahTriage, ahPageOnCall];
