/** Office facts (hours, contact, policies) and the live transfer to a person on the team. */
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';
import { requireOffice } from './tours.js';
import { getPolicy, listHours, localNow, pickTeamMember, policyTopics } from './repository.js';

const hoursOutput = z.array(z.object({ day: z.string(), opens: z.string(), closes: z.string() }));

export const reOfficeInfo = defineTool({
  name: 're_office_info',
  description: 'The brokerage\'s facts: address, phone, email, office hours, showing hours, whether the office is open now, and the policy on a topic (tours, rental_application, security_deposit, pets, offers, selling, maintenance, fair_housing). Use for every question about hours, fees or policies; never answer those from memory.',
  input: z.object({
    topic: z.string().max(40).optional().describe('Policy topic, e.g. pets, rental_application, security_deposit, tours, offers, selling, maintenance, fair_housing'),
  }),
  output: z.object({
    name: z.string(),
    address: z.string(),
    phone: z.string(),
    email: z.string(),
    localTime: z.string(),
    officeOpenNow: z.boolean(),
    officeHours: hoursOutput,
    showingHours: hoursOutput,
    policy: z.object({ topic: z.string(), summary: z.string() }).optional(),
    policyTopics: z.array(z.string()),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const office = await requireOffice(ctx.db);
    const topics = await policyTopics(ctx.db);
    let policy: { topic: string; summary: string } | undefined;
    if (input.topic) {
      const topic = input.topic.trim().toLowerCase().replace(/[\s-]+/g, '_');
      const summary = await getPolicy(ctx.db, topic);
      if (!summary) {
        throw new ToolError('UNKNOWN_TOPIC', `We have no written policy on "${input.topic}". Topics are: ${topics.join(', ')}. Offer to have an agent follow up.`);
      }
      policy = { topic, summary };
    }
    const now = await localNow(ctx.db, ctx.services.now(), 'office');
    const toRows = (rows: Awaited<ReturnType<typeof listHours>>) => rows.map((r) => ({ day: r.dayName, opens: r.opens, closes: r.closes }));
    return {
      name: office.name, address: office.address, phone: office.mainNumber, email: office.email,
      localTime: now.label, officeOpenNow: now.open,
      officeHours: toRows(await listHours(ctx.db, 'office')),
      showingHours: toRows(await listHours(ctx.db, 'showings')),
      ...(policy ? { policy } : {}),
      policyTopics: topics,
    };
  },
});

const DEPARTMENT_ROLE = {
  buying: 'buyer_agent',
  selling: 'listing_agent',
  renting: 'rental_agent',
  property_management: 'property_manager',
  offers: 'buyer_agent',
  general: 'broker',
} as const;

export const reTransferToHuman = defineTool({
  name: 're_transfer_to_human',
  description: 'Transfers the caller live to a person on the team for the department, during office hours. Tell the caller who you are connecting them to first. Outside office hours it refuses: then offer to record their details with re_qualify_lead so an agent calls back.',
  input: z.object({
    department: z.enum(['buying', 'selling', 'renting', 'property_management', 'offers', 'general']),
    reason: z.string().min(3).max(300).describe('One sentence for the person taking the call'),
  }),
  output: z.object({ transferred: z.literal(true), to: z.string(), role: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    const office = await requireOffice(ctx.db);
    const now = await localNow(ctx.db, ctx.services.now(), 'office');
    if (!now.open) {
      throw new ToolError('OFFICE_CLOSED', `The office is closed right now (it is ${now.label}). Offer to take the caller's details so an agent calls back when the office opens.`);
    }
    const member = (await pickTeamMember(ctx.db, DEPARTMENT_ROLE[input.department])) ?? (await pickTeamMember(ctx.db, 'broker'));
    if (!member) throw new ToolError('NOBODY_AVAILABLE', 'Nobody from that team is available right now. Offer to take the caller\'s details for a callback.');
    const call = ctx.services.call;
    if (!call) throw new ToolError('TRANSFER_UNAVAILABLE', `A live transfer is not possible on this call. Give the caller our main number, ${office.mainNumber}, or take their details.`);
    try {
      await call.transfer(member.phone, {
        announce: `Connecting you with ${member.name} now. Please hold.`,
        reason: input.reason,
      });
    } catch (err) {
      ctx.logger.warn('transfer failed', { err, department: input.department });
      throw new ToolError('TRANSFER_FAILED', 'The transfer did not go through. Apologise and offer to take the caller\'s details for a callback.', { retryable: true });
    }
    return { transferred: true as const, to: member.name, role: member.role };
  },
});

export const officeTools = [reOfficeInfo, reTransferToHuman];
