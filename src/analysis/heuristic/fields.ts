/**
 * The manifest's vertical-specific fields, filled from structured data first (an argument of the
 * same name passed to a tool the call used, a successful call winning) and from the caller's words
 * second (`keywords`: value → keywords). See `argumentFor` for how arguments are matched to fields. What cannot be found is null (an empty list for
 * `string[]`); a boolean field with keywords that none of the caller's words matched is false.
 */
import type { AnalysisField } from '../../manifest/index.js';
import type { CallFacts } from '../facts.js';
import type { CallBundle } from '../types.js';
import { hasKeyword } from './text.js';
import { REDACTED } from '../../shared/index.js';

const TRUE_KEYS = new Set(['true', 'yes']);
const FALSE_KEYS = new Set(['false', 'no']);

/** `serviceId` → `service_id`, `customer-name` → `customer_name`. */
export const snakeCase = (key: string): string =>
  key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toLowerCase();

const OPAQUE_ID = /^(?:[0-9a-f]{8}-[0-9a-f-]{27}|\d+|[A-Za-z]{0,4}[0-9a-f]{16,})$/i;

/** Words that qualify a field's subject: `service_requested`, `preferred_stylist`. */
const QUALIFIERS = new Set(['requested', 'preferred', 'wanted', 'desired', 'chosen', 'selected', 'booked', 'asked', 'interested', 'interest', 'of', 'new']);

/**
 * The tool argument that fills a field: one named like the field; else, when the field's name is
 * one subject word plus qualifiers (`service_requested`, `preferred_stylist`), an argument named
 * after that subject (`service`, `service_name`, `serviceId`), an id only when it reads like a
 * word (`womens-cut`, not a uuid).
 */
export function argumentFor(fieldName: string, args: Map<string, unknown>): unknown {
  if (args.has(fieldName)) return args.get(fieldName);
  const subjects = fieldName.split('_').filter((w) => !QUALIFIERS.has(w));
  const subject = subjects.length === 1 ? subjects[0]! : undefined;
  if (!subject || subject === fieldName || subject.length < 3) return undefined;
  for (const suffix of ['', '_name', '_id']) {
    const v = args.get(`${subject}${suffix}`);
    if (v === undefined) continue;
    if (suffix === '_id' && (typeof v !== 'string' || OPAQUE_ID.test(v))) continue;
    return v;
  }
  return undefined;
}

/** Top-level tool arguments by snake_case name; later calls override earlier ones, and `ok` calls override the rest. */
export function toolArguments(bundle: CallBundle): Map<string, unknown> {
  const args = new Map<string, unknown>();
  const usable = bundle.tools.filter((t) => t.status !== 'invalid_arguments');
  for (const t of [...usable.filter((u) => u.status !== 'ok'), ...usable.filter((u) => u.status === 'ok')]) {
    if (t.arguments && typeof t.arguments === 'object' && !Array.isArray(t.arguments)) {
      for (const [k, v] of Object.entries(t.arguments as Record<string, unknown>)) {
        // A redacted (sensitive) argument is not a value: the field stays unknown rather than "[redacted]".
        if (v !== null && v !== undefined && v !== '' && v !== REDACTED) args.set(snakeCase(k), v);
      }
    }
  }
  return args;
}

function fromArgument(field: AnalysisField, value: unknown): unknown {
  switch (field.type) {
    case 'string':
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'enum': {
      if (typeof value !== 'string') return undefined;
      return (field.values ?? []).find((v) => v.toLowerCase() === value.toLowerCase());
    }
    case 'string[]':
      if (Array.isArray(value)) {
        const items = value.filter((v): v is string => typeof v === 'string');
        return items.length > 0 ? items : undefined;
      }
      return typeof value === 'string' ? [value] : undefined;
  }
}

function fromKeywords(field: AnalysisField, facts: CallFacts): unknown {
  const rules = Object.entries(field.keywords ?? {});
  if (rules.length === 0) return undefined;
  const hit = rules.filter(([, keywords]) => keywords.some((k) => hasKeyword(facts.callerText, k))).map(([key]) => key);
  switch (field.type) {
    case 'string[]':
      return hit;
    case 'boolean': {
      const first = hit[0];
      if (first === undefined) return false;
      return !FALSE_KEYS.has(first.toLowerCase()) || TRUE_KEYS.has(first.toLowerCase());
    }
    case 'number': {
      const n = hit[0] === undefined ? NaN : Number(hit[0]);
      return Number.isFinite(n) ? n : undefined;
    }
    default:
      return hit[0];
  }
}

export function extractFields(fields: readonly AnalysisField[], bundle: CallBundle, facts: CallFacts): Record<string, unknown> {
  const args = toolArguments(bundle);
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const arg = argumentFor(field.name, args);
    const structured = arg === undefined ? undefined : fromArgument(field, arg);
    const value = structured ?? fromKeywords(field, facts);
    out[field.name] = value ?? (field.type === 'string[]' ? [] : null);
  }
  return out;
}
