/** What the product does and what it costs: plans, features, add-ons and the price book. */
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';
import { money, requireCompany, words } from './common.js';
import { getProduct, listFeatures, listProducts, planFeatureNames, priceTiers, tierFor } from './repository.js';

const planOut = z.object({ code: z.string(), name: z.string(), summary: z.string(), minUsers: z.number() });
const featureOut = z.object({ name: z.string(), description: z.string(), includedIn: z.array(z.string()), addon: z.string().nullable() });

export const salesProductInfo = defineTool({
  name: 'sales_product_info',
  description: 'What Fieldline does: the plans and their features, and for a question ("do you integrate with QuickBooks?", "is there GPS?") the matching features with the plans that include them or the add-on that provides them. Use it for every product question; never answer from memory.',
  input: z.object({
    question: z.string().max(300).optional().describe('The caller\'s product question in their words'),
    plan: z.string().max(40).optional().describe('starter, pro or enterprise, to list everything in that plan'),
  }),
  output: z.object({
    plans: z.array(planOut),
    planFeatures: z.array(z.string()).optional(),
    addons: z.array(z.object({ name: z.string(), summary: z.string() })),
    matches: z.array(featureOut),
    trialDays: z.number(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const company = await requireCompany(ctx.db);
    const products = await listProducts(ctx.db);
    const plans = products.filter((p) => p.kind === 'plan').map((p) => ({ code: p.code, name: p.name, summary: p.summary, minUsers: p.min_quantity }));
    const addons = products.filter((p) => p.kind === 'addon').map((p) => ({ name: p.name, summary: p.summary }));
    let planFeatures: string[] | undefined;
    if (input.plan) {
      const plan = await getProduct(ctx.db, input.plan);
      if (!plan || plan.kind !== 'plan') throw new ToolError('UNKNOWN_PLAN', `There is no plan called "${input.plan}". The plans are ${plans.map((p) => p.name).join(', ')}.`);
      planFeatures = await planFeatureNames(ctx.db, plan.code);
    }
    let matches: z.infer<typeof featureOut>[] = [];
    if (input.question?.trim()) {
      const asked = new Set(words(input.question));
      matches = (await listFeatures(ctx.db))
        .map((f) => ({ f, score: words(`${f.keywords} ${f.name}`).filter((w) => asked.has(w)).length }))
        .filter((x) => x.score > 0)
        .sort((a, b) => b.score - a.score || a.f.code.localeCompare(b.f.code))
        .slice(0, 3)
        .map(({ f }) => ({ name: f.name, description: f.description, includedIn: f.plans ? f.plans.split(', ') : [], addon: f.addon }));
      if (matches.length === 0 && !input.plan) {
        throw new ToolError('NO_MATCH', 'Nothing in the product information answers that. Say you are not sure, and offer a demo with a specialist who can answer it.');
      }
    }
    return { plans, ...(planFeatures ? { planFeatures } : {}), addons, matches, trialDays: company.trialDays };
  },
});

export const salesGetPricing = defineTool({
  name: 'sales_get_pricing',
  description: 'List prices from the price book for a plan or add-on: the volume tiers for monthly and annual billing and, for a quantity, the price per unit and the total per month. Prices are per user (or vehicle, or account) per month. Use it for every price question.',
  input: z.object({
    product: z.string().min(2).max(40).describe('starter, pro, enterprise, gps_tracking, customer_portal or advanced_reporting'),
    quantity: z.number().int().min(1).max(100000).optional().describe('Users (or vehicles) to price'),
    billingTerm: z.enum(['monthly', 'annual']).optional().describe('Omit to get both'),
  }),
  output: z.object({
    product: z.string(),
    name: z.string(),
    unit: z.string(),
    minimumQuantity: z.number(),
    terms: z.array(z.object({
      billingTerm: z.enum(['monthly', 'annual']),
      tiers: z.array(z.object({ from: z.number(), to: z.number().nullable(), unitPriceText: z.string() })),
      quote: z.object({ quantity: z.number(), unitPriceText: z.string(), monthlyTotal: z.number(), monthlyTotalText: z.string() }).optional(),
    })),
    annualSavingsText: z.string().optional(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const product = await getProduct(ctx.db, input.product.replace(/\s+/g, '_'));
    if (!product) throw new ToolError('UNKNOWN_PRODUCT', `There is no product called "${input.product}". Ask which plan or add-on they mean.`);
    if (input.quantity !== undefined && input.quantity < product.min_quantity) {
      throw new ToolError('BELOW_MINIMUM', `${product.name} starts at ${product.min_quantity} ${product.unit}s. Suggest that minimum or a smaller plan.`);
    }
    const termsWanted: ('monthly' | 'annual')[] = input.billingTerm ? [input.billingTerm] : ['monthly', 'annual'];
    const monthlyTotals: Partial<Record<'monthly' | 'annual', number>> = {};
    const terms = [];
    for (const billingTerm of termsWanted) {
      const tiers = await priceTiers(ctx.db, product.code, billingTerm);
      let quote: { quantity: number; unitPriceText: string; monthlyTotal: number; monthlyTotalText: string } | undefined;
      if (input.quantity !== undefined) {
        const tier = tierFor(tiers, input.quantity);
        if (!tier) throw new ToolError('NO_PRICE', `There is no list price for ${input.quantity} ${product.unit}s of ${product.name}; a sales rep quotes that.`);
        const total = tier.unitCents * input.quantity;
        monthlyTotals[billingTerm] = total;
        quote = { quantity: input.quantity, unitPriceText: money(tier.unitCents), monthlyTotal: total / 100, monthlyTotalText: money(total) };
      }
      terms.push({ billingTerm, tiers: tiers.map((t) => ({ from: t.min, to: t.max, unitPriceText: money(t.unitCents) })), ...(quote ? { quote } : {}) });
    }
    const m = monthlyTotals.monthly;
    const a = monthlyTotals.annual;
    return {
      product: product.code, name: product.name, unit: product.unit, minimumQuantity: product.min_quantity, terms,
      ...(m !== undefined && a !== undefined && a < m ? { annualSavingsText: `${money((m - a) * 12)} a year less on annual billing` } : {}),
    };
  },
});

export const catalogTools = [salesProductInfo, salesGetPricing];
