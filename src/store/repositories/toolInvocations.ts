import type { ToolInvocationRecorder, ToolInvocationStart, ToolInvocationStatus } from '../../toolkit/types.js';
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
   * Claims the key: inserts a `running` row, or re-opens one that did not finish `ok`. A key that
   * already finished `ok` is a replay: its stored result is returned and nothing runs again.
   */
  async begin(start: ToolInvocationStart): Promise<{ kind: 'new' } | { kind: 'replay'; result: unknown }> {
    const { rows } = await this.db.query(
      `INSERT INTO tool_invocations (call_id, tool_call_id, tool_name, agent, idempotency_key, arguments, status)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'running')
       ON CONFLICT (idempotency_key) DO UPDATE
         SET status = 'running', arguments = EXCLUDED.arguments, agent = EXCLUDED.agent, result = NULL,
             error_code = NULL, duration_ms = NULL, started_at = now(), ended_at = NULL
         WHERE tool_invocations.status <> 'ok'
       RETURNING id`,
      [start.callId, start.toolCallId, start.toolName, start.agent ?? null, start.idempotencyKey, jsonParam(start.arguments)],
    );
    if (rows.length > 0) return { kind: 'new' };
    const prev = await this.db.query<{ result: unknown }>(
      'SELECT result FROM tool_invocations WHERE idempotency_key = $1',
      [start.idempotencyKey],
    );
    return { kind: 'replay', result: prev.rows[0]?.result ?? null };
  }

  async finish(
    idempotencyKey: string,
    outcome: { status: Exclude<ToolInvocationStatus, 'running'>; result?: unknown; errorCode?: string; durationMs: number },
  ): Promise<void> {
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
