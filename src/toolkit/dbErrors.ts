/** Database error facts a tool may branch on (without importing a driver). */

/** The SQLSTATE of a database error (e.g. '23P01' exclusion violation, '23505' unique violation). */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The name of the constraint a database error violated, when the driver reports it. */
export function constraintOf(err: unknown): string | undefined {
  const c = (err as { constraint?: unknown } | null)?.constraint;
  return typeof c === 'string' ? c : undefined;
}
