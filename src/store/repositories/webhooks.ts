/**
 * The webhook outbox (`webhook_events`) and the outcome of each delivery (`webhook_deliveries`).
 * `emitCallEvent` is the one way to record a call event: give it the transaction that records
 * what happened (or the plain Db) and the event is as durable as the record. The relay
 * (src/analysis/webhooks) publishes pending rows; two relays may read the same rows, so jobs carry
 * a deterministic id and the queue deduplicates.
 */
import { randomUUID } from 'node:crypto';
import type { CallEventType } from '../../manifest/index.js';
import { jsonParam, toDate, toNum, toStrOrNull } from '../sql.js';
import type { Db, Queryable, Row } from '../types.js';
import { isUuid } from './analysis.js';

/** JSON-safe metadata of an event: ids, times, reasons, scores. Never transcripts or phone numbers. */
export type CallEventData = Record<string, string | number | boolean | null | string[] | Record<string, unknown> | Array<Record<string, unknown>>>;

export interface CallEventInput {
  type: CallEventType;
  callId: string;
  vertical: string;
  /** Defaults to now. */
  occurredAt?: Date;
  data?: CallEventData;
}

export interface CallEventRecord {
  eventId: string;
  type: CallEventType;
  callId: string;
  vertical: string;
  occurredAt: Date;
  data: Record<string, unknown>;
  attempts: number;
}

export interface FailedDeliveryRow {
  jobId: string;
  eventId: string;
  subscription: string;
  type: string;
  callId: string;
  vertical: string;
  reason: string;
  attempts: number;
  failedAt: Date;
}

/** Records one call event in the webhook outbox; returns its event id. */
export async function emitCallEvent(q: Queryable, event: CallEventInput): Promise<string> {
  const eventId = randomUUID();
  await q.query(
    `INSERT INTO webhook_events (event_id, call_id, vertical, type, occurred_at, data)
     VALUES ($1::uuid, $2::uuid, $3, $4, COALESCE($5::timestamptz, now()), $6::jsonb)`,
    [eventId, event.callId, event.vertical, event.type, event.occurredAt ? event.occurredAt.toISOString() : null, jsonParam(event.data ?? {})],
  );
  return eventId;
}

const parseJson = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);

const toEvent = (r: Row): CallEventRecord => ({
  eventId: String(r.event_id),
  type: String(r.type) as CallEventType,
  callId: String(r.call_id),
  vertical: String(r.vertical),
  occurredAt: toDate(r.occurred_at),
  data: (parseJson(r.data) ?? {}) as Record<string, unknown>,
  attempts: toNum(r.attempts),
});

export class WebhookEventsRepository {
  constructor(private readonly db: Db) {}

  /** Records an event outside any transaction (its moment is now). */
  emit(event: CallEventInput): Promise<string> {
    return emitCallEvent(this.db, event);
  }

  /** Unsent events, oldest first. */
  async pending(limit = 100): Promise<CallEventRecord[]> {
    const { rows } = await this.db.query(
      `SELECT event_id, type, call_id, vertical, occurred_at, data, attempts FROM webhook_events
        WHERE sent_at IS NULL ORDER BY created_at, id LIMIT $1`,
      [Math.max(1, Math.min(limit, 10_000))],
    );
    return rows.map(toEvent);
  }

  async forCall(callId: string): Promise<CallEventRecord[]> {
    if (!isUuid(callId)) return [];
    const { rows } = await this.db.query(
      'SELECT event_id, type, call_id, vertical, occurred_at, data, attempts FROM webhook_events WHERE call_id = $1 ORDER BY id',
      [callId],
    );
    return rows.map(toEvent);
  }

  /** Events handed to the queue since `since`, oldest first (the in-process queue's start-up recovery). */
  async sentSince(since: Date, limit = 1000): Promise<CallEventRecord[]> {
    const { rows } = await this.db.query(
      `SELECT event_id, type, call_id, vertical, occurred_at, data, attempts FROM webhook_events
        WHERE sent_at IS NOT NULL AND sent_at >= $1 ORDER BY sent_at, id LIMIT $2`,
      [since.toISOString(), Math.max(1, Math.min(limit, 10_000))],
    );
    return rows.map(toEvent);
  }

  async markSent(eventIds: readonly string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    const res = await this.db.query(
      `UPDATE webhook_events SET sent_at = now(), attempts = attempts + 1, last_error = NULL
        WHERE sent_at IS NULL AND event_id = ANY($1::uuid[])`,
      [[...eventIds]],
    );
    return res.rowCount;
  }

  async markFailed(eventId: string, error: string): Promise<void> {
    await this.db.query('UPDATE webhook_events SET attempts = attempts + 1, last_error = $2 WHERE event_id = $1::uuid', [eventId, error.slice(0, 2000)]);
  }

  /** Job ids among `jobIds` already delivered (a replayed event skips them). */
  delivered(jobIds: readonly string[]): Promise<Set<string>> {
    return this.withOutcome(jobIds, ['delivered']);
  }

  /** Job ids among `jobIds` with an outcome (delivered or dead-lettered). */
  settled(jobIds: readonly string[]): Promise<Set<string>> {
    return this.withOutcome(jobIds, ['delivered', 'failed']);
  }

  private async withOutcome(jobIds: readonly string[], statuses: readonly string[]): Promise<Set<string>> {
    if (jobIds.length === 0) return new Set();
    const { rows } = await this.db.query(
      'SELECT job_id FROM webhook_deliveries WHERE status = ANY($2::text[]) AND job_id = ANY($1::text[])',
      [[...jobIds], [...statuses]],
    );
    return new Set(rows.map((r) => String(r.job_id)));
  }

  async recordDelivery(d: { jobId: string; eventId: string; subscription: string; status: 'delivered' | 'failed'; attempts: number; error?: string | null }): Promise<void> {
    await this.db.query(
      `INSERT INTO webhook_deliveries (job_id, event_id, subscription, status, attempts, last_error)
       VALUES ($1, $2::uuid, $3, $4, $5, $6)
       ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
         last_error = EXCLUDED.last_error, updated_at = now()`,
      [d.jobId, d.eventId, d.subscription, d.status, d.attempts, d.error ? d.error.slice(0, 2000) : null],
    );
  }

  /** Dead-lettered deliveries, newest first. */
  async failedDeliveries(limit = 100): Promise<FailedDeliveryRow[]> {
    const { rows } = await this.db.query(
      `SELECT d.job_id, d.event_id, d.subscription, d.attempts, d.last_error, d.updated_at, e.type, e.call_id, e.vertical
         FROM webhook_deliveries d JOIN webhook_events e ON e.event_id = d.event_id
        WHERE d.status = 'failed' ORDER BY d.updated_at DESC, d.job_id LIMIT $1`,
      [Math.max(1, Math.min(limit, 10_000))],
    );
    return rows.map((r) => ({
      jobId: String(r.job_id), eventId: String(r.event_id), subscription: String(r.subscription), type: String(r.type),
      callId: String(r.call_id), vertical: String(r.vertical), reason: toStrOrNull(r.last_error) ?? 'failed',
      attempts: toNum(r.attempts), failedAt: toDate(r.updated_at),
    }));
  }

  /**
   * Replays a dead-lettered delivery: forgets the failure and puts its event back to unsent, so the
   * relay publishes it again (webhooks that already have it are skipped). False when there is none.
   */
  async requeueDelivery(jobId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query("DELETE FROM webhook_deliveries WHERE job_id = $1 AND status = 'failed' RETURNING event_id", [jobId]);
      if (rows.length === 0) return false;
      await tx.query('UPDATE webhook_events SET sent_at = NULL, last_error = NULL WHERE event_id = $1::uuid', [String(rows[0]!.event_id)]);
      return true;
    });
  }

  /** Forgets a recorded failure (the queue runs the job again). */
  async clearFailure(jobId: string): Promise<void> {
    await this.db.query("DELETE FROM webhook_deliveries WHERE job_id = $1 AND status = 'failed'", [jobId]);
  }

  /** Phone numbers of a call, for webhooks that opted in (read at delivery, never queued). */
  async callNumbers(callId: string): Promise<{ from: string | null; to: string | null } | null> {
    if (!isUuid(callId)) return null;
    const { rows } = await this.db.query('SELECT from_number, to_number FROM calls WHERE id = $1', [callId]);
    return rows[0] ? { from: toStrOrNull(rows[0].from_number), to: toStrOrNull(rows[0].to_number) } : null;
  }

  /** A call's transcript lines, for webhooks that opted in. */
  async callTranscript(callId: string): Promise<Array<{ role: string; agent: string | null; text: string }>> {
    if (!isUuid(callId)) return [];
    const { rows } = await this.db.query('SELECT role, agent, text FROM transcript_items WHERE call_id = $1 ORDER BY seq', [callId]);
    return rows.map((r) => ({ role: String(r.role), agent: toStrOrNull(r.agent), text: String(r.text) }));
  }
}
