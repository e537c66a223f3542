/**
 * Post-call analysis storage. `call_analysis` lives in each vertical's schema (migration
 * `migrations/vertical/0001_call_analysis.sql`), possibly in the vertical's own database, so its
 * methods take the vertical's Db (`store.dbForVertical(manifest)`); the core tables (calls,
 * transcript_items, tool_invocations, handoffs, post_call_outbox) resolve through this
 * repository's Db. Owned by the analysis area (src/analysis).
 */
import { jsonParam, toDate, toDateOrNull, toNum, toNumOrNull, toStrOrNull } from '../sql.js';
import type { Db, Row } from '../types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: string): boolean => UUID.test(v);

export interface BundleCall {
  id: string;
  /** The language the call ended in when it switched (`metadata.language.current`). */
  language?: string | null;
  vertical: string;
  manifestVersion: string;
  status: 'ringing' | 'in_progress' | 'completed' | 'failed';
  endReason: string | null;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
}

/** A finished call as the analysers read it: no phone numbers, no call SID. */
export interface CallBundleRecord {
  call: BundleCall;
  transcript: Array<{ seq: number; role: 'caller' | 'assistant' | 'system'; agent: string | null; text: string; interrupted: boolean }>;
  tools: Array<{ toolName: string; agent: string | null; status: string; arguments: unknown; errorCode: string | null }>;
  handoffs: Array<{ fromAgent: string; toAgent: string }>;
}

export interface CallAnalysisWrite {
  summary: string;
  sentiment: { label: 'positive' | 'neutral' | 'negative'; score: number };
  intent: string;
  leadScore: number;
  leadReasons: Array<{ reason: string; points: number }>;
  fields: Record<string, unknown>;
  analyser: 'heuristic' | 'openai';
  model: string | null;
  isShort: boolean;
  /** The success rubric's outcome, when the vertical has one. */
  success?: AnalysisSuccess | undefined;
}

export interface AnalysisSuccess {
  passed: boolean | null;
  criteria: Array<{ name: string; passed: boolean | null; reason: string }>;
}

/** Why a revision was written: the post-call job, or an operator's re-run. */
export type AnalysisOrigin = 'job' | 'rerun';

export interface CallAnalysisRecord extends CallAnalysisWrite {
  callId: string;
  /** The current revision (1 when first written; each re-run adds one). */
  revision: number;
  /** How many revisions are kept (earlier results included). */
  revisionCount: number;
  /** When retention purged its free text, else null. */
  purgedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One kept revision of a call's analysis (the current one included). */
export interface AnalysisRevisionRecord extends CallAnalysisWrite {
  callId: string;
  revision: number;
  origin: AnalysisOrigin;
  createdAt: Date;
}

/** An outbox row whose job was published and then gave up (its last error is kept here for the CLI). */
export interface FailedAnalysisRow {
  callId: string;
  vertical: string;
  reason: string;
  attempts: number;
  sentAt: Date | null;
}

const ANALYSIS_COLUMNS = `call_id, summary, sentiment_label, sentiment_score, intent, lead_score, lead_reasons, fields,
  analyser, is_short, model, revision, created_at, updated_at, success, purged_at`;
const REVISION_COLUMNS = `call_id, revision, summary, sentiment_label, sentiment_score, intent, lead_score, lead_reasons, fields,
  analyser, is_short, model, success, origin, created_at`;

function parseJson(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

function toWrite(r: Row): CallAnalysisWrite {
  const success = parseJson(r.success) as AnalysisSuccess | null | undefined;
  return {
    summary: String(r.summary),
    sentiment: { label: r.sentiment_label as CallAnalysisWrite['sentiment']['label'], score: toNum(r.sentiment_score) },
    intent: String(r.intent),
    leadScore: toNum(r.lead_score),
    leadReasons: (parseJson(r.lead_reasons) ?? []) as CallAnalysisWrite['leadReasons'],
    fields: (parseJson(r.fields) ?? {}) as Record<string, unknown>,
    analyser: r.analyser as CallAnalysisWrite['analyser'],
    isShort: r.is_short === true,
    model: toStrOrNull(r.model),
    ...(success ? { success } : {}),
  };
}

function toAnalysis(r: Row): CallAnalysisRecord {
  return {
    ...toWrite(r),
    callId: String(r.call_id),
    revision: toNum(r.revision),
    revisionCount: r.revision_count == null ? toNum(r.revision) : toNum(r.revision_count),
    purgedAt: toDateOrNull(r.purged_at),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
  };
}

function toRevision(r: Row): AnalysisRevisionRecord {
  return { ...toWrite(r), callId: String(r.call_id), revision: toNum(r.revision), origin: r.origin === 'rerun' ? 'rerun' : 'job', createdAt: toDate(r.created_at) };
}

export class AnalysisRepository {
  constructor(private readonly db: Db) {}

  /** The call, its transcript, tool calls and handoffs in one round trip; null when there is no such call. */
  async loadCallBundle(callId: string): Promise<CallBundleRecord | null> {
    if (!isUuid(callId)) return null;
    const { rows } = await this.db.query(
      `SELECT c.id, c.vertical, c.manifest_version, c.status, c.end_reason, c.started_at, c.ended_at, c.duration_ms,
         c.metadata->'language'->>'current' AS language,
         COALESCE((SELECT json_agg(json_build_object('seq', t.seq, 'role', t.role, 'agent', t.agent, 'text', t.text,
                     'interrupted', t.interrupted) ORDER BY t.seq) FROM transcript_items t WHERE t.call_id = c.id), '[]'::json) AS transcript,
         COALESCE((SELECT json_agg(json_build_object('toolName', ti.tool_name, 'agent', ti.agent, 'status', ti.status,
                     'arguments', ti.arguments, 'errorCode', ti.error_code) ORDER BY ti.id)
                   FROM tool_invocations ti WHERE ti.call_id = c.id), '[]'::json) AS tools,
         COALESCE((SELECT json_agg(json_build_object('fromAgent', h.from_agent, 'toAgent', h.to_agent) ORDER BY h.id)
                   FROM handoffs h WHERE h.call_id = c.id), '[]'::json) AS handoffs
       FROM calls c WHERE c.id = $1`,
      [callId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      call: {
        id: String(r.id),
        vertical: String(r.vertical),
        manifestVersion: String(r.manifest_version),
        language: typeof r.language === 'string' ? r.language : null,
        status: r.status as BundleCall['status'],
        endReason: toStrOrNull(r.end_reason),
        startedAt: toDate(r.started_at),
        endedAt: r.ended_at == null ? null : toDate(r.ended_at),
        durationMs: toNumOrNull(r.duration_ms),
      },
      transcript: parseJson(r.transcript) as CallBundleRecord['transcript'],
      tools: parseJson(r.tools) as CallBundleRecord['tools'],
      handoffs: parseJson(r.handoffs) as CallBundleRecord['handoffs'],
    };
  }

  /**
   * Writes the call's analysis into the vertical's Db: `call_analysis` holds the current one (a
   * re-run updates it and bumps `revision`), and every write is also kept in
   * `call_analysis_revisions`, in the same statement.
   */
  async upsert(vdb: Db, callId: string, a: CallAnalysisWrite, origin: AnalysisOrigin = 'job'): Promise<CallAnalysisRecord> {
    const { rows } = await vdb.query(
      `WITH cur AS (
         INSERT INTO call_analysis AS ca (call_id, summary, sentiment_label, sentiment_score, intent, lead_score,
                     lead_reasons, fields, analyser, is_short, model, success)
         VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12::jsonb)
         ON CONFLICT (call_id) DO UPDATE SET
           summary = EXCLUDED.summary, sentiment_label = EXCLUDED.sentiment_label, sentiment_score = EXCLUDED.sentiment_score,
           intent = EXCLUDED.intent, lead_score = EXCLUDED.lead_score, lead_reasons = EXCLUDED.lead_reasons,
           fields = EXCLUDED.fields, analyser = EXCLUDED.analyser, is_short = EXCLUDED.is_short, model = EXCLUDED.model,
           success = EXCLUDED.success, purged_at = NULL, revision = ca.revision + 1, updated_at = now()
         RETURNING ${ANALYSIS_COLUMNS}
       ), rev AS (
         INSERT INTO call_analysis_revisions (call_id, revision, summary, sentiment_label, sentiment_score, intent, lead_score,
                     lead_reasons, fields, analyser, is_short, model, success, origin, created_at)
         SELECT call_id, revision, summary, sentiment_label, sentiment_score, intent, lead_score,
                lead_reasons, fields, analyser, is_short, model, success, $13, updated_at FROM cur
         ON CONFLICT (call_id, revision) DO NOTHING
       )
       SELECT *, revision AS revision_count FROM cur`,
      [callId, a.summary, a.sentiment.label, a.sentiment.score, a.intent, a.leadScore, jsonParam(a.leadReasons),
        jsonParam(a.fields), a.analyser, a.isShort, a.model, jsonParam(a.success ?? null), origin],
    );
    return toAnalysis(rows[0]!);
  }

  async get(vdb: Db, callId: string): Promise<CallAnalysisRecord | null> {
    if (!isUuid(callId)) return null;
    const { rows } = await vdb.query(
      `SELECT ${ANALYSIS_COLUMNS},
              (SELECT count(*)::int FROM call_analysis_revisions r WHERE r.call_id = call_analysis.call_id) AS revision_count
         FROM call_analysis WHERE call_id = $1`,
      [callId],
    );
    return rows[0] ? toAnalysis(rows[0]) : null;
  }

  /** Every kept revision of the call's analysis, oldest first (the last is the current one). */
  async revisions(vdb: Db, callId: string): Promise<AnalysisRevisionRecord[]> {
    if (!isUuid(callId)) return [];
    const { rows } = await vdb.query(`SELECT ${REVISION_COLUMNS} FROM call_analysis_revisions WHERE call_id = $1 ORDER BY revision`, [callId]);
    return rows.map(toRevision);
  }

  /** Ended calls of `vertical` that started at or after `since`, oldest first (what `analysis rerun --since` re-runs). */
  async endedCallIds(vertical: string, since: Date, limit = 10_000): Promise<string[]> {
    const { rows } = await this.db.query(
      `SELECT id FROM calls WHERE vertical = $1 AND started_at >= $2 AND ended_at IS NOT NULL ORDER BY started_at, id LIMIT $3`,
      [vertical, since.toISOString(), Math.max(1, Math.min(limit, 100_000))],
    );
    return rows.map((r) => String(r.id));
  }

  async count(vdb: Db): Promise<number> {
    const { rows } = await vdb.query('SELECT count(*)::int AS n FROM call_analysis');
    return toNum(rows[0]?.n ?? 0);
  }

  /** The vertical of each call (the outbox carries call ids only). */
  async verticalsOf(callIds: readonly string[]): Promise<Map<string, string>> {
    const ids = callIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    const { rows } = await this.db.query('SELECT id, vertical FROM calls WHERE id = ANY($1::uuid[])', [ids]);
    return new Map(rows.map((r) => [String(r.id), String(r.vertical)]));
  }

  /** The trace id of each call that has one (post-call jobs carry their call's trace context). */
  async traceIdsOf(callIds: readonly string[]): Promise<Map<string, string>> {
    const ids = callIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    const { rows } = await this.db.query('SELECT id, trace_id FROM calls WHERE id = ANY($1::uuid[]) AND trace_id IS NOT NULL', [ids]);
    return new Map(rows.map((r) => [String(r.id), String(r.trace_id)]));
  }

  /** Keeps the final failure of a published job on its outbox row, so it outlives the queue. */
  /**
   * Records a job's final failure on its outbox row. The job can fail before the relay has marked
   * the row sent (an in-process queue runs it at once), so this marks it sent too: the relay's
   * later mark then leaves it alone instead of clearing the error.
   */
  async recordJobFailure(callId: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE post_call_outbox
          SET last_error = $2, attempts = CASE WHEN sent_at IS NULL THEN attempts + 1 ELSE attempts END, sent_at = COALESCE(sent_at, now())
        WHERE call_id = $1::uuid`,
      [callId, reason.slice(0, 2000)],
    );
  }

  /** The recorded final failure of the call's job, or null (none, or not published yet). */
  async jobFailure(callId: string): Promise<string | null> {
    if (!isUuid(callId)) return null;
    const { rows } = await this.db.query(
      'SELECT last_error FROM post_call_outbox WHERE call_id = $1::uuid AND sent_at IS NOT NULL',
      [callId],
    );
    return toStrOrNull(rows[0]?.last_error);
  }

  /** Published calls whose job gave up, newest first. */
  async failedJobs(limit = 100): Promise<FailedAnalysisRow[]> {
    const { rows } = await this.db.query(
      `SELECT o.call_id, c.vertical, o.last_error, o.attempts, o.sent_at
         FROM post_call_outbox o JOIN calls c ON c.id = o.call_id
        WHERE o.sent_at IS NOT NULL AND o.last_error IS NOT NULL
        ORDER BY o.sent_at DESC, o.id DESC LIMIT $1`,
      [Math.max(1, Math.min(limit, 10_000))],
    );
    return rows.map((r) => ({
      callId: String(r.call_id),
      vertical: String(r.vertical),
      reason: String(r.last_error),
      attempts: toNum(r.attempts),
      sentAt: r.sent_at == null ? null : toDate(r.sent_at),
    }));
  }

  /** Puts a call's outbox row back to unsent so the relay publishes it again; false when the call has no row. */
  async requeue(callId: string): Promise<boolean> {
    if (!isUuid(callId)) return false;
    const res = await this.db.query(
      'UPDATE post_call_outbox SET sent_at = NULL, last_error = NULL WHERE call_id = $1::uuid RETURNING id',
      [callId],
    );
    return res.rowCount > 0;
  }

  /** Forgets a recorded job failure (the job is being run again). */
  async clearJobFailure(callId: string): Promise<void> {
    if (!isUuid(callId)) return;
    await this.db.query('UPDATE post_call_outbox SET last_error = NULL WHERE call_id = $1::uuid AND sent_at IS NOT NULL', [callId]);
  }

  /**
   * Calls of `vertical` published since `since` that have neither an analysis (in `vdb`) nor a
   * recorded failure: after a restart of the in-process queue these are the jobs it lost.
   */
  async publishedWithoutAnalysis(vdb: Db, vertical: string, since: Date, limit = 1000): Promise<string[]> {
    const { rows } = await this.db.query(
      `SELECT o.call_id FROM post_call_outbox o JOIN calls c ON c.id = o.call_id
        WHERE c.vertical = $1 AND o.sent_at IS NOT NULL AND o.sent_at >= $2 AND o.last_error IS NULL
        ORDER BY o.sent_at, o.id LIMIT $3`,
      [vertical, since.toISOString(), limit],
    );
    const published = rows.map((r) => String(r.call_id));
    if (published.length === 0) return [];
    const done = await vdb.query('SELECT call_id FROM call_analysis WHERE call_id = ANY($1::uuid[])', [published]);
    const analysed = new Set(done.rows.map((r) => String(r.call_id)));
    return published.filter((id) => !analysed.has(id));
  }
}
