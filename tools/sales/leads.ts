/** Inbound qualification, the objection playbook, and the live hand-off to an account executive. */
import { z } from 'zod';
import { defineTool, sensitive, ToolError } from '../../src/toolkit/index.js';
import { normalisePhone, phoneInput, requireCompany, words } from './common.js';
import { requireLead, leadRefInput } from './leadRef.js';
import { getLeadByPhone, getRep, listObjections, pickAccountExecutive, repsAvailableNow, setLeadScore, upsertLead } from './repository.js';
import { recommendedPlan, scoreSalesLead, type SalesTimeline } from './scoring.js';

const TIMELINES = ['this_month', 'this_quarter', 'next_quarter', 'later', 'unknown'] as const;

export const salesQualifyLead = defineTool({
  name: 'sales_qualify_lead',
  description: 'Records or updates the caller as a sales lead (one per phone number) with what they told you: company, team size, current tool, pain points, timeline, budget and whether they decide. Scores the lead, assigns an account executive and recommends a plan. Read back the name, company and phone number first. Needed before a quote or a demo.',
  input: z.object({
    companyName: z.string().min(1).max(120),
    contactName: z.string().min(2).max(100),
    phone: phoneInput,
    email: sensitive(z.string().email()).optional(),
    role: z.string().max(80).optional().describe('Their job title'),
    industry: z.string().max(80).optional().describe('e.g. plumbing, HVAC, electrical, cleaning, landscaping'),
    teamSize: z.number().int().min(1).max(100000).optional().describe('People who would use Fieldline'),
    currentTool: z.string().max(120).optional().describe('What they use today (paper, spreadsheets, a competitor)'),
    painPoints: z.string().max(500).optional(),
    timeline: z.enum(TIMELINES).optional(),
    budgetConfirmed: z.boolean().optional(),
    decisionMaker: z.boolean().optional().describe('They make or sign off the decision'),
  }),
  output: z.object({
    leadId: z.number(),
    score: z.number(),
    grade: z.enum(['hot', 'warm', 'cold']),
    status: z.enum(['qualified', 'nurture']),
    accountExecutive: z.string().nullable(),
    recommendedPlan: z.string().nullable(),
  }),
  idempotent: false,
  async execute(input, ctx) {
    await requireCompany(ctx.db);
    const phone = normalisePhone(input.phone);
    const owner = await pickAccountExecutive(ctx.db);
    const row = await upsertLead(ctx.db, {
      ...input, companyName: input.companyName.trim(), contactName: input.contactName.trim(), phone, ownerRepId: owner?.id, callId: ctx.callId,
    });
    // Score the merged record: what this call added to what earlier calls told us.
    const teamSize = row.team_size == null ? null : Number(row.team_size);
    const { score, grade, status } = scoreSalesLead({
      teamSize, timeline: (row.timeline as SalesTimeline | null) ?? null,
      budgetConfirmed: row.budget_confirmed as boolean | null, decisionMaker: row.decision_maker as boolean | null,
      hasPainPoints: Boolean(row.pain_points), hasCurrentTool: Boolean(row.current_tool), hasEmail: Boolean(row.email),
    });
    const leadId = Number(row.id);
    await setLeadScore(ctx.db, leadId, score, grade, status);
    const rep = row.owner_rep_id == null ? undefined : await getRep(ctx.db, Number(row.owner_rep_id));
    const plan = recommendedPlan(teamSize);
    return { leadId, score, grade, status, accountExecutive: rep?.name ?? null, recommendedPlan: plan };
  },
});

export const salesHandleObjection = defineTool({
  name: 'sales_handle_objection',
  description: 'The approved answer to a concern (price, a competitor, timing, security, contract length, needing approval): a short response, one proof point and a follow-up question. Use it whenever the caller pushes back; never make up claims, numbers or customer names.',
  input: z.object({
    objection: z.string().min(3).max(300).describe('The concern in the caller\'s words'),
    category: z.enum(['price', 'competitor', 'timing', 'security', 'contract', 'need_approval']).optional(),
  }),
  output: z.object({ category: z.string(), response: z.string(), proofPoint: z.string(), followUpQuestion: z.string() }),
  idempotent: true,
  async execute(input, ctx) {
    const playbook = await listObjections(ctx.db);
    let entry = input.category ? playbook.find((p) => p.code === input.category) : undefined;
    if (!entry) {
      const said = new Set(words(input.objection));
      entry = playbook
        .map((p) => ({ p, score: words(p.keywords).filter((w) => said.has(w)).length }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score)[0]?.p;
    }
    if (!entry) {
      throw new ToolError('NO_PLAYBOOK', 'There is no approved answer for that. Acknowledge the concern, ask what is behind it, and offer to have an account executive follow up.');
    }
    return { category: entry.code, response: entry.response, proofPoint: entry.proof_point, followUpQuestion: entry.follow_up_question };
  },
});

export const salesTransferToRep = defineTool({
  name: 'sales_transfer_to_rep',
  description: 'Transfers the caller live to an account executive who is working now and not in a demo (the lead\'s own account executive first). Tell the caller first. If nobody is free it refuses: then offer to book a demo.',
  input: z.object({
    reason: z.string().min(3).max(300).describe('One sentence for the account executive'),
    ...leadRefInput,
  }),
  output: z.object({ transferred: z.literal(true), to: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    await requireCompany(ctx.db);
    // A known lead goes to its own account executive; an unknown phone just goes to whoever is free.
    const lead = input.leadId !== undefined
      ? await requireLead(ctx.db, { leadId: input.leadId })
      : input.phone ? await getLeadByPhone(ctx.db, normalisePhone(input.phone)) : undefined;
    const reps = await repsAvailableNow(ctx.db, ctx.services.now(), lead?.owner_rep_id == null ? null : Number(lead.owner_rep_id));
    const rep = reps[0];
    if (!rep) throw new ToolError('NO_REP_AVAILABLE', 'No account executive is free right now. Offer to book a demo at a time that suits the caller.');
    const call = ctx.services.call;
    if (!call) throw new ToolError('TRANSFER_UNAVAILABLE', 'A live transfer is not possible on this call. Offer to book a demo instead.');
    try {
      await call.transfer(rep.phone, { announce: `Connecting you with ${rep.name} now.`, reason: input.reason });
    } catch (err) {
      ctx.logger.warn('transfer to a rep failed', { err });
      throw new ToolError('TRANSFER_FAILED', 'The transfer did not go through. Apologise and offer to book a demo.', { retryable: true });
    }
    return { transferred: true as const, to: rep.name };
  },
});

export const leadTools = [salesQualifyLead, salesHandleObjection, salesTransferToRep];
