/**
 * Facts about a thrown database error that callers branch on, read structurally so no caller needs
 * a driver: both `pg` and PGlite put the SQLSTATE on `code` and the constraint name on `constraint`.
 */

/** The SQLSTATE of a database error (e.g. '23505' unique violation), when it has one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The name of the constraint a database error violated, when the driver reports it. */
export function violatedConstraint(err: unknown): string | undefined {
  const c = (err as { constraint?: unknown } | null)?.constraint;
  return typeof c === 'string' ? c : undefined;
}

export const SQLSTATE_UNIQUE_VIOLATION = '23505';
export const SQLSTATE_EXCLUSION_VIOLATION = '23P01';

/** A UNIQUE (or primary key) constraint refused the row. */
export const isUniqueViolation = (err: unknown): boolean => sqlState(err) === SQLSTATE_UNIQUE_VIOLATION;

/** An EXCLUDE constraint refused the row (e.g. an overlapping booking). */
export const isExclusionViolation = (err: unknown): boolean => sqlState(err) === SQLSTATE_EXCLUSION_VIOLATION;
