/** Business facts for general questions: hours, services, service area, fees, and the FAQ. */
import { z } from 'zod';
import { defineTool, ToolError } from '../../src/toolkit/index.js';
import { checkPostalCode, money, postalCodeInput, requireBusiness } from './common.js';
import { clockAt, listFaqs, listHours, listServices, serviceAreaCity } from './repository.js';

const DAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export const ahBusinessInfo = defineTool({
  name: 'ah_business_info',
  description: 'Facts about the business: whether the office is open now and when it next opens, office hours, the services offered (and which are available after hours), the after-hours dispatch fee, and whether a ZIP code is in the service area. Use it for every such question; never answer from memory.',
  input: z.object({
    postalCode: postalCodeInput.optional().describe('ZIP code to check against the service area'),
  }),
  output: z.object({
    name: z.string(),
    mainNumber: z.string(),
    localTime: z.string(),
    officeOpenNow: z.boolean(),
    nextOpening: z.string().nullable(),
    officeHours: z.array(z.object({ day: z.string(), opens: z.string(), closes: z.string() })),
    services: z.array(z.object({ name: z.string(), description: z.string(), availableAfterHours: z.boolean() })),
    emergencyDispatchFeeText: z.string(),
    serviceArea: z.object({ postalCode: z.string(), served: z.boolean(), city: z.string().nullable() }).optional(),
  }),
  idempotent: true,
  async execute(input, ctx) {
    const business = await requireBusiness(ctx.db);
    const clock = await clockAt(ctx.db, ctx.services.now());
    let serviceArea: { postalCode: string; served: boolean; city: string | null } | undefined;
    if (input.postalCode) {
      const zip = checkPostalCode(input.postalCode);
      const city = await serviceAreaCity(ctx.db, zip);
      serviceArea = { postalCode: zip, served: city !== undefined, city: city ?? null };
    }
    return {
      name: business.name, mainNumber: business.mainNumber, localTime: clock.label, officeOpenNow: clock.open,
      nextOpening: clock.open ? null : clock.nextOpening,
      officeHours: (await listHours(ctx.db)).map((h) => ({ day: DAY_NAMES[h.weekday] ?? String(h.weekday), opens: h.opens, closes: h.closes })),
      services: (await listServices(ctx.db)).map((s) => ({ name: s.name, description: s.description, availableAfterHours: Boolean(s.after_hours_available) })),
      emergencyDispatchFeeText: `${money(business.emergencyDispatchFeeCents)} for an emergency visit outside office hours, plus parts and labor`,
      ...(serviceArea ? { serviceArea } : {}),
    };
  },
});

const STOP_WORDS = new Set(['the', 'a', 'an', 'is', 'do', 'you', 'i', 'my', 'what', 'how', 'can', 'to', 'of', 'for', 'it', 'and', 'or', 'in', 'on', 'are', 'if', 'me']);

/** Words of a question, lower-case, without stop words and a trailing plural "s". */
export function questionWords(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 1 && !STOP_WORDS.has(w)).map((w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w));
}

export const ahAnswerFaq = defineTool({
  name: 'ah_answer_faq',
  description: 'Answers a general question (fees, payment methods, warranty, estimates, scheduling, frozen pipes, shutting off water) from the business\'s written answers. Read the answer in your own short words; if nothing matches, say you don\'t know and offer to take a message.',
  input: z.object({ question: z.string().min(3).max(300).describe('The caller\'s question in their words') }),
  output: z.object({ topic: z.string(), answer: z.string(), alsoRelevant: z.array(z.string()) }),
  idempotent: true,
  async execute(input, ctx) {
    const asked = new Set(questionWords(input.question));
    const scored = (await listFaqs(ctx.db))
      .map((f) => ({ f, score: questionWords(`${f.keywords} ${f.topic.replace(/_/g, ' ')}`).filter((w) => asked.has(w)).length }))
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || a.f.topic.localeCompare(b.f.topic));
    const best = scored[0];
    if (!best) {
      throw new ToolError('NO_ANSWER', 'There is no written answer for that. Say you don\'t know, and offer to take a message for the office.');
    }
    return { topic: best.f.topic, answer: best.f.answer, alsoRelevant: scored.slice(1, 3).map((x) => x.f.topic) };
  },
});

export const officeTools = [ahBusinessInfo, ahAnswerFaq];
