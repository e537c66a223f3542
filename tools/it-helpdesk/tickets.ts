/** Tickets: create, update, look up, escalate to tier 2 (with a warm transfer when it is staffed). */
import { z } from 'zod';
import { defineTool, ToolError, type ToolContext } from '../../src/toolkit/index.js';
import { existingArticleIds } from './knowledgeRepository.js';
import {
  addNote, escalateTicket, getDevice, getQueue, getTicket, insertTicket, latestNotes, markNotTransferred, ticketOpenedOnCall, queueHours, queueOpen, setTicketStatus, ticketsOf,
  touchTicket, type TicketRow,
} from './repository.js';
import { asDate, employeeIdInput, requireVerifiedEmployee, settings, spokenDateTime } from './shared.js';

const CATEGORIES = ['access', 'hardware', 'software', 'network', 'email', 'security', 'other'] as const;
const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
const OPEN_STATUSES = ['new', 'in_progress', 'waiting_on_caller', 'escalated'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

const ticketIdInput = z.number().int().positive().describe('The ticket number, digits only.');

const ticketOut = z.object({
  ticketId: z.number(), summary: z.string(), status: z.string(), priority: z.string(), category: z.string(), tier: z.number(),
  lastUpdated: z.string(), latestNote: z.string().nullable(),
});

async function ticketView(ctx: ToolContext, t: TicketRow, timezone: string): Promise<z.infer<typeof ticketOut>> {
  const [note] = await latestNotes(ctx.db, t.id, 1);
  return {
    ticketId: t.id, summary: t.summary, status: t.status.replace(/_/g, ' '), priority: t.priority, category: t.category, tier: t.tier,
    lastUpdated: spokenDateTime(asDate(t.updated_at), timezone), latestNote: note?.body ?? null,
  };
}

/** The caller's own ticket; anyone else's is reported exactly like a missing one. */
async function ownTicket(ctx: ToolContext, employeeId: string, ticketId: number): Promise<TicketRow> {
  const t = await getTicket(ctx.db, ticketId);
  if (!t || t.employee_id !== employeeId) {
    throw new ToolError('TICKET_NOT_FOUND', "I can't find that ticket under this employee. Ask for the number again, or look up their open tickets.");
  }
  return t;
}

export const itCreateTicket = defineTool({
  name: 'it_create_ticket',
  description:
    'Opens a ticket for the verified employee. Summarise the problem in one line, put what was tried in the description, and pass the ids of ' +
    'knowledge articles already followed. Read the summary back first. Lost or stolen devices and phishing clicks are category security, priority high.',
  input: z.object({
    employeeId: employeeIdInput,
    summary: z.string().trim().min(5).max(200),
    description: z.string().trim().min(5).max(2000).describe('What happened and what was already tried.'),
    category: z.enum(CATEGORIES),
    priority: z.enum(PRIORITIES).optional().describe('Default medium. critical only if many people cannot work.'),
    assetTag: z.string().trim().optional().describe('Asset tag of the device involved, e.g. LT-20411.'),
    kbArticleIds: z.array(z.string().regex(/^KB-\d{4}$/)).max(5).optional(),
  }),
  output: z.object({ ticketId: z.number(), status: z.string(), priority: z.string() }),
  idempotent: false,
  async execute(input, ctx) {
    const employee = await requireVerifiedEmployee(ctx, input.employeeId);
    let assetTag: string | null = null;
    if (input.assetTag) {
      const device = await getDevice(ctx.db, input.assetTag.toUpperCase());
      if (!device || device.employee_id !== employee.id) {
        throw new ToolError('DEVICE_NOT_FOUND', 'That asset tag is not assigned to this employee. Check it with it_device_lookup, or leave it out.');
      }
      assetTag = device.asset_tag;
    }
    const articles = [...new Set(input.kbArticleIds ?? [])];
    const known = await existingArticleIds(ctx.db, articles);
    const unknown = articles.filter((a) => !known.includes(a));
    if (unknown.length > 0) throw new ToolError('UNKNOWN_ARTICLE', `There is no article ${unknown.join(', ')}. Only pass ids returned by it_search_knowledge.`);
    const priority = input.priority ?? 'medium';
    const id = await insertTicket(ctx.db, {
      employeeId: employee.id, summary: input.summary, description: input.description, category: input.category, priority, assetTag,
      kbArticleIds: articles, callId: ctx.callId, at: ctx.services.now(),
    });
    return { ticketId: id, status: 'new', priority };
  },
});

export const itUpdateTicket = defineTool({
  name: 'it_update_ticket',
  description:
    "Updates one of the verified employee's tickets: add_note (new information), resolve (the caller says it is fixed), or reopen " +
    '(a resolved ticket whose problem came back; give the reason as the note).',
  input: z.object({
    employeeId: employeeIdInput,
    ticketId: ticketIdInput,
    action: z.enum(['add_note', 'resolve', 'reopen']),
    note: z.string().trim().min(3).max(2000).optional(),
  }),
  output: ticketOut,
  idempotent: false,
  async execute(input, ctx) {
    const employee = await requireVerifiedEmployee(ctx, input.employeeId);
    const s = await settings(ctx);
    const t = await ownTicket(ctx, employee.id, input.ticketId);
    const now = ctx.services.now();
    if (t.status === 'closed') throw new ToolError('TICKET_CLOSED', 'That ticket is closed and cannot change. Offer to open a new ticket that refers to it.');
    if ((input.action === 'add_note' || input.action === 'reopen') && !input.note) {
      throw new ToolError('NOTE_REQUIRED', 'Say what to add to the ticket as the note.');
    }
    if (input.action === 'add_note') {
      if (t.status === 'resolved') throw new ToolError('TICKET_RESOLVED', 'That ticket is resolved. If the problem is back, reopen it instead.');
      await addNote(ctx.db, t.id, 'caller', input.note!, ctx.callId, now);
      // The caller answering a question puts the ticket back in the queue.
      if (t.status === 'waiting_on_caller') await setTicketStatus(ctx.db, t.id, 'in_progress', ['waiting_on_caller'], now);
      else await touchTicket(ctx.db, t.id, now);
    } else if (input.action === 'resolve') {
      if (!(await setTicketStatus(ctx.db, t.id, 'resolved', OPEN_STATUSES, now))) {
        throw new ToolError('TICKET_NOT_OPEN', 'That ticket is already resolved.');
      }
      await addNote(ctx.db, t.id, 'caller', input.note ?? 'Caller confirmed the problem is fixed.', ctx.callId, now);
    } else {
      if (!(await setTicketStatus(ctx.db, t.id, 'in_progress', ['resolved'], now))) {
        throw new ToolError('TICKET_NOT_RESOLVED', 'That ticket is still open, so it does not need reopening. Add a note instead.');
      }
      await addNote(ctx.db, t.id, 'caller', `Reopened: ${input.note!}`, ctx.callId, now);
    }
    return ticketView(ctx, (await getTicket(ctx.db, t.id))!, s.timezone);
  },
});

export const itLookupTicket = defineTool({
  name: 'it_lookup_ticket',
  description:
    "The verified employee's tickets: one by number (ticketId), or, without it, their open tickets (most recent first), " +
    'with status, priority, tier and the latest update.',
  input: z.object({ employeeId: employeeIdInput, ticketId: ticketIdInput.optional() }),
  output: z.object({ tickets: z.array(ticketOut) }),
  idempotent: true,
  async execute(input, ctx) {
    const employee = await requireVerifiedEmployee(ctx, input.employeeId);
    const s = await settings(ctx);
    const rows = input.ticketId !== undefined ? [await ownTicket(ctx, employee.id, input.ticketId)] : await ticketsOf(ctx.db, employee.id, true);
    const tickets = [];
    for (const t of rows) tickets.push(await ticketView(ctx, t, s.timezone));
    return { tickets };
  },
});

function hoursText(hours: { weekday: number; opens_at: string; closes_at: string }[]): string {
  if (hours.length === 7) return 'around the clock';
  const days = hours.map((h) => WEEKDAYS[h.weekday]).join(', ');
  const first = hours[0];
  return first ? `${days}, ${first.opens_at.slice(0, 5)} to ${first.closes_at.slice(0, 5)}` : 'no hours set';
}

export const itEscalateToTier2 = defineTool({
  name: 'it_escalate_to_tier2',
  description:
    "Escalates the verified employee's open ticket to tier 2 (security tickets go to security operations). With transferNow and the team " +
    'staffed, the live call is transferred to them; otherwise they call back. Use it when the knowledge base has no answer, a fix needs admin ' +
    'rights, or a tool said to escalate. Create the ticket first; without ticketId the ticket opened on this call is escalated.',
  input: z.object({
    employeeId: employeeIdInput,
    ticketId: ticketIdInput.optional(),
    reason: z.string().trim().min(5).max(500).describe('Why tier 2 is needed, for the engineer who picks it up.'),
    transferNow: z.boolean().optional().describe('Transfer the live call if the team is staffed; default false.'),
  }),
  output: z.object({
    escalated: z.literal(true), ticketId: z.number(), team: z.string(), transferred: z.boolean(), callbackWithinHours: z.number().nullable(),
    teamHours: z.string(),
  }),
  idempotent: false,
  timeoutMs: 15_000,
  async execute(input, ctx) {
    const employee = await requireVerifiedEmployee(ctx, input.employeeId);
    const s = await settings(ctx);
    let t: TicketRow;
    if (input.ticketId !== undefined) t = await ownTicket(ctx, employee.id, input.ticketId);
    else {
      const opened = await ticketOpenedOnCall(ctx.db, employee.id, ctx.callId);
      if (!opened) throw new ToolError('MISSING_TICKET', 'Open a ticket with it_create_ticket first, or give the number of an existing one.');
      t = opened;
    }
    if (t.status === 'escalated') {
      throw new ToolError('ALREADY_ESCALATED', `That ticket is already with tier 2; they call back within ${s.tier2CallbackHours} hours of escalation.`);
    }
    if (t.status === 'resolved' || t.status === 'closed') throw new ToolError('TICKET_NOT_OPEN', 'That ticket is resolved. Reopen it first if the problem is back.');
    const queue = await getQueue(ctx.db, t.category === 'security' ? 'security' : 'tier2');
    if (!queue) throw new ToolError('QUEUE_MISSING', 'Tier 2 is not set up. Tell the caller their ticket stays with the service desk.');
    const now = ctx.services.now();
    const staffed = await queueOpen(ctx.db, queue.id, now, s.timezone);
    const transfer = input.transferNow === true && staffed && ctx.services.call !== undefined;
    if (!(await escalateTicket(ctx.db, { ticketId: t.id, queueId: queue.id, reason: input.reason, transferred: transfer, callId: ctx.callId, at: now }))) {
      throw new ToolError('TICKET_NOT_OPEN', 'That ticket can no longer be escalated.');
    }
    await addNote(ctx.db, t.id, 'service_desk', `Escalated to ${queue.name}: ${input.reason}`, ctx.callId, now);
    let transferred = false;
    if (transfer) {
      try {
        await ctx.services.call!.transfer(queue.phone, { announce: `Connecting you to ${queue.name} now about ticket ${t.id}.`, reason: input.reason });
        transferred = true;
      } catch (err) {
        // The escalation stands; tier 2 calls back instead.
        ctx.logger.warn('warm transfer to tier 2 failed', { error: (err as Error).message });
        await markNotTransferred(ctx.db, t.id);
      }
    }
    return {
      escalated: true as const, ticketId: t.id, team: queue.name, transferred,
      callbackWithinHours: transferred ? null : s.tier2CallbackHours, teamHours: hoursText(await queueHours(ctx.db, queue.id)),
    };
  },
});
