/** Lead qualification (score, grade, assigned agent) and the mortgage pre-qualification estimate. */
import { z } from 'zod';
import { defineTool, sensitive, ToolError } from '../../src/toolkit/index.js';
import { dollars, money, normalisePhone, phoneInput, toCents } from './common.js';
import { getLead, getTeamMember, pickTeamMember, upsertLead } from './repository.js';
import { prequalify, scoreLead } from './scoring.js';
import { findLeadIdByPhone, getRate, insertPrequal } from './serviceRepository.js';
import { requireOffice } from './tours.js';

const INTENT_ROLE = { buy: 'buyer_agent', sell: 'listing_agent', rent: 'rental_agent', invest: 'broker' } as const;
const TIMELINES = ['asap', '1_3_months', '3_6_months', '6_plus_months', 'just_browsing'] as const;

export const reQualifyLead = defineTool({
  name: 're_qualify_lead',
  description: 'Records (or updates) the caller as a lead with what they told you: intent, timeline, budget, financing, areas, bedrooms. Scores the lead, assigns an agent and returns who will follow up. Read back the name and phone number before calling it.',
  input: z.object({
    name: z.string().min(2).max(100),
    phone: phoneInput,
    email: sensitive(z.string().email()).optional(),
    intent: z.enum(['buy', 'sell', 'rent', 'invest']),
    timeline: z.enum(TIMELINES).optional().describe('When they want to move: asap, 1_3_months, 3_6_months, 6_plus_months, just_browsing'),
    budgetMin: z.number().nonnegative().optional().describe('Dollars (monthly rent for renters)'),
    budgetMax: z.number().positive().optional().describe('Dollars (monthly rent for renters; expected price for sellers)'),
    preApproved: z.boolean().optional().describe('Buyers: already pre-approved for a mortgage'),
    areas: z.string().max(200).optional().describe('Neighborhoods or cities of interest (for sellers: where the home is)'),
    bedroomsMin: z.number().int().min(0).max(20).optional(),
    notes: z.string().max(1000).optional().describe('Anything else useful for the agent, in one or two sentences'),
  }),
  output: z.object({
    leadId: z.number(),
    score: z.number(),
    grade: z.enum(['hot', 'warm', 'cold']),
    assignedAgent: z.string().nullable(),
    followUp: z.string(),
  }),
  idempotent: false,
  async execute(input, ctx) {
    const phone = normalisePhone(input.phone);
    if (input.budgetMin !== undefined && input.budgetMax !== undefined && input.budgetMax < input.budgetMin) {
      throw new ToolError('BAD_BUDGET', 'The top of the budget is below the bottom. Ask the caller for their budget again.');
    }
    const { score, grade } = scoreLead({
      intent: input.intent, timeline: input.timeline, preApproved: input.preApproved,
      hasBudget: input.budgetMax !== undefined || input.budgetMin !== undefined,
      hasArea: Boolean(input.areas?.trim()), hasEmail: Boolean(input.email),
    });
    const agent = (await pickTeamMember(ctx.db, INTENT_ROLE[input.intent])) ?? (await pickTeamMember(ctx.db, 'broker'));
    const { id } = await upsertLead(ctx.db, {
      name: input.name.trim(), phone, email: input.email, intent: input.intent, timeline: input.timeline,
      budgetMinCents: input.budgetMin === undefined ? undefined : toCents(input.budgetMin),
      budgetMaxCents: input.budgetMax === undefined ? undefined : toCents(input.budgetMax),
      preApproved: input.preApproved, areas: input.areas?.trim() || undefined, bedroomsMin: input.bedroomsMin,
      notes: input.notes, score, grade, assignedAgentId: agent?.id, callId: ctx.callId,
    });
    // An existing lead keeps the agent it already has.
    const lead = await getLead(ctx.db, id);
    const assigned = lead?.assigned_agent_id != null ? await getTeamMember(ctx.db, Number(lead.assigned_agent_id)) : agent;
    const when = grade === 'hot' ? 'today' : 'within one business day';
    return {
      leadId: id, score, grade,
      assignedAgent: assigned?.name ?? null,
      followUp: assigned ? `${assigned.name} will call you ${when}.` : 'One of our agents will call you within one business day.',
    };
  },
});

const PRODUCTS = ['30_year_fixed', '15_year_fixed', '7_1_arm', 'fha_30_year'] as const;

export const reMortgagePrequal = defineTool({
  name: 're_mortgage_prequal',
  description: 'A rough pre-qualification: the highest home price the caller might afford with today\'s rate for a loan product, from gross annual income, monthly debt payments and the down payment (28/36 rule, with tax and insurance). It is an estimate, not a loan approval; offer our lending partner for a real pre-approval.',
  input: z.object({
    annualIncome: z.number().positive().describe('Gross household income per year, dollars'),
    monthlyDebts: z.number().nonnegative().describe('Monthly payments on car loans, student loans, cards, dollars; 0 if none'),
    downPayment: z.number().nonnegative().describe('Cash for the down payment, dollars'),
    product: z.enum(PRODUCTS).optional().describe('Loan product, default 30_year_fixed'),
    phone: phoneInput.optional().describe('Caller\'s phone, to attach the estimate to their lead'),
  }),
  output: z.object({
    product: z.string(),
    ratePct: z.number(),
    aprPct: z.number(),
    ratesAsOf: z.string(),
    maxPrice: z.number(),
    maxPriceText: z.string(),
    loanAmount: z.number(),
    monthlyPayment: z.number(),
    monthlyPaymentText: z.string(),
    limitedBy: z.enum(['income', 'down_payment']),
    minDownPaymentPct: z.number(),
    lender: z.object({ name: z.string(), phone: z.string() }),
    disclaimer: z.string(),
  }),
  idempotent: false,
  async execute(input, ctx) {
    const office = await requireOffice(ctx.db);
    const product = input.product ?? '30_year_fixed';
    const rate = await getRate(ctx.db, product);
    if (!rate) throw new ToolError('NO_RATE', 'We do not have a current rate for that loan product. Offer our lending partner instead.');
    const result = prequalify({
      annualIncomeCents: toCents(input.annualIncome), monthlyDebtsCents: toCents(input.monthlyDebts),
      downPaymentCents: toCents(input.downPayment), ratePct: rate.rate_pct, termYears: rate.term_years,
      minDownPaymentPct: rate.min_down_payment_pct, propertyTaxRatePct: office.propertyTaxRatePct, insuranceRatePct: office.insuranceRatePct,
    });
    if (result.maxPriceCents <= 0) {
      throw new ToolError('NOT_ENOUGH_INCOME', 'With those debts and income the estimate comes out at zero. Be kind, and offer a conversation with our lending partner, who can look at the full picture.');
    }
    const leadId = input.phone ? await findLeadIdByPhone(ctx.db, normalisePhone(input.phone)) : undefined;
    await insertPrequal(ctx.db, {
      leadId, product, annualIncomeCents: toCents(input.annualIncome), monthlyDebtsCents: toCents(input.monthlyDebts),
      downPaymentCents: toCents(input.downPayment), maxPriceCents: result.maxPriceCents,
      monthlyPaymentCents: result.monthlyPaymentCents, callId: ctx.callId,
    });
    return {
      product, ratePct: rate.rate_pct, aprPct: rate.apr_pct, ratesAsOf: rate.as_of,
      maxPrice: dollars(result.maxPriceCents) ?? 0, maxPriceText: money(result.maxPriceCents) ?? '',
      loanAmount: dollars(result.loanCents) ?? 0,
      monthlyPayment: dollars(result.monthlyPaymentCents) ?? 0, monthlyPaymentText: `${money(result.monthlyPaymentCents) ?? ''} a month`,
      limitedBy: result.limitedBy, minDownPaymentPct: rate.min_down_payment_pct,
      lender: { name: office.lenderPartnerName, phone: office.lenderPartnerNumber },
      disclaimer: 'This is an estimate, not a loan approval or a commitment to lend. Rates change daily.',
    };
  },
});

export const leadTools = [reQualifyLead, reMortgagePrequal];
