/**
 * The fleet's rows: which instance owns each unfinished call (calls.prepared_by / calls.owner),
 * and the instance registry with its heartbeats (instances). Heartbeat ages are measured on the
 * database's clock, so clock skew between machines never decides that an instance is lost.
 */
import { jsonParam, toDate, toDateOrNull, toNum, toStrOrNull } from '../sql.js';
import type { Db, Queryable } from '../types.js';

export type InstanceKind = 'gateway' | 'worker';

/** What each instance publishes about itself (versions per vertical, live calls). */
export interface InstanceInfo {
  /** Vertical id → the version new calls get on this instance. */
  versions?: Record<string, string>;
  liveCalls?: number;
  pid?: number;
  host?: string;
  url?: string | null;
  [key: string]: unknown;
}

export interface InstanceRecord {
  id: string;
  kind: InstanceKind;
  startedAt: Date;
  heartbeatAt: Date;
  stoppedAt: Date | null;
  /** Milliseconds since the last heartbeat, on the database's clock. */
  heartbeatAgeMs: number;
  info: InstanceInfo;
}

/** A call row as an instance that did not prepare it sees it (a stream landed here). */
export interface OwnedCall {
  id: string;
  callSid: string;
  vertical: string;
  manifestVersion: string;
  preparedBy: string | null;
  owner: string | null;
  endedAt: Date | null;
  fromNumber: string | null;
  toNumber: string | null;
  metadata: Record<string, unknown>;
}

/** A call another instance finalised because its owner stopped heart-beating. */
export interface LostCall {
  id: string;
  callSid: string;
  owner: string;
}

const FINAL_SET = `ended_at = now(),
  duration_ms = GREATEST(0, round(extract(epoch FROM (now() - started_at)) * 1000))::integer,
  status = 'failed', end_reason = $1`;

export class FleetRepository {
  constructor(private readonly db: Db) {}

  /** The ownership facts of a call, or null when no row has this CallSid. */
  async lookup(callSid: string): Promise<OwnedCall | null> {
    const { rows } = await this.db.query(
      `SELECT id, call_sid, vertical, manifest_version, prepared_by, owner, ended_at, from_number, to_number, metadata
         FROM calls WHERE call_sid = $1`,
      [callSid],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: String(r.id), callSid: String(r.call_sid), vertical: String(r.vertical), manifestVersion: String(r.manifest_version),
      preparedBy: toStrOrNull(r.prepared_by), owner: toStrOrNull(r.owner), endedAt: toDateOrNull(r.ended_at),
      fromNumber: toStrOrNull(r.from_number), toNumber: toStrOrNull(r.to_number),
      metadata: (typeof r.metadata === 'string' ? JSON.parse(r.metadata) : r.metadata ?? {}) as Record<string, unknown>,
    };
  }

  /**
   * Takes an unfinished call over, atomically: only while nobody but its preparer (or nobody at
   * all) owns it. True when `me` owns it now; false when it ended or another instance claimed it.
   */
  async claim(callSid: string, me: string): Promise<boolean> {
    const res = await this.db.query(
      `UPDATE calls SET owner = $2
        WHERE call_sid = $1 AND ended_at IS NULL AND (owner IS NULL OR owner = prepared_by OR owner = $2)
        RETURNING id`,
      [callSid, me],
    );
    return res.rows.length === 1;
  }

  /** Who serves a call now (null: nobody recorded, or no such call). */
  async ownerOf(callId: string): Promise<string | null> {
    const { rows } = await this.db.query('SELECT owner FROM calls WHERE id = $1', [callId]);
    return toStrOrNull(rows[0]?.owner);
  }

  /** Registers or refreshes an instance (its heartbeat, on the database's clock). */
  async beat(id: string, kind: InstanceKind, info: InstanceInfo): Promise<void> {
    await this.db.query(
      `INSERT INTO instances (id, kind, info) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, info = EXCLUDED.info, heartbeat_at = now(), stopped_at = NULL`,
      [id, kind, jsonParam(info)],
    );
  }

  /** A clean stop: the instance is listed as stopped and is never taken for lost. */
  async stopped(id: string): Promise<void> {
    await this.db.query('UPDATE instances SET stopped_at = now() WHERE id = $1', [id]);
  }

  /** Instances seen within `withinMs` (running, lost or stopped), newest first. */
  async list(withinMs = 24 * 3600_000): Promise<InstanceRecord[]> {
    const { rows } = await this.db.query(
      `SELECT id, kind, started_at, heartbeat_at, stopped_at, info,
              GREATEST(0, extract(epoch FROM (now() - heartbeat_at)) * 1000)::float8 AS age_ms
         FROM instances WHERE heartbeat_at > now() - ($1::float8 * interval '1 millisecond')
        ORDER BY kind, id`,
      [withinMs],
    );
    return rows.map((r) => ({
      id: String(r.id), kind: r.kind as InstanceKind, startedAt: toDate(r.started_at), heartbeatAt: toDate(r.heartbeat_at),
      stoppedAt: toDateOrNull(r.stopped_at), heartbeatAgeMs: Math.round(toNum(r.age_ms)),
      info: (typeof r.info === 'string' ? JSON.parse(r.info) : r.info ?? {}) as InstanceInfo,
    }));
  }

  /**
   * Finalises (end reason `reason`, status failed) every unfinished call whose owner is neither
   * `me` nor a live instance (heartbeat within `lostAfterMs`, not stopped), and queues each one's
   * post-call analysis in the same transaction. Two sweepers never finalise a call twice.
   */
  async finalizeLost(me: string, lostAfterMs: number, reason: string): Promise<LostCall[]> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `UPDATE calls c SET ${FINAL_SET}
          WHERE c.ended_at IS NULL AND c.owner IS NOT NULL AND c.owner <> $2
            AND NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = c.owner AND i.stopped_at IS NULL
                              AND i.heartbeat_at > now() - ($3::float8 * interval '1 millisecond'))
          RETURNING c.id, c.call_sid, c.owner`,
        [reason, me, lostAfterMs],
      );
      return this.queue(tx, rows);
    });
  }

  /**
   * Finalises the unfinished calls this instance left behind in an earlier life (the same
   * instance id, killed before it could end them); with `all`, every unfinished call (a
   * single-process store such as embedded PGlite: nobody else can be serving them).
   */
  async finalizeLeftBehind(me: string, reason: string, all: boolean): Promise<LostCall[]> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `UPDATE calls SET ${FINAL_SET}
          WHERE ended_at IS NULL AND (owner = $2 OR $3::boolean)
          RETURNING id, call_sid, owner`,
        [reason, me, all],
      );
      return this.queue(tx, rows);
    });
  }

  private async queue(tx: Queryable, rows: ReadonlyArray<Record<string, unknown>>): Promise<LostCall[]> {
    const lost = rows.map((r) => ({ id: String(r.id), callSid: String(r.call_sid), owner: String(r.owner ?? '') }));
    for (const call of lost) {
      await tx.query('INSERT INTO post_call_outbox (call_id) VALUES ($1) ON CONFLICT (call_id) DO NOTHING', [call.id]);
    }
    return lost;
  }
}
