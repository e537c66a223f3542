import { toDate, toNum, toStrOrNull } from '../sql.js';
import type { Db } from '../types.js';

export interface OutboxEntry {
  id: number;
  callId: string;
  createdAt: Date;
  attempts: number;
  lastError: string | null;
}

/**
 * post_call_outbox: rows written by `calls.finalize`, published to the post-call queue by a relay.
 * Two relays may read the same pending rows: publish with jobId = callId so the queue dedups.
 */
export class OutboxRepository {
  constructor(private readonly db: Db) {}

  /** Unsent rows, oldest first. */
  async pending(limit = 100): Promise<OutboxEntry[]> {
    const { rows } = await this.db.query(
      `SELECT id, call_id, created_at, attempts, last_error FROM post_call_outbox
        WHERE sent_at IS NULL ORDER BY created_at, id LIMIT $1`,
      [Math.max(1, Math.min(limit, 10_000))],
    );
    return rows.map((r) => ({
      id: toNum(r.id),
      callId: String(r.call_id),
      createdAt: toDate(r.created_at),
      attempts: toNum(r.attempts),
      lastError: toStrOrNull(r.last_error),
    }));
  }

  async markSent(callIds: readonly string[]): Promise<number> {
    if (callIds.length === 0) return 0;
    const placeholders = callIds.map((_, i) => `$${i + 1}::uuid`).join(', ');
    const res = await this.db.query(
      `UPDATE post_call_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL
        WHERE sent_at IS NULL AND call_id IN (${placeholders})`,
      [...callIds],
    );
    return res.rowCount;
  }

  async markFailed(callId: string, error: string): Promise<void> {
    await this.db.query(
      'UPDATE post_call_outbox SET attempts = attempts + 1, last_error = $2 WHERE call_id = $1',
      [callId, error.slice(0, 2000)],
    );
  }
}
