/** Read-only desk tools: the knowledge base, service status, and the employee's devices. */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';
import { ensureKnowledgeIndexed, knowledgeDirFor, searchKnowledge } from './knowledge.js';
import { devicesOf, listServices } from './repository.js';
import { asDate, employeeIdInput, localDate, requireVerifiedEmployee, settings, spokenDate, spokenDateTime } from './shared.js';

const SUMMARY_CHARS = 300;

/** The first paragraph (or the first few hundred characters) of an article. */
function summaryOf(body: string): string {
  const first = body.split(/\n\s*\n/)[0] ?? body;
  return first.length <= SUMMARY_CHARS ? first : `${first.slice(0, SUMMARY_CHARS - 1)}…`;
}

export const itSearchKnowledge = defineTool({
  name: 'it_search_knowledge',
  description:
    'Searches the IT knowledge base. Use it for every how-to or troubleshooting question before answering. Answer only from the returned ' +
    'articles, one step at a time, and name the article id you used (e.g. "article KB-0004"). If found is false, say you do not know; ' +
    'never invent steps. Then offer a ticket.',
  input: z.object({ query: z.string().trim().min(2).max(300).describe("The caller's problem in a few words, e.g. \"vpn keeps disconnecting\".") }),
  output: z.object({
    found: z.boolean(),
    articles: z.array(z.object({ articleId: z.string(), title: z.string(), relevance: z.number(), content: z.string() })),
    instruction: z.string(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const dir = knowledgeDirFor(ctx.vertical);
    if (!existsSync(dir)) throw new ToolError('KNOWLEDGE_UNAVAILABLE', "The knowledge base isn't available. Offer to open a ticket instead.");
    await ensureKnowledgeIndexed(ctx.db, dir);
    const result = await searchKnowledge(ctx.db, input.query, 3, { signal: ctx.signal });
    if (!result.found) {
      return {
        found: false, articles: [],
        instruction: "No article covers this. Tell the caller you don't know the answer, do not guess, and offer to open a ticket.",
      };
    }
    return {
      found: true,
      // The best article in full (it is what the agent walks the caller through); the others as a pointer.
      articles: result.hits.map((h, i) => ({ articleId: h.id, title: h.title, relevance: h.score, content: i === 0 ? h.body : summaryOf(h.body) })),
      instruction: 'Answer only from these articles, one step at a time, and mention the article id. If they do not fit the problem, say so.',
    };
  },
});

export const itServiceStatus = defineTool({
  name: 'it_service_status',
  description:
    'Live status of company IT services (email, VPN, single sign-on, Wi-Fi, ERP, printing, Teams, file shares): operational, degraded, ' +
    'outage or maintenance, with the latest message. Check it first when something stopped working, and before troubleshooting.',
  input: z.object({ service: z.string().trim().min(2).max(60).optional().describe('A service name such as "vpn" or "email"; omit for all.') }),
  output: z.object({
    allOperational: z.boolean(),
    matched: z.boolean(),
    services: z.array(z.object({ service: z.string(), name: z.string(), status: z.string(), message: z.string().nullable(), updated: z.string() })),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const s = await settings(ctx);
    let rows = await listServices(ctx.db, input.service ?? null);
    const matched = rows.length > 0 || input.service === undefined;
    if (rows.length === 0) rows = await listServices(ctx.db, null);
    return {
      allOperational: rows.every((r) => r.status === 'operational'),
      matched,
      services: rows.map((r) => ({
        service: r.id, name: r.name, status: r.status,
        message: r.eta ? `${r.message ?? ''} Expected fix: ${spokenDateTime(asDate(r.eta), s.timezone)}.`.trim() : r.message,
        updated: spokenDateTime(asDate(r.updated_at), s.timezone),
      })),
    };
  },
});

export const itDeviceLookup = defineTool({
  name: 'it_device_lookup',
  description:
    "The verified employee's company devices: asset tag, model, operating system, warranty, last check-in, encryption and compliance. " +
    'Use it to find the asset tag for a ticket or to see whether a device is under warranty or non-compliant.',
  input: z.object({ employeeId: employeeIdInput, assetTag: z.string().trim().optional().describe('One device, e.g. LT-20411; omit for all.') }),
  output: z.object({
    devices: z.array(z.object({
      assetTag: z.string(), kind: z.string(), model: z.string(), os: z.string(), status: z.string(),
      underWarranty: z.boolean(), warrantyEnds: z.string(), lastCheckIn: z.string().nullable(), encrypted: z.boolean(), compliance: z.string(),
    })),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const employee = await requireVerifiedEmployee(ctx, input.employeeId);
    const s = await settings(ctx);
    let devices = await devicesOf(ctx.db, employee.id);
    if (input.assetTag) {
      devices = devices.filter((d) => d.asset_tag === input.assetTag!.toUpperCase());
      if (devices.length === 0) throw new ToolError('DEVICE_NOT_FOUND', 'No device with that asset tag is assigned to this employee.');
    }
    const today = localDate(ctx.services.now(), s.timezone);
    return {
      devices: devices.map((d) => ({
        assetTag: d.asset_tag, kind: d.kind, model: d.model, os: d.os, status: d.status.replace(/_/g, ' '),
        underWarranty: d.warranty_ends_on >= today, warrantyEnds: spokenDate(d.warranty_ends_on),
        lastCheckIn: d.last_check_in ? spokenDateTime(asDate(d.last_check_in), s.timezone) : null,
        encrypted: d.encrypted, compliance: d.compliance,
      })),
    };
  },
});
