/**
 * Sensitive tool fields: `sensitive(z.string())` marks a field whose value (a date of birth, a
 * card-like number, an e-mail address) must not be kept in the tool audit. The tool still gets the
 * real value; `tool_invocations` stores `REDACTED` in its place (arguments and results alike).
 *
 * The mark lives in a private registry, not in zod's global metadata (`.meta()`), because that
 * metadata is copied into the JSON schema the model is sent, where an unknown keyword has no
 * business. zod methods return new schemas, so mark the field last (after `.describe()`):
 * `sensitive(z.string().describe('Date of birth as YYYY-MM-DD.'))`, `sensitive(email.optional())`
 * or `sensitive(email).optional()` all work.
 */
import { z } from 'zod';
import { REDACTED } from '../shared/index.js';

export { REDACTED };

const marked = new WeakSet<z.ZodType>();

/** Marks a field as sensitive: redacted in the tool audit, passed to the tool untouched. */
export function sensitive<T extends z.ZodType>(schema: T): T {
  marked.add(schema);
  return schema;
}

/** The schema inside optional/nullable/default/readonly/catch/pipe wrappers, layer by layer. */
function layers(schema: z.ZodType): z.ZodType[] {
  const out: z.ZodType[] = [];
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s && i < 10; i++) {
    out.push(s);
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault
      || s instanceof z.ZodReadonly || s instanceof z.ZodCatch || s instanceof z.ZodPrefault || s instanceof z.ZodNonOptional) {
      s = (s as unknown as { unwrap(): z.ZodType }).unwrap();
    } else if (s instanceof z.ZodPipe) {
      s = s.in as z.ZodType;
    } else {
      s = undefined;
    }
  }
  return out;
}

/** Is this field (or what it wraps) marked sensitive? */
export function isSensitive(schema: z.ZodType): boolean {
  return layers(schema).some((s) => marked.has(s));
}

/** Does the schema contain a sensitive field anywhere? (Tools without one skip the walk.) */
export function hasSensitiveFields(schema: z.ZodType, depth = 0): boolean {
  if (depth > 8) return false;
  if (isSensitive(schema)) return true;
  const inner = layers(schema).at(-1)!;
  if (inner instanceof z.ZodObject) return Object.values(inner.shape as Record<string, z.ZodType>).some((f) => hasSensitiveFields(f, depth + 1));
  if (inner instanceof z.ZodArray) return hasSensitiveFields(inner.element as z.ZodType, depth + 1);
  return false;
}

/**
 * A copy of `value` with every value of a sensitive field replaced by REDACTED (null and absent
 * values stay as they are, so the audit still says whether one was given). Follows objects and
 * arrays by the schema's shape; keys the schema does not know are kept. Never throws.
 */
export function redactSensitive(schema: z.ZodType, value: unknown, depth = 0): unknown {
  if (value === null || value === undefined || depth > 8) return value;
  if (isSensitive(schema)) return REDACTED;
  const inner = layers(schema).at(-1)!;
  if (inner instanceof z.ZodObject && typeof value === 'object' && !Array.isArray(value)) {
    const shape = inner.shape as Record<string, z.ZodType>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = shape[k] ? redactSensitive(shape[k], v, depth + 1) : v;
    return out;
  }
  if (inner instanceof z.ZodArray && Array.isArray(value)) return value.map((v) => redactSensitive(inner.element as z.ZodType, v, depth + 1));
  return value;
}
