/**
 * Warm transfers (one row per attempt, its transitions in order), messages the agent took when
 * nobody answered, and the call's recording reference (columns of `calls`). Migration 0006.
 */
import { isUniqueViolation, jsonParam, toDate, toDateOrNull, toStrOrNull } from '../sql.js';
import type { Db, Row } from '../types.js';

export type TransferState = 'started' | 'answered' | 'bridged' | 'failed';

export interface TransferRecord {
  id: string;
  callId: string;
  mode: 'cold' | 'warm';
  state: TransferState;
  failure: string | null;
  legSid: string | null;
  /** Transitions in order, `atMs` from the attempt's start. */
  events: Array<{ type: string; atMs: number }>;
  startedAt: Date;
  endedAt: Date | null;
}

export type RecordingStatus = 'recording' | 'stopped' | 'refused';

export interface CallRecording {
  sid: string | null;
  url: string | null;
  status: RecordingStatus | null;
  error: string | null;
}

export interface NewCallMessage {
  callId: string;
  vertical: string;
  idempotencyKey: string;
  callerName: string;
  callbackNumber: string | null;
  message: string;
}

export interface CallMessage extends NewCallMessage {
  id: number;
  smsStatus: 'pending' | 'sent' | 'failed' | 'no_recipient';
  smsSid: string | null;
  smsError: string | null;
  createdAt: Date;
}

function toTransfer(r: Row): TransferRecord {
  return {
    id: String(r.id), callId: String(r.call_id), mode: r.mode as TransferRecord['mode'], state: r.state as TransferState,
    failure: toStrOrNull(r.failure), legSid: toStrOrNull(r.leg_sid), events: (r.events ?? []) as TransferRecord['events'],
    startedAt: toDate(r.started_at), endedAt: toDateOrNull(r.ended_at),
  };
}

function toMessage(r: Row): CallMessage {
  return {
    id: Number(r.id), callId: String(r.call_id), vertical: String(r.vertical), idempotencyKey: String(r.idempotency_key),
    callerName: String(r.caller_name), callbackNumber: toStrOrNull(r.callback_number), message: String(r.message),
    smsStatus: r.sms_status as CallMessage['smsStatus'], smsSid: toStrOrNull(r.sms_sid), smsError: toStrOrNull(r.sms_error),
    createdAt: toDate(r.created_at),
  };
}

export class TransfersRepository {
  constructor(private readonly db: Db) {}

  async start(t: { id: string; callId: string; mode: 'cold' | 'warm' }): Promise<void> {
    await this.db.query(
      `INSERT INTO call_transfers (id, call_id, mode, events) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (id) DO NOTHING`,
      [t.id, t.callId, t.mode, jsonParam([{ type: 'transfer.started', atMs: 0 }])],
    );
  }

  /** Appends a transition; `state` moves with it (a failure or a bridge also ends the attempt). */
  async transition(id: string, t: { type: string; atMs: number; state: TransferState; failure?: string; legSid?: string }): Promise<void> {
    const ends = t.state === 'bridged' || t.state === 'failed';
    await this.db.query(
      `UPDATE call_transfers
          SET events = events || $2::jsonb, state = $3, failure = COALESCE($4, failure), leg_sid = COALESCE($5, leg_sid),
              ended_at = CASE WHEN $6 THEN COALESCE(ended_at, now()) ELSE ended_at END
        WHERE id = $1`,
      [id, jsonParam([{ type: t.type, atMs: Math.round(t.atMs) }]), t.state, t.failure ?? null, t.legSid ?? null, ends],
    );
  }

  async ofCall(callId: string): Promise<TransferRecord[]> {
    const { rows } = await this.db.query('SELECT * FROM call_transfers WHERE call_id = $1 ORDER BY started_at, id', [callId]);
    return rows.map(toTransfer);
  }

  /** Stores a message once per idempotency key; the second call returns the first row. */
  async saveMessage(m: NewCallMessage): Promise<{ message: CallMessage; created: boolean }> {
    try {
      const { rows } = await this.db.query(
        `INSERT INTO call_messages (call_id, vertical, idempotency_key, caller_name, callback_number, message)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [m.callId, m.vertical, m.idempotencyKey, m.callerName, m.callbackNumber, m.message],
      );
      return { message: toMessage(rows[0]!), created: true };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const { rows } = await this.db.query('SELECT * FROM call_messages WHERE idempotency_key = $1', [m.idempotencyKey]);
      return { message: toMessage(rows[0]!), created: false };
    }
  }

  async messageNotified(id: number, outcome: { status: 'sent' | 'failed' | 'no_recipient'; sid?: string; error?: string }): Promise<void> {
    await this.db.query('UPDATE call_messages SET sms_status = $2, sms_sid = $3, sms_error = $4 WHERE id = $1', [id, outcome.status, outcome.sid ?? null, outcome.error ?? null]);
  }

  async messagesOf(callId: string): Promise<CallMessage[]> {
    const { rows } = await this.db.query('SELECT * FROM call_messages WHERE call_id = $1 ORDER BY id', [callId]);
    return rows.map(toMessage);
  }

  /** The recording reference on the call row (a later state replaces an earlier one; the sid is kept). */
  async setRecording(callId: string, r: { status: RecordingStatus; sid?: string; url?: string; error?: string }): Promise<void> {
    await this.db.query(
      `UPDATE calls SET recording_status = $2, recording_sid = COALESCE($3, recording_sid), recording_url = COALESCE($4, recording_url),
              recording_error = $5 WHERE id = $1`,
      [callId, r.status, r.sid ?? null, r.url ?? null, r.error ?? null],
    );
  }

  async recordingOf(callId: string): Promise<CallRecording | null> {
    const { rows } = await this.db.query('SELECT recording_sid, recording_url, recording_status, recording_error FROM calls WHERE id = $1', [callId]);
    const r = rows[0];
    if (!r) return null;
    return { sid: toStrOrNull(r.recording_sid), url: toStrOrNull(r.recording_url), status: toStrOrNull(r.recording_status) as RecordingStatus | null, error: toStrOrNull(r.recording_error) };
  }
}
