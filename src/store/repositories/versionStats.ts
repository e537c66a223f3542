/**
 * Side-by-side figures of a vertical's manifest versions, from the calls that ran on each
 * (calls.manifest_version): counts, end reasons, failovers, transfers to a human and turn latency.
 * The average lead score lives in the vertical's own schema (call_analysis): `leadScores` reads it
 * from the Db the caller gives (the store's `dbForVertical`).
 */
import { toNum, toNumOrNull } from '../sql.js';
import type { Db, Queryable } from '../types.js';

/** End reasons that handed the caller to a person (see src/realtime END_REASON). */
export const HUMAN_TRANSFER_REASONS = ['transferred', 'failover_transfer'] as const;
/** End reasons of a model failure the call could not recover from. */
export const FAILOVER_END_REASONS = ['failover_transfer', 'model_unavailable'] as const;
/** The latency sample that measures a turn: caller stops speaking → first audio back. */
export const TURN_LATENCY_METRIC = 'turn.speech_end_to_first_audio';

export interface VersionFigures {
  version: string;
  calls: number;
  /** Calls still running. */
  live: number;
  endReasons: Record<string, number>;
  /** Calls that lost the model at least once (reconnected, handed over, or gave up). */
  failovers: number;
  transfersToHuman: number;
  turnLatency: { samples: number; avgMs: number | null; p95Ms: number | null };
}

export interface LeadScoreFigures {
  version: string;
  analysed: number;
  avgLeadScore: number | null;
}

export class VersionStatsRepository {
  constructor(private readonly db: Db) {}

  /** Figures of each of `versions` of `vertical` for calls started at or after `since`. */
  async compare(vertical: string, versions: readonly string[], since: Date): Promise<VersionFigures[]> {
    const base = [vertical, [...versions], since];
    const calls = await this.db.query(
      `SELECT manifest_version AS version, count(*) AS calls,
              count(*) FILTER (WHERE ended_at IS NULL) AS live,
              count(*) FILTER (WHERE COALESCE((metadata->>'reconnects')::int, 0) > 0
                                  OR end_reason = ANY($4::text[])) AS failovers,
              count(*) FILTER (WHERE end_reason = ANY($5::text[])) AS transfers
         FROM calls WHERE vertical = $1 AND manifest_version = ANY($2::text[]) AND started_at >= $3
        GROUP BY manifest_version`,
      [...base, [...FAILOVER_END_REASONS], [...HUMAN_TRANSFER_REASONS]],
    );
    const reasons = await this.db.query(
      `SELECT manifest_version AS version, end_reason, count(*) AS n
         FROM calls WHERE vertical = $1 AND manifest_version = ANY($2::text[]) AND started_at >= $3 AND end_reason IS NOT NULL
        GROUP BY manifest_version, end_reason`,
      base,
    );
    const latency = await this.db.query(
      `SELECT c.manifest_version AS version, count(l.id) AS samples, avg(l.value_ms) AS avg_ms,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY l.value_ms) AS p95_ms
         FROM latency_samples l JOIN calls c ON c.id = l.call_id
        WHERE c.vertical = $1 AND c.manifest_version = ANY($2::text[]) AND c.started_at >= $3 AND l.metric = $4
        GROUP BY c.manifest_version`,
      [...base, TURN_LATENCY_METRIC],
    );
    const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);
    return versions.map((version) => {
      const c = calls.rows.find((r) => r.version === version);
      const l = latency.rows.find((r) => r.version === version);
      const endReasons: Record<string, number> = {};
      for (const r of reasons.rows) if (r.version === version) endReasons[String(r.end_reason)] = toNum(r.n);
      return {
        version,
        calls: c ? toNum(c.calls) : 0,
        live: c ? toNum(c.live) : 0,
        endReasons,
        failovers: c ? toNum(c.failovers) : 0,
        transfersToHuman: c ? toNum(c.transfers) : 0,
        turnLatency: { samples: l ? toNum(l.samples) : 0, avgMs: round(toNumOrNull(l?.avg_ms)), p95Ms: round(toNumOrNull(l?.p95_ms)) },
      };
    });
  }

  /** The ids of each version's calls since `since` (to look their analyses up elsewhere). */
  async callIds(vertical: string, versions: readonly string[], since: Date): Promise<Map<string, string[]>> {
    const { rows } = await this.db.query(
      'SELECT id, manifest_version AS version FROM calls WHERE vertical = $1 AND manifest_version = ANY($2::text[]) AND started_at >= $3',
      [vertical, [...versions], since],
    );
    const out = new Map<string, string[]>(versions.map((v) => [v, []]));
    for (const r of rows) out.get(String(r.version))?.push(String(r.id));
    return out;
  }
}

/** Average lead score of each version's analysed calls, read from the vertical's call_analysis. */
export async function leadScores(verticalDb: Queryable, callIds: ReadonlyMap<string, readonly string[]>): Promise<LeadScoreFigures[]> {
  const out: LeadScoreFigures[] = [];
  for (const [version, ids] of callIds) {
    if (ids.length === 0) {
      out.push({ version, analysed: 0, avgLeadScore: null });
      continue;
    }
    const { rows } = await verticalDb.query(
      'SELECT count(*) AS n, avg(lead_score) AS avg FROM call_analysis WHERE call_id = ANY($1::uuid[]) AND NOT is_short',
      [[...ids]],
    );
    const avg = toNumOrNull(rows[0]?.avg);
    out.push({ version, analysed: toNum(rows[0]?.n ?? 0), avgLeadScore: avg === null ? null : Math.round(avg * 10) / 10 });
  }
  return out;
}
