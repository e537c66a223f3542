/** Small SQL helpers shared by the Db implementations and repositories. */
import { AppError } from '../shared/index.js';
import type { Queryable, QueryResult, Row } from './types.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** Quotes an SQL identifier (schema, table). Refuses anything that is not a plain identifier. */
export function quoteIdent(name: string): string {
  if (!IDENT.test(name)) {
    throw new AppError('STORE_BAD_IDENTIFIER', `not a valid SQL identifier: ${JSON.stringify(name)}`);
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** The search_path value resolving names in `schemas` (in order), then `public`. */
export function searchPathFor(schemas: string | readonly string[]): string {
  const list = (typeof schemas === 'string' ? [schemas] : [...schemas]).filter((s) => s !== 'public');
  return [...list.map(quoteIdent), 'public'].join(',');
}

/** Sets search_path for the current transaction only. */
export async function setLocalSearchPath(tx: Queryable, schemas: string | readonly string[]): Promise<void> {
  await tx.query(`SELECT set_config('search_path', $1, true)`, [searchPathFor(schemas)]);
}

export function emptyResult<R extends object>(): QueryResult<R> {
  return { rows: [], rowCount: 0 };
}

/** The driver-error facts live in shared (tools read them through the toolkit). */
export { sqlState, violatedConstraint, isUniqueViolation, isExclusionViolation } from '../shared/index.js';

export const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
export const toDateOrNull = (v: unknown): Date | null => (v == null ? null : toDate(v));
export const toNum = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
export const toNumOrNull = (v: unknown): number | null => (v == null ? null : toNum(v));
export const toStrOrNull = (v: unknown): string | null => (v == null ? null : String(v));

/** JSON for a `$n::jsonb` parameter (both drivers take text for jsonb). */
export function jsonParam(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value) ?? null;
}
