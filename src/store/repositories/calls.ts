import { jsonParam, toDate, toDateOrNull, toNumOrNull, toStrOrNull } from '../sql.js';
import type { Db, Queryable, Row } from '../types.js';
import { emitCallEvent } from './webhooks.js';
import { isCallChannel, type CallChannel } from '../../shared/index.js';

export type CallStatus = 'ringing' | 'in_progress' | 'completed' | 'failed';

export interface CallRecord {
  id: string;
  callSid: string;
  vertical: string;
  manifestVersion: string;
  engine: string | null;
  direction: 'inbound' | 'outbound';
  fromNumber: string | null;
  toNumber: string | null;
  status: CallStatus;
  startedAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  durationMs: number | null;
  traceId: string | null;
  metadata: Record<string, unknown>;
  /** How the caller reached the agent (phone, webrtc, chat). */
  channel: CallChannel;
}

export interface NewCall {
  id: string;
  callSid: string;
  vertical: string;
  manifestVersion: string;
  engine?: string | null;
  direction?: 'inbound' | 'outbound';
  from?: string | null;
  to?: string | null;
  traceId?: string | null;
  metadata?: Record<string, unknown>;
  /** Defaults to phone. */
  channel?: CallChannel;
  /** Defaults to now. */
  startedAt?: Date;
  /** Record a `call.started` webhook event in the same transaction (the vertical has a webhook for it). */
  emitStarted?: boolean;
  /** The instance that prepares and serves the call (calls.prepared_by and calls.owner). */
  owner?: string | null;
}

export interface FinalizeCall {
  status: 'completed' | 'failed';
  endReason: string;
  /** Defaults to now. */
  endedAt?: Date;
  /** Record a `call.ended` webhook event in the finalising transaction. */
  emitEnded?: boolean;
}

const COLUMNS = `id, call_sid, vertical, manifest_version, engine, direction, from_number, to_number, status,
  started_at, ended_at, end_reason, duration_ms, trace_id, metadata, channel`;

export function toCallRecord(r: Row): CallRecord {
  return {
    id: String(r.id),
    callSid: String(r.call_sid),
    vertical: String(r.vertical),
    manifestVersion: String(r.manifest_version),
    engine: toStrOrNull(r.engine),
    direction: r.direction as CallRecord['direction'],
    fromNumber: toStrOrNull(r.from_number),
    toNumber: toStrOrNull(r.to_number),
    status: r.status as CallStatus,
    startedAt: toDate(r.started_at),
    endedAt: toDateOrNull(r.ended_at),
    endReason: toStrOrNull(r.end_reason),
    durationMs: toNumOrNull(r.duration_ms),
    traceId: toStrOrNull(r.trace_id),
    metadata: (r.metadata ?? {}) as Record<string, unknown>,
    channel: isCallChannel(r.channel) ? r.channel : 'phone',
  };
}

/** The end reason of a call another instance finalised because its owner seemed gone (server/fleet). */
const SWEPT_AS_LOST = 'instance_lost';

export class CallsRepository {
  constructor(private readonly db: Db) {}

  async create(call: NewCall): Promise<CallRecord> {
    if (!call.emitStarted) return this.insert(this.db, call);
    return this.db.transaction(async (tx) => {
      const record = await this.insert(tx, call);
      await emitCallEvent(tx, {
        type: 'call.started', callId: record.id, vertical: record.vertical, occurredAt: record.startedAt,
        data: { callSid: record.callSid, direction: record.direction, manifestVersion: record.manifestVersion, startedAt: record.startedAt.toISOString() },
      });
      return record;
    });
  }

  private async insert(q: Queryable, call: NewCall): Promise<CallRecord> {
    const { rows } = await q.query(
      `INSERT INTO calls (id, call_sid, vertical, manifest_version, engine, direction, from_number, to_number,
                          trace_id, metadata, status, started_at, channel, prepared_by, owner)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, 'in_progress', COALESCE($11::timestamptz, now()), $12, $13, $13)
       RETURNING ${COLUMNS}`,
      [
        call.id, call.callSid, call.vertical, call.manifestVersion, call.engine ?? null, call.direction ?? 'inbound',
        call.from ?? null, call.to ?? null, call.traceId ?? null, jsonParam(call.metadata ?? {}),
        call.startedAt ? call.startedAt.toISOString() : null, call.channel ?? 'phone', call.owner ?? null,
      ],
    );
    return toCallRecord(rows[0]!);
  }

  async get(id: string): Promise<CallRecord | null> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM calls WHERE id = $1`, [id]);
    return rows[0] ? toCallRecord(rows[0]) : null;
  }

  async getBySid(callSid: string): Promise<CallRecord | null> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM calls WHERE call_sid = $1`, [callSid]);
    return rows[0] ? toCallRecord(rows[0]) : null;
  }

  /** Most recent first. */
  async list(options: { limit?: number; vertical?: string } = {}): Promise<CallRecord[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 50, 1000));
    const { rows } = options.vertical
      ? await this.db.query(`SELECT ${COLUMNS} FROM calls WHERE vertical = $1 ORDER BY started_at DESC, id LIMIT $2`, [options.vertical, limit])
      : await this.db.query(`SELECT ${COLUMNS} FROM calls ORDER BY started_at DESC, id LIMIT $1`, [limit]);
    return rows.map(toCallRecord);
  }

  async setEngine(id: string, engine: string): Promise<void> {
    await this.db.query('UPDATE calls SET engine = $2 WHERE id = $1', [id, engine]);
  }

  /** Merges keys into the call's metadata. */
  async mergeMetadata(id: string, metadata: Record<string, unknown>): Promise<void> {
    await this.db.query('UPDATE calls SET metadata = metadata || $2::jsonb WHERE id = $1', [id, jsonParam(metadata)]);
  }

  /**
   * Ends the call and queues its post-call work in one transaction. Idempotent: false when the
   * call was already finalised (or does not exist), and never a second outbox row.
   *
   * One exception: a row another instance swept as `instance_lost` (its owner's heartbeat came
   * late, an overloaded process rather than a dead one) while the call was still being served.
   * The call's own end then corrects it (time, status, reason; `metadata.sweptAsLost`), so the
   * record says how the call really ended.
   */
  async finalize(id: string, end: FinalizeCall): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `UPDATE calls
            SET ended_at = COALESCE($2::timestamptz, now()),
                duration_ms = GREATEST(0, round(extract(epoch FROM (COALESCE($2::timestamptz, now()) - started_at)) * 1000))::integer,
                status = $3, end_reason = $4,
                metadata = CASE WHEN ended_at IS NULL THEN metadata ELSE metadata || '{"sweptAsLost": true}'::jsonb END
          WHERE id = $1 AND (ended_at IS NULL OR (end_reason = $5 AND $4 <> $5))
          RETURNING ${COLUMNS}`,
        [id, end.endedAt ? end.endedAt.toISOString() : null, end.status, end.endReason, SWEPT_AS_LOST],
      );
      if (rows.length === 0) return false;
      await tx.query('INSERT INTO post_call_outbox (call_id) VALUES ($1) ON CONFLICT (call_id) DO NOTHING', [id]);
      if (end.emitEnded) {
        const c = toCallRecord(rows[0]!);
        await emitCallEvent(tx, {
          type: 'call.ended', callId: c.id, vertical: c.vertical, occurredAt: c.endedAt ?? new Date(),
          data: {
            callSid: c.callSid, status: c.status, endReason: c.endReason, manifestVersion: c.manifestVersion,
            startedAt: c.startedAt.toISOString(), endedAt: c.endedAt?.toISOString() ?? null, durationMs: c.durationMs,
          },
        });
      }
      return true;
    });
  }
}
