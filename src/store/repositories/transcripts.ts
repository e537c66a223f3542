import { isUniqueViolation, toDate, toNumOrNull, toStrOrNull, toNum } from '../sql.js';
import type { Db, Row } from '../types.js';

export type TranscriptRole = 'caller' | 'assistant' | 'system';

export interface TranscriptItem {
  id: number;
  callId: string;
  seq: number;
  role: TranscriptRole;
  agent: string | null;
  itemId: string | null;
  text: string;
  /** Offsets from the start of the call. */
  startedMs: number | null;
  endedMs: number | null;
  interrupted: boolean;
  createdAt: Date;
}

export interface NewTranscriptItem {
  role: TranscriptRole;
  agent?: string | null;
  itemId?: string | null;
  text: string;
  startedMs?: number | null;
  endedMs?: number | null;
  interrupted?: boolean;
}

const COLUMNS = 'id, call_id, seq, role, agent, item_id, text, started_ms, ended_ms, interrupted, created_at';
const MAX_SEQ_RETRIES = 8;

function toItem(r: Row): TranscriptItem {
  return {
    id: toNum(r.id),
    callId: String(r.call_id),
    seq: toNum(r.seq),
    role: r.role as TranscriptRole,
    agent: toStrOrNull(r.agent),
    itemId: toStrOrNull(r.item_id),
    text: String(r.text),
    startedMs: toNumOrNull(r.started_ms),
    endedMs: toNumOrNull(r.ended_ms),
    interrupted: r.interrupted === true,
    createdAt: toDate(r.created_at),
  };
}

const intOrNull = (v: number | null | undefined): number | null => (v == null ? null : Math.round(v));

export class TranscriptsRepository {
  constructor(private readonly db: Db) {}

  /** Appends with the next seq of the call; concurrent appends retry on the (call_id, seq) key. */
  async append(callId: string, item: NewTranscriptItem): Promise<TranscriptItem> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { rows } = await this.db.query(
          `INSERT INTO transcript_items (call_id, seq, role, agent, item_id, text, started_ms, ended_ms, interrupted)
           SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6, $7, $8 FROM transcript_items WHERE call_id = $1
           RETURNING ${COLUMNS}`,
          [callId, item.role, item.agent ?? null, item.itemId ?? null, item.text, intOrNull(item.startedMs),
            intOrNull(item.endedMs), item.interrupted ?? false],
        );
        return toItem(rows[0]!);
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= MAX_SEQ_RETRIES) throw err;
      }
    }
  }

  /** Updates the item the model knows by `itemId` (e.g. truncated after a barge-in). */
  async updateByItemId(
    callId: string,
    itemId: string,
    patch: { text?: string; interrupted?: boolean; endedMs?: number },
  ): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `UPDATE transcript_items
          SET text = COALESCE($3, text), interrupted = COALESCE($4, interrupted), ended_ms = COALESCE($5, ended_ms)
        WHERE call_id = $1 AND item_id = $2`,
      [callId, itemId, patch.text ?? null, patch.interrupted ?? null, intOrNull(patch.endedMs)],
    );
    return rowCount > 0;
  }

  async list(callId: string): Promise<TranscriptItem[]> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM transcript_items WHERE call_id = $1 ORDER BY seq`, [callId]);
    return rows.map(toItem);
  }
}
