import type {
  ToolInvocationClaim, ToolInvocationOutcome, ToolInvocationRecorder, ToolInvocationStart, ToolInvocationStatus,
} from '../../shared/index.js';
import { jsonParam, toDate, toDateOrNull, toNum, toNumOrNull, toStrOrNull } from '../sql.js';
import type { Db, Row } from '../types.js';

export interface ToolInvocationRecord {
  id: number;
  callId: string;
  toolCallId: string;
  toolName: string;
  agent: string | null;
  idempotencyKey: string;
  arguments: unknown;
  result: unknown;
  status: ToolInvocationStatus;
  errorCode: string | null;
  durationMs: number | null;
  startedAt: Date;
  endedAt: Date | null;
}

const COLUMNS = `id, call_id, tool_call_id, tool_name, agent, idempotency_key, arguments, result, status, error_code,
  duration_ms, started_at, ended_at`;

function toRecord(r: Row): ToolInvocationRecord {
  return {
    id: toNum(r.id),
    callId: String(r.call_id),
    toolCallId: String(r.tool_call_id),
    toolName: String(r.tool_name),
    agent: toStrOrNull(r.agent),
    idempotencyKey: String(r.idempotency_key),
    arguments: r.arguments ?? null,
    result: r.result ?? null,
    status: r.status as ToolInvocationStatus,
    errorCode: toStrOrNull(r.error_code),
    durationMs: toNumOrNull(r.duration_ms),
    startedAt: toDate(r.started_at),
    endedAt: toDateOrNull(r.ended_at),
  };
}

/** The audit trail of tool calls (tool_invocations), and the toolkit's idempotency guard. */
export class ToolInvocationsRepository implements ToolInvocationRecorder {
  constructor(private readonly db: Db) {}

  /**
   * Claims the key: inserts a `running` row, or re-opens one that did not finish `ok` (for a
   * non-idempotent tool, only one left `running` by a crash or refused for invalid arguments). A key
   * that finished `ok` is a replay; one that may not run again is settled by its stored outcome.
   */
  async begin(start: ToolInvocationStart): Promise<ToolInvocationClaim> {
    const { rows } = await this.db.query(
      `INSERT INTO tool_invocations (call_id, tool_call_id, tool_name, agent, idempotency_key, arguments, status)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'running')
       ON CONFLICT (idempotency_key) DO UPDATE
         SET status = 'running', arguments = EXCLUDED.arguments, agent = EXCLUDED.agent, result = NULL,
             error_code = NULL, duration_ms = NULL, started_at = now(), ended_at = NULL
         WHERE tool_invocations.status <> 'ok'
           AND ($7::boolean OR tool_invocations.status IN ('invalid_arguments', 'running'))
       RETURNING id`,
      [start.callId, start.toolCallId, start.toolName, start.agent ?? null, start.idempotencyKey, jsonParam(start.arguments),
        start.idempotent ?? true],
    );
    if (rows.length > 0) return { kind: 'new' };
    // The same rule as the WHERE above (mayRerun): an `ok` row replays, any other row settles the key.
    const prev = await this.db.query<{ status: ToolInvocationStatus; result: unknown; error_code: string | null }>(
      'SELECT status, result, error_code FROM tool_invocations WHERE idempotency_key = $1',
      [start.idempotencyKey],
    );
    const row = prev.rows[0];
    if (!row || row.status === 'ok' || row.status === 'running') return { kind: 'replay', result: row?.result ?? null };
    return { kind: 'settled', status: row.status, result: row.result ?? null, ...(row.error_code ? { errorCode: row.error_code } : {}) };
  }

  async finish(idempotencyKey: string, outcome: ToolInvocationOutcome): Promise<void> {
    await this.db.query(
      `UPDATE tool_invocations
          SET status = $2, result = $3::jsonb, error_code = $4, duration_ms = $5, ended_at = now()
        WHERE idempotency_key = $1`,
      [idempotencyKey, outcome.status, jsonParam(outcome.result), outcome.errorCode ?? null, Math.round(outcome.durationMs)],
    );
  }

  async get(idempotencyKey: string): Promise<ToolInvocationRecord | null> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM tool_invocations WHERE idempotency_key = $1`, [idempotencyKey]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async list(callId: string): Promise<ToolInvocationRecord[]> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM tool_invocations WHERE call_id = $1 ORDER BY started_at, id`, [callId]);
    return rows.map(toRecord);
  }
}
