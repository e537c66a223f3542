/**
 * Turns zod issues into readable manifest problems: one per issue (one per unknown key), with
 * the path as segments so the loader can find the line. Messages are short and say what is
 * expected; a misspelt key gets a "did you mean" from the schema's own keys.
 */
import type { z } from 'zod';
import type { DocPath } from './problems.js';

export interface PathProblem {
  path: DocPath;
  message: string;
  severity: 'error' | 'warning';
  /** When set, the problem is about this key of the mapping at `path` (line of the key). */
  key?: string;
}

type Issue = z.core.$ZodIssue;
interface SchemaLike { _zod: { def: object } }

function valueAt(data: unknown, path: DocPath): unknown {
  let node = data;
  for (const seg of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value === 'string' ? 'text' : `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false',
  array: 'a list', object: 'a mapping', record: 'a mapping',
};

/** The object schema at `path` (through defaults, optionals, arrays and unions), for key suggestions. */
function objectKeysAt(schema: SchemaLike, path: DocPath, data: unknown): string[] {
  const candidates: SchemaLike[] = [];
  const visit = (s: SchemaLike, rest: DocPath): void => {
    const def = s._zod.def as Record<string, unknown>;
    switch (def.type) {
      case 'default': case 'optional': case 'nullable': case 'prefault': case 'readonly':
        visit(def.innerType as SchemaLike, rest);
        return;
      case 'union':
        for (const option of def.options as SchemaLike[]) visit(option, rest);
        return;
      case 'array':
        if (rest.length > 0 && typeof rest[0] === 'number') visit(def.element as SchemaLike, rest.slice(1));
        return;
      case 'object': {
        if (rest.length === 0) {
          candidates.push(s);
          return;
        }
        const next = (def.shape as Record<string, SchemaLike>)[String(rest[0])];
        if (next) visit(next, rest.slice(1));
        return;
      }
      default:
        return;
    }
  };
  visit(schema, path);
  const value = valueAt(data, path) as Record<string, unknown> | undefined;
  // Of a discriminated union's options, prefer the one whose literal `type` matches the data.
  const matching = candidates.filter((c) => {
    const typeSchema = ((c._zod.def as { shape: Record<string, SchemaLike> }).shape).type;
    const values = (typeSchema?._zod.def as { values?: unknown[] } | undefined)?.values;
    return !values || !value || values.includes(value.type);
  });
  return [...new Set((matching.length ? matching : candidates).flatMap((c) => Object.keys((c._zod.def as { shape: object }).shape)))];
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest known key within two edits, if any. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function sizeMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>): string {
  const small = issue.code === 'too_small';
  const bound = small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
  const origin = (issue as { origin?: string }).origin;
  if (origin === 'array' || origin === 'set') {
    if (small && Number(bound) === 1) return 'must not be empty';
    return `must have ${small ? 'at least' : 'at most'} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
  }
  if (origin === 'string') {
    if (small && Number(bound) === 1) return 'must not be empty';
    return `must be ${small ? 'at least' : 'at most'} ${bound} characters`;
  }
  return `must be ${small ? 'at least' : 'at most'} ${bound}`;
}

export function issuesToProblems(issues: readonly Issue[], data: unknown, schema: SchemaLike, base: DocPath = []): PathProblem[] {
  const out: PathProblem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as (string | number)[])];
    const value = valueAt(data, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = objectKeysAt(schema, path, data);
        for (const key of issue.keys) {
          const hint = suggestKey(key, known.filter((k) => !issue.keys.includes(k)));
          out.push({ path, key, severity: 'error', message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
        }
        break;
      }
      case 'invalid_type': {
        const expected = EXPECTED[issue.expected] ?? issue.expected;
        out.push({ path, severity: 'error', message: value === undefined ? `is required (${expected})` : `expected ${expected}, got ${typeName(value)}` });
        break;
      }
      case 'invalid_union': {
        if ((issue as { discriminator?: string }).discriminator) {
          const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
          out.push({ path, severity: 'error', message: value === undefined ? `is required (one of: ${options.join(', ')})` : `must be one of: ${options.join(', ')} (got ${JSON.stringify(value)})` });
          break;
        }
        // Report the branch that got furthest: the one that accepted the value's shape.
        const branches = issue.errors.filter((errs) => !errs.some((e) => e.code === 'invalid_type' && e.path.length === 0));
        if (branches.length === 1) {
          out.push(...issuesToProblems(branches[0]!, data, schema, path));
        } else {
          const expected = [...new Set(issue.errors.flatMap((errs) => errs.filter((e) => e.code === 'invalid_type' && e.path.length === 0).map((e) => EXPECTED[(e as { expected: string }).expected] ?? (e as { expected: string }).expected)))];
          out.push({ path, severity: 'error', message: expected.length ? `expected ${expected.join(' or ')}, got ${typeName(value)}` : 'does not match any accepted form' });
        }
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map(String);
        out.push({ path, severity: 'error', message: values.length === 1 ? `must be ${JSON.stringify(issue.values[0])}` : `must be one of: ${values.join(', ')} (got ${JSON.stringify(value)})` });
        break;
      }
      case 'too_small': case 'too_big':
        out.push({ path, severity: 'error', message: sizeMessage(issue) });
        break;
      case 'invalid_format': {
        const rule = issue.message.startsWith('Invalid string:') ? `has the wrong format (${issue.message.replace('Invalid string: ', '')})` : issue.message;
        out.push({ path, severity: 'error', message: typeof value === 'string' ? `${JSON.stringify(value)} ${rule}` : rule });
        break;
      }
      default:
        out.push({ path, severity: 'error', message: issue.message });
    }
  }
  return out;
}
