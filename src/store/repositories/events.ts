import { toDate, toNum, toNumOrNull } from '../sql.js';
import type { Db } from '../types.js';

export interface HandoffRecord {
  id: number;
  callId: string;
  fromAgent: string;
  toAgent: string;
  offsetMs: number | null;
  createdAt: Date;
}

export class HandoffsRepository {
  constructor(private readonly db: Db) {}

  async record(callId: string, fromAgent: string, toAgent: string, offsetMs?: number | null): Promise<void> {
    await this.db.query('INSERT INTO handoffs (call_id, from_agent, to_agent, offset_ms) VALUES ($1, $2, $3, $4)', [
      callId, fromAgent, toAgent, offsetMs == null ? null : Math.round(offsetMs),
    ]);
  }

  async list(callId: string): Promise<HandoffRecord[]> {
    const { rows } = await this.db.query(
      'SELECT id, call_id, from_agent, to_agent, offset_ms, created_at FROM handoffs WHERE call_id = $1 ORDER BY id',
      [callId],
    );
    return rows.map((r) => ({
      id: toNum(r.id),
      callId: String(r.call_id),
      fromAgent: String(r.from_agent),
      toAgent: String(r.to_agent),
      offsetMs: toNumOrNull(r.offset_ms),
      createdAt: toDate(r.created_at),
    }));
  }
}

export interface LatencySample {
  /** e.g. turn.speech_end_to_first_audio, model.first_delta, tool.duration, bargein.speech_started_to_clear */
  metric: string;
  valueMs: number;
  turn?: number | null;
}

export interface LatencyRecord extends Required<LatencySample> {
  id: number;
  callId: string;
  turn: number | null;
  createdAt: Date;
}

const LATENCY_BATCH = 500;

export class LatencyRepository {
  constructor(private readonly db: Db) {}

  /** Batch insert (one statement per 500 samples). */
  async record(callId: string, samples: readonly LatencySample[]): Promise<number> {
    let written = 0;
    for (let i = 0; i < samples.length; i += LATENCY_BATCH) {
      const chunk = samples.slice(i, i + LATENCY_BATCH);
      const params: unknown[] = [callId];
      const values = chunk.map((s) => {
        params.push(s.turn ?? null, s.metric, s.valueMs);
        const n = params.length;
        return `($1, $${n - 2}::integer, $${n - 1}, $${n}::double precision)`;
      });
      const res = await this.db.query(`INSERT INTO latency_samples (call_id, turn, metric, value_ms) VALUES ${values.join(', ')}`, params);
      written += res.rowCount;
    }
    return written;
  }

  async list(callId: string): Promise<LatencyRecord[]> {
    const { rows } = await this.db.query(
      'SELECT id, call_id, turn, metric, value_ms, created_at FROM latency_samples WHERE call_id = $1 ORDER BY id',
      [callId],
    );
    return rows.map((r) => ({
      id: toNum(r.id),
      callId: String(r.call_id),
      turn: toNumOrNull(r.turn),
      metric: String(r.metric),
      valueMs: toNum(r.value_ms),
      createdAt: toDate(r.created_at),
    }));
  }
}
