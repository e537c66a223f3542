/** Quotes from the price book: plan seats plus add-ons, the discount policy enforced, optional SMS. */
import { z } from 'zod';
import { defineTool, ToolError, type Queryable } from '../../src/toolkit/index.js';
import { localDate } from '../common/index.js';
import { plusDays } from '../real-estate/relativeDates.js';
import { money, normalisePhone, phoneInput, requireCompany } from './common.js';
import { requireLead, leadRefInput } from './leadRef.js';
import { getProduct, priceTiers, tierFor, type ProductRow } from './repository.js';

/** The quotes table refuses more than this even for approval. */
const ABSOLUTE_MAX_DISCOUNT_PCT = 30;

interface Line { product: ProductRow; quantity: number; unitCents: number; lineCents: number }

async function priceLine(db: Queryable, product: ProductRow, quantity: number, term: 'monthly' | 'annual'): Promise<Line> {
  if (quantity < product.min_quantity) {
    throw new ToolError('BELOW_MINIMUM', `${product.name} starts at ${product.min_quantity} ${product.unit}s.`);
  }
  const tier = tierFor(await priceTiers(db, product.code, term), quantity);
  if (!tier) throw new ToolError('NO_PRICE', `There is no list price for ${quantity} ${product.unit}s of ${product.name}; an account executive quotes that.`);
  return { product, quantity, unitCents: tier.unitCents, lineCents: tier.unitCents * quantity };
}

export const salesCreateQuote = defineTool({
  name: 'sales_create_quote',
  description: 'Creates a written quote for a qualified lead (leadId, or the phone it was recorded with) from the price book: a plan with its seats, any add-ons, monthly or annual billing, and an optional discount. Discounts up to the phone limit are sent at once; larger ones go to a sales manager for approval. Read the plan, seats, add-ons, billing and discount back before calling it. Can text a summary to the caller.',
  input: z.object({
    ...leadRefInput,
    plan: z.enum(['starter', 'pro', 'enterprise']),
    seats: z.number().int().min(1).max(100000),
    billingTerm: z.enum(['monthly', 'annual']),
    addons: z.array(z.object({
      product: z.enum(['gps_tracking', 'customer_portal', 'advanced_reporting']),
      quantity: z.number().int().min(1).max(100000),
    })).max(3).optional(),
    discountPct: z.number().min(0).max(100).optional().describe('Percent off the list total; only if the caller asked and it was agreed'),
    textTo: phoneInput.optional().describe('Mobile number to text the quote summary to'),
  }),
  output: z.object({
    quoteId: z.number(),
    status: z.enum(['sent', 'pending_approval']),
    lines: z.array(z.object({ name: z.string(), quantity: z.number(), unitPriceText: z.string(), lineTotalText: z.string() })),
    listMonthlyText: z.string(),
    discountPct: z.number(),
    monthlyTotal: z.number(),
    monthlyTotalText: z.string(),
    billedText: z.string(),
    validUntil: z.string(),
    textedTo: z.string().optional(),
    note: z.string(),
  }),
  idempotent: false,
  async execute(input, ctx) {
    const company = await requireCompany(ctx.db);
    const lead = await requireLead(ctx.db, input);
    const discountPct = Math.round((input.discountPct ?? 0) * 10) / 10;
    if (discountPct > ABSOLUTE_MAX_DISCOUNT_PCT) {
      throw new ToolError('DISCOUNT_TOO_HIGH', `We cannot offer ${discountPct} percent. Say that the best pricing is on annual billing and volume tiers, and offer an account executive.`);
    }
    const addonCodes = (input.addons ?? []).map((a) => a.product);
    if (new Set(addonCodes).size !== addonCodes.length) throw new ToolError('DUPLICATE_ADDON', 'Each add-on can appear only once. Ask how many of each they need.');
    const plan = (await getProduct(ctx.db, input.plan))!;
    const lines = [await priceLine(ctx.db, plan, input.seats, input.billingTerm)];
    for (const addon of input.addons ?? []) {
      const product = await getProduct(ctx.db, addon.product);
      if (!product) throw new ToolError('UNKNOWN_PRODUCT', `There is no add-on called ${addon.product}.`);
      lines.push(await priceLine(ctx.db, product, addon.quantity, input.billingTerm));
    }
    const listCents = lines.reduce((sum, l) => sum + l.lineCents, 0);
    const monthlyCents = Math.round(listCents * (1 - discountPct / 100));
    const status = discountPct > company.maxPhoneDiscountPct ? 'pending_approval' as const : 'sent' as const;
    const validUntil = plusDays(localDate(ctx.services.now(), company.timezone), company.quoteValidDays);
    const textTo = input.textTo ? normalisePhone(input.textTo) : undefined;

    const quoteId = await ctx.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number }>(
        `INSERT INTO quotes (lead_id, plan_code, billing_term, seats, list_monthly_cents, discount_pct, monthly_cents, status, valid_until, created_call_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [lead.id, plan.code, input.billingTerm, input.seats, listCents, discountPct, monthlyCents, status, validUntil, ctx.callId],
      );
      const id = Number(rows[0]!.id);
      for (const [i, l] of lines.entries()) {
        await tx.query(
          'INSERT INTO quote_lines (quote_id, line_no, product_code, quantity, unit_price_cents, line_cents) VALUES ($1, $2, $3, $4, $5, $6)',
          [id, i + 1, l.product.code, l.quantity, l.unitCents, l.lineCents],
        );
      }
      return id;
    });

    const billedText = input.billingTerm === 'annual'
      ? `${money(monthlyCents * 12)} billed once a year`
      : `${money(monthlyCents)} billed monthly`;
    let textedTo: string | undefined;
    if (textTo && status === 'sent') {
      const sms = ctx.services.sms;
      if (sms) {
        try {
          await sms.send(textTo, `${company.name} quote ${quoteId}: ${plan.name}, ${input.seats} users, ${money(monthlyCents)} a month (${billedText}). Valid until ${validUntil}. Questions: ${company.salesEmail}`, ctx.signal);
          textedTo = `ending in ${textTo.slice(-4)}`;
        } catch (err) {
          ctx.logger.warn('quote SMS failed', { err, quoteId });
        }
      }
    }
    return {
      quoteId, status,
      lines: lines.map((l) => ({ name: l.product.name, quantity: l.quantity, unitPriceText: money(l.unitCents), lineTotalText: money(l.lineCents) })),
      listMonthlyText: money(listCents), discountPct, monthlyTotal: monthlyCents / 100, monthlyTotalText: money(monthlyCents),
      billedText, validUntil, ...(textedTo ? { textedTo } : {}),
      note: status === 'pending_approval'
        ? `A ${discountPct} percent discount needs a sales manager's approval; they will confirm by email within one business day.`
        : textTo && !textedTo ? `The text did not go through; the quote is also available from ${company.salesEmail}.` : 'The quote is ready.',
    };
  },
});

export const quoteTools = [salesCreateQuote];
