/**
 * Read-only views of not-yet-validated manifest data. Cross-checks run on the raw document so a
 * schema error in one section never hides a broken reference in another.
 */
export type RawMap = Record<string, unknown>;

export function asMap(value: unknown): RawMap | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RawMap) : undefined;
}

export function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Every string in a list with its index (non-strings skipped: the schema reports those). */
export function textItems(value: unknown): [string, number][] {
  return asList(value).flatMap((v, i) => (typeof v === 'string' && v.length > 0 ? [[v, i] as [string, number]] : []));
}
