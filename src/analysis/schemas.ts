/**
 * Zod schemas built from a vertical's `analysis` block: its fields (checked before any analysis
 * is written, whoever produced it) and the structured output asked of the OpenAI model.
 */
import { z } from 'zod';
import type { AnalysisField, AnalysisSpec } from '../manifest/index.js';
import { judgementCriteria } from './success.js';
import { SENTIMENT_LABELS, UNKNOWN_INTENT } from './types.js';

export function fieldValueSchema(field: AnalysisField): z.ZodType {
  switch (field.type) {
    case 'string':
      return z.string().max(1000).nullable().describe(field.description);
    case 'number':
      return z.number().nullable().describe(field.description);
    case 'boolean':
      return z.boolean().nullable().describe(field.description);
    case 'enum': {
      const values = field.values ?? [];
      if (values.length === 0) return z.string().nullable().describe(field.description);
      return z.enum(values as [string, ...string[]]).nullable().describe(field.description);
    }
    case 'string[]':
      return z.array(z.string().max(200)).max(50).describe(field.description);
  }
}

// Building a zod object compiles its parser on first use (milliseconds): one per manifest's field list.
const fieldsCache = new WeakMap<readonly AnalysisField[], z.ZodObject>();
const outputCache = new WeakMap<AnalysisSpec, ReturnType<typeof buildModelOutputSchema>>();

/** Every declared field present (null when unknown), nothing else. Cached per field list. */
export function fieldsSchema(fields: readonly AnalysisField[]): z.ZodObject {
  let schema = fieldsCache.get(fields);
  if (!schema) {
    const shape: Record<string, z.ZodType> = {};
    for (const f of fields) shape[f.name] = fieldValueSchema(f);
    schema = z.strictObject(shape);
    fieldsCache.set(fields, schema);
  }
  return schema;
}

/** Intents the vertical names: its intent rules plus the values of an enum field called `intent`. */
export function knownIntents(spec: AnalysisSpec): string[] {
  const names = new Set(spec.intents.map((i) => i.name));
  for (const f of spec.fields) if (f.name === 'intent' && f.type === 'enum') for (const v of f.values ?? []) names.add(v);
  return [...names];
}

/** What the model must return. The lead score is not asked for: the rubric scores it from these answers. Cached per spec. */
export function modelOutputSchema(spec: AnalysisSpec): ReturnType<typeof buildModelOutputSchema> {
  let schema = outputCache.get(spec);
  if (!schema) {
    schema = buildModelOutputSchema(spec);
    outputCache.set(spec, schema);
  }
  return schema;
}

function buildModelOutputSchema(spec: AnalysisSpec) {
  const intents = knownIntents(spec);
  const intent = intents.length > 0
    ? z.enum([UNKNOWN_INTENT, ...intents])
    : z.string().min(1).max(100);
  // Judgement criteria of the success rubric: one required verdict each (criteria with `when` are decided from facts).
  const judged = judgementCriteria(spec);
  const success: Record<string, z.ZodType> = {};
  for (const c of judged) {
    success[c.name] = z.strictObject({
      passed: z.boolean().describe(`Whether the call met: ${c.description}`),
      reason: z.string().min(1).max(300).describe('One sentence saying why, from what the call shows.'),
    });
  }
  const base = {
    summary: z.string().min(1).max(1500).describe('Two to four sentences: who called, what they wanted, what was done, how the call ended.'),
    sentiment: z.strictObject({
      label: z.enum(SENTIMENT_LABELS).describe("The caller's overall sentiment."),
      score: z.number().min(-1).max(1).describe('-1 very negative, 0 neutral, 1 very positive.'),
    }),
    intent: intent.describe(`The caller's main intent${intents.length > 0 ? `, or "${UNKNOWN_INTENT}"` : ' as a short snake_case label'}.`),
    fields: fieldsSchema(spec.fields).describe('Vertical-specific facts; null when the call does not say.'),
  };
  return judged.length === 0
    ? z.strictObject(base)
    : z.strictObject({ ...base, success: z.strictObject(success).describe('The success rubric: a verdict per criterion.') });
}
export type ModelOutput = z.infer<ReturnType<typeof buildModelOutputSchema>>;
