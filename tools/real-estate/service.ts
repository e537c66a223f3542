/** After-sale and tenant service: offer status for the buyer who made it, and repair requests. */
import { z } from 'zod';
import { defineTool, ToolError, type ToolContext } from '../../src/toolkit/index.js';
import { dollars, money } from './common.js';
import { pickTeamMember } from './repository.js';
import { findActiveLease, getOffer, insertMaintenance, markManagerNotified } from './serviceRepository.js';

const OFFER_STATUS_TEXT: Record<string, string> = {
  submitted: 'submitted and waiting for the seller',
  under_review: 'being reviewed by the seller',
  countered: 'countered by the seller',
  accepted: 'accepted',
  rejected: 'declined by the seller',
  withdrawn: 'withdrawn',
  expired: 'expired without an answer',
};

export const reOfferStatus = defineTool({
  name: 're_offer_status',
  description: 'Status of a purchase offer for the buyer who made it: needs the offer number and the buyer\'s last name. Never discuss an offer without both matching.',
  input: z.object({
    offerId: z.number().int().positive().describe('Offer number'),
    lastName: z.string().min(2).max(60).describe('Buyer\'s last name as on the offer'),
  }),
  output: z.object({
    offerId: z.number(),
    address: z.string(),
    status: z.string(),
    statusText: z.string(),
    offerAmount: z.number(),
    counterAmount: z.number().nullable(),
    counterText: z.string().nullable(),
    submittedOn: z.string(),
    respondBy: z.string().nullable(),
    nextStep: z.string().nullable(),
    buyerAgent: z.string().nullable(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const offer = await getOffer(ctx.db, input.offerId);
    const matches = offer && offer.buyer_last_name.trim().toLowerCase() === input.lastName.trim().toLowerCase();
    if (!offer || !matches) {
      // One answer for both failures, so the tool cannot be used to probe offer numbers.
      throw new ToolError('OFFER_NOT_FOUND', 'I could not find an offer with that number and last name. Ask the caller to check both; only the buyer who made the offer can get its status.');
    }
    return {
      offerId: Number(offer.id), address: offer.address, status: offer.status,
      statusText: OFFER_STATUS_TEXT[offer.status] ?? offer.status,
      offerAmount: dollars(offer.amount_cents) ?? 0,
      counterAmount: dollars(offer.counter_amount_cents),
      counterText: money(offer.counter_amount_cents),
      submittedOn: offer.submitted_on, respondBy: offer.respond_by, nextStep: offer.next_step, buyerAgent: offer.agent_name,
    };
  },
});

/** Hazards to life: the caller is told to get out and call emergency services, whatever else happens. */
export const LIFE_SAFETY_HAZARDS = ['gas_smell', 'smoke_or_fire', 'carbon_monoxide_alarm', 'sparking_or_exposed_wires'] as const;
/** Property emergencies: the property manager on duty is alerted at once. */
export const PROPERTY_EMERGENCIES = ['active_flooding', 'no_heat', 'sewage_backup', 'no_water', 'no_power', 'locked_out'] as const;
const HAZARDS = [...LIFE_SAFETY_HAZARDS, ...PROPERTY_EMERGENCIES] as const;

export const EMERGENCY_SERVICES_SCRIPT =
  'Please leave the home now and call 911 from outside. If you smell gas, do not use light switches or anything electrical on the way out. Once you are safe, the property manager will follow up.';

const maintenanceOutput = z.object({
  requestId: z.number().nullable(),
  priority: z.enum(['emergency', 'urgent', 'routine']),
  action: z.enum(['call_emergency_services', 'manager_alerted', 'manager_not_reached', 'logged']),
  say: z.string(),
});

export const reReportMaintenance = defineTool({
  name: 're_report_maintenance',
  description: 'Logs a repair request from a current tenant (verified by street address, unit and last name) and sets its priority. Pass every hazard the caller mentions. For gas smell, smoke or fire, a carbon monoxide alarm or sparking wires the result tells the caller to leave and call 911: say that first, word for word. Property emergencies (flooding, no heat, sewage, no water or power, locked out) alert the property manager on duty.',
  input: z.object({
    address: z.string().min(3).max(120).describe('Street address of the rental'),
    unit: z.string().max(10).optional(),
    lastName: z.string().min(2).max(60).describe('Tenant\'s last name'),
    category: z.enum(['plumbing', 'electrical', 'heating_cooling', 'appliance', 'pest', 'lock_or_key', 'structural', 'other']),
    description: z.string().min(3).max(1000).describe('What is wrong, in the caller\'s words, one or two sentences'),
    hazards: z.array(z.enum(HAZARDS)).max(10).optional().describe('Every hazard the caller mentions; empty if none'),
    permissionToEnter: z.boolean().optional().describe('May a technician enter if nobody is home'),
  }),
  output: maintenanceOutput,
  idempotent: false,
  async execute(input, ctx): Promise<z.infer<typeof maintenanceOutput>> {
    const hazards = new Set(input.hazards ?? []);
    const lifeSafety = LIFE_SAFETY_HAZARDS.some((h) => hazards.has(h));
    const propertyEmergency = PROPERTY_EMERGENCIES.some((h) => hazards.has(h));
    const lease = await findActiveLease(ctx.db, input.address, input.unit, input.lastName, ctx.services.now());
    if (!lease) {
      // Safety never waits on paperwork: a danger to life gets the 911 instruction even unverified.
      if (lifeSafety) return { requestId: null, priority: 'emergency' as const, action: 'call_emergency_services' as const, say: EMERGENCY_SERVICES_SCRIPT };
      throw new ToolError('LEASE_NOT_FOUND', 'I could not match a current lease to that address and last name. Ask the caller to check the address, unit and the last name on the lease.');
    }
    const priority = lifeSafety || propertyEmergency ? 'emergency' : input.category === 'heating_cooling' || input.category === 'electrical' ? 'urgent' : 'routine';
    const requestId = await insertMaintenance(ctx.db, {
      leaseId: lease.id, category: input.category, priority, description: input.description.trim(),
      permissionToEnter: input.permissionToEnter ?? false, callId: ctx.callId,
    });
    if (priority !== 'emergency') {
      const when = priority === 'urgent' ? 'within one business day' : 'within three business days';
      return { requestId, priority, action: 'logged' as const, say: `Your request number is ${requestId}. The property manager will contact you ${when} to arrange the repair.` };
    }
    const notified = await alertManager(ctx, requestId, lease.address, input.category, [...hazards].join(', ') || input.category);
    if (lifeSafety) return { requestId, priority, action: 'call_emergency_services' as const, say: EMERGENCY_SERVICES_SCRIPT };
    return notified
      ? { requestId, priority, action: 'manager_alerted' as const, say: `Your request number is ${requestId}. The property manager on duty has been alerted and will call you shortly.` }
      : { requestId, priority, action: 'manager_not_reached' as const, say: `Your request number is ${requestId}. I could not reach the property manager automatically, so transfer the caller to property management or, if anyone is in danger, tell them to call 911.` };
  },
});

async function alertManager(
  ctx: ToolContext, requestId: number, address: string, category: string, hazards: string,
): Promise<boolean> {
  const manager = await pickTeamMember(ctx.db, 'property_manager');
  const sms = ctx.services.sms;
  if (!manager || !sms) return false;
  try {
    await sms.send(manager.phone, `EMERGENCY repair #${requestId} at ${address}: ${category} (${hazards}). Call the tenant now.`, ctx.signal);
    await markManagerNotified(ctx.db, requestId);
    return true;
  } catch (err) {
    ctx.logger.warn('could not alert the property manager', { err, requestId });
    return false;
  }
}

export const serviceTools = [reOfferStatus, reReportMaintenance];
