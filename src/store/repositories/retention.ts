/**
 * Retention purges (issue 18): a call's content goes, its metadata stays. `calls.purged`
 * (core migration 0005) records kind → when, so each kind is purged once per call and a purge
 * interrupted midway resumes where it stopped. What each kind removes:
 * - transcripts: the call's transcript lines (transcript_items rows);
 * - toolArguments: tool_invocations.arguments and .result (tool name, status, error code,
 *   duration and times stay);
 * - recordings: recording references: `recording*` keys of calls.metadata, text columns of
 *   `calls` named recording_*sid / *id / *url / *uri, and rows of a `call_recordings` table when
 *   one exists (the recording feature owns their shape; the purge follows those conventions);
 * - analysis: the analysis' free text in the vertical's schema (summary, free-text fields,
 *   success-criterion reasons) in call_analysis and every kept revision; sentiment, intent, lead
 *   score and reasons, pass/fail and enum/number/boolean fields stay.
 */
import { toNum } from '../sql.js';
import type { Db, Queryable } from '../types.js';

export const RETENTION_KINDS = ['transcripts', 'toolArguments', 'recordings', 'analysis'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

export interface PurgeCandidates {
  /** Calls with something of this kind to purge. */
  callIds: string[];
}

const RECORDING_COLUMN = /^recording_?([a-z_]*)(sid|id|url|uri)s?$/;

export class RetentionRepository {
  constructor(private readonly db: Db) {}

  /** Ended calls of `vertical` that ended before `endedBefore` and were not purged of `kind` yet, oldest first. */
  async candidates(vertical: string, kind: RetentionKind, endedBefore: Date, limit = 500): Promise<string[]> {
    const { rows } = await this.db.query(
      `SELECT id FROM calls
        WHERE vertical = $1 AND ended_at IS NOT NULL AND ended_at < $2 AND NOT (purged ? $3)
        ORDER BY ended_at, id LIMIT $4`,
      [vertical, endedBefore.toISOString(), kind, Math.max(1, Math.min(limit, 10_000))],
    );
    return rows.map((r) => String(r.id));
  }

  /** How many calls (and rows, where that means something) a purge of `kind` would touch now. */
  async pending(vertical: string, kind: RetentionKind, endedBefore: Date): Promise<{ calls: number; rows: number | null }> {
    const rowsSql = kind === 'transcripts' ? 'SELECT count(*) FROM transcript_items t WHERE t.call_id IN (SELECT id FROM due)'
      : kind === 'toolArguments' ? 'SELECT count(*) FROM tool_invocations ti WHERE ti.call_id IN (SELECT id FROM due) AND (ti.arguments IS NOT NULL OR ti.result IS NOT NULL)'
        : 'SELECT NULL';
    const { rows } = await this.db.query(
      `WITH due AS (SELECT id FROM calls WHERE vertical = $1 AND ended_at IS NOT NULL AND ended_at < $2 AND NOT (purged ? $3))
       SELECT (SELECT count(*) FROM due)::int AS calls, (${rowsSql})::int AS rows`,
      [vertical, endedBefore.toISOString(), kind],
    );
    const r = rows[0];
    return { calls: toNum(r?.calls ?? 0), rows: r?.rows == null ? null : toNum(r.rows) };
  }

  /** What was purged from a call, kind → when (empty when nothing was). */
  async purgedOf(callId: string): Promise<Partial<Record<RetentionKind, Date>>> {
    const { rows } = await this.db.query<{ purged: unknown }>('SELECT purged FROM calls WHERE id = $1::uuid', [callId]);
    const raw = rows[0]?.purged;
    const map = (typeof raw === 'string' ? JSON.parse(raw) : raw ?? {}) as Record<string, string>;
    const out: Partial<Record<RetentionKind, Date>> = {};
    for (const kind of RETENTION_KINDS) if (map[kind]) out[kind] = new Date(map[kind]);
    return out;
  }

  /** Purges `kind` from these calls (core tables; `analysis` also needs `purgeAnalysis`) and marks them. Returns rows touched. */
  async purge(kind: RetentionKind, callIds: readonly string[]): Promise<number> {
    if (callIds.length === 0) return 0;
    const ids = [...callIds];
    return this.db.transaction(async (tx) => {
      let touched = 0;
      if (kind === 'transcripts') {
        touched = (await tx.query('DELETE FROM transcript_items WHERE call_id = ANY($1::uuid[])', [ids])).rowCount;
      } else if (kind === 'toolArguments') {
        touched = (await tx.query(
          'UPDATE tool_invocations SET arguments = NULL, result = NULL WHERE call_id = ANY($1::uuid[]) AND (arguments IS NOT NULL OR result IS NOT NULL)',
          [ids],
        )).rowCount;
      } else if (kind === 'recordings') {
        touched = await purgeRecordings(tx, ids);
      }
      await tx.query(
        `UPDATE calls SET purged = purged || jsonb_build_object($2::text, now()) WHERE id = ANY($1::uuid[])`,
        [ids, kind],
      );
      return touched;
    });
  }

  /**
   * Removes the free text of these calls' analyses in the vertical's Db (`vdb`): the summary, the
   * fields not named in `keepFields`, and criterion reasons; in the current row and every revision.
   */
  async purgeAnalysis(vdb: Db, callIds: readonly string[], keepFields: readonly string[]): Promise<number> {
    if (callIds.length === 0) return 0;
    const set = `summary = '',
      fields = (SELECT coalesce(jsonb_object_agg(key, CASE WHEN key = ANY($2::text[]) THEN value ELSE 'null'::jsonb END), '{}'::jsonb) FROM jsonb_each(fields)),
      success = CASE WHEN success IS NULL THEN NULL ELSE jsonb_build_object('passed', success->'passed', 'criteria',
        (SELECT coalesce(jsonb_agg(c || jsonb_build_object('reason', '')), '[]'::jsonb) FROM jsonb_array_elements(success->'criteria') c)) END`;
    return vdb.transaction(async (tx) => {
      const current = await tx.query(`UPDATE call_analysis SET ${set}, purged_at = now() WHERE call_id = ANY($1::uuid[]) AND purged_at IS NULL`, [[...callIds], [...keepFields]]);
      await tx.query(`UPDATE call_analysis_revisions SET ${set} WHERE call_id = ANY($1::uuid[]) AND summary <> ''`, [[...callIds], [...keepFields]]);
      return current.rowCount;
    });
  }
}

async function purgeRecordings(tx: Queryable, ids: string[]): Promise<number> {
  const meta = await tx.query(
    `UPDATE calls SET metadata = (SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM jsonb_each(metadata) WHERE key NOT ILIKE 'recording%')
      WHERE id = ANY($1::uuid[]) AND EXISTS (SELECT 1 FROM jsonb_object_keys(metadata) k WHERE k ILIKE 'recording%')`,
    [ids],
  );
  let touched = meta.rowCount;
  // Columns and tables the recording feature may add (its migration decides their names).
  const { rows } = await tx.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT table_name, column_name, data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name IN ('calls', 'call_recordings')`,
  );
  const columns = rows.filter((r) => r.table_name === 'calls' && r.data_type === 'text' && RECORDING_COLUMN.test(r.column_name)).map((r) => r.column_name);
  if (columns.length > 0) {
    const set = columns.map((c) => `"${c}" = NULL`).join(', ');
    const any = columns.map((c) => `"${c}" IS NOT NULL`).join(' OR ');
    touched += (await tx.query(`UPDATE calls SET ${set} WHERE id = ANY($1::uuid[]) AND (${any})`, [ids])).rowCount;
  }
  if (rows.some((r) => r.table_name === 'call_recordings' && r.column_name === 'call_id')) {
    touched += (await tx.query('DELETE FROM call_recordings WHERE call_id = ANY($1::uuid[])', [ids])).rowCount;
  }
  return touched;
}
