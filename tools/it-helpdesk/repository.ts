/**
 * SQL of the IT service desk tools (employees and identity, accounts, password reset links,
 * devices, service status, tickets, support queues). Knowledge-base SQL is in
 * knowledgeRepository.ts. Dates come back as 'YYYY-MM-DD' text, ids as numbers.
 */
import type { Queryable } from '../../src/toolkit/index.js';

export interface DeskSettings {
  companyName: string;
  timezone: string;
  resetLinkBase: string;
  resetLinkMinutes: number;
  maxResetsPerDay: number;
  tier2CallbackHours: number;
}

export async function deskSettings(db: Queryable): Promise<DeskSettings | undefined> {
  const { rows } = await db.query<{
    company_name: string; timezone: string; reset_link_base: string; reset_link_minutes: number; max_resets_per_day: number; tier2_callback_hours: number;
  }>('SELECT company_name, timezone, reset_link_base, reset_link_minutes, max_resets_per_day, tier2_callback_hours FROM desk_settings WHERE id');
  const r = rows[0];
  return r && {
    companyName: r.company_name, timezone: r.timezone, resetLinkBase: r.reset_link_base, resetLinkMinutes: r.reset_link_minutes,
    maxResetsPerDay: r.max_resets_per_day, tier2CallbackHours: r.tier2_callback_hours,
  };
}

// ---- employees and identity -------------------------------------------------------------------

export type EmployeeRow = {
  id: string;
  full_name: string;
  email: string;
  department: string;
  mobile_phone: string | null;
  pin_salt: string | null;
  pin_hash: string | null;
  employment_status: string;
};

export async function getEmployee(db: Queryable, id: string): Promise<EmployeeRow | undefined> {
  const { rows } = await db.query<EmployeeRow>(
    'SELECT id, full_name, email, department, mobile_phone, pin_salt, pin_hash, employment_status FROM employees WHERE id = $1', [id],
  );
  return rows[0];
}

export async function isVerified(db: Queryable, callId: string, employeeId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM identity_verifications WHERE call_id = $1 AND employee_id = $2', [callId, employeeId]);
  return rows.length > 0;
}

export async function recordVerification(db: Queryable, callId: string, employeeId: string): Promise<void> {
  await db.query('INSERT INTO identity_verifications (call_id, employee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [callId, employeeId]);
}

export async function recordAttempt(db: Queryable, callId: string, employeeId: string | null, succeeded: boolean, at: Date): Promise<void> {
  await db.query('INSERT INTO identity_attempts (call_id, employee_id, succeeded, attempted_at) VALUES ($1, $2, $3, $4::timestamptz)', [
    callId, employeeId, succeeded, at.toISOString(),
  ]);
}

/** Failed attempts on this call, and against this employee across all calls since `since`. */
export async function failedAttempts(db: Queryable, callId: string, employeeId: string, since: Date): Promise<{ call: number; employee: number }> {
  const { rows } = await db.query<{ call: number; employee: number }>(
    `SELECT (SELECT count(*)::int FROM identity_attempts WHERE call_id = $1 AND NOT succeeded) AS call,
            (SELECT count(*)::int FROM identity_attempts WHERE employee_id = $2 AND NOT succeeded AND attempted_at >= $3::timestamptz) AS employee`,
    [callId, employeeId, since.toISOString()],
  );
  return rows[0] ?? { call: 0, employee: 0 };
}

// ---- accounts -----------------------------------------------------------------------------------

export type AccountRow = { system: string; status: string; privileged: boolean; locked_at: Date | null };

export async function getAccount(db: Queryable, employeeId: string, system: string): Promise<AccountRow | undefined> {
  const { rows } = await db.query<AccountRow>(
    'SELECT system, status, privileged, locked_at FROM accounts WHERE employee_id = $1 AND system = $2', [employeeId, system],
  );
  return rows[0];
}

export async function listAccounts(db: Queryable, employeeId: string): Promise<AccountRow[]> {
  const { rows } = await db.query<AccountRow>('SELECT system, status, privileged, locked_at FROM accounts WHERE employee_id = $1 ORDER BY system', [employeeId]);
  return rows;
}

/** True when the account was locked and is now active. */
export async function unlockAccount(db: Queryable, employeeId: string, system: string, callId: string): Promise<boolean> {
  return db.query<{ n: number }>(
    `WITH u AS (
       UPDATE accounts SET status = 'active', failed_logins = 0, locked_at = NULL, updated_at = now()
        WHERE employee_id = $1 AND system = $2 AND status = 'locked' RETURNING employee_id
     ), e AS (
       INSERT INTO account_events (employee_id, system, action, call_id) SELECT employee_id, $2, 'unlock', $3 FROM u RETURNING 1
     ) SELECT count(*)::int AS n FROM e`,
    [employeeId, system, callId],
  ).then((r) => (r.rows[0]?.n ?? 0) > 0);
}

export async function resetsSince(db: Queryable, employeeId: string, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM password_resets WHERE employee_id = $1 AND created_at >= $2::timestamptz', [employeeId, since.toISOString()],
  );
  return rows[0]?.n ?? 0;
}

export async function insertPasswordReset(db: Queryable, r: {
  employeeId: string; tokenHash: string; sentTo: string; smsId: string; createdAt: Date; expiresAt: Date; callId: string;
}): Promise<void> {
  await db.query(
    `WITH r AS (
       INSERT INTO password_resets (employee_id, token_hash, sent_to, sms_id, created_at, expires_at, call_id)
       VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7) RETURNING employee_id
     ) INSERT INTO account_events (employee_id, system, action, call_id) SELECT employee_id, 'directory', 'password_reset_link', $7 FROM r`,
    [r.employeeId, r.tokenHash, r.sentTo, r.smsId, r.createdAt.toISOString(), r.expiresAt.toISOString(), r.callId],
  );
}

// ---- devices and services ---------------------------------------------------------------------

export type DeviceRow = {
  asset_tag: string; employee_id: string | null; kind: string; model: string; os: string; serial_number: string;
  purchased_on: string; warranty_ends_on: string; last_check_in: Date | null; encrypted: boolean; compliance: string; status: string;
};

const DEVICE_SELECT = `SELECT asset_tag, employee_id, kind, model, os, serial_number, purchased_on::text AS purchased_on,
  warranty_ends_on::text AS warranty_ends_on, last_check_in, encrypted, compliance, status FROM devices`;

export async function devicesOf(db: Queryable, employeeId: string): Promise<DeviceRow[]> {
  const { rows } = await db.query<DeviceRow>(`${DEVICE_SELECT} WHERE employee_id = $1 ORDER BY kind, asset_tag`, [employeeId]);
  return rows;
}

export async function getDevice(db: Queryable, assetTag: string): Promise<DeviceRow | undefined> {
  const { rows } = await db.query<DeviceRow>(`${DEVICE_SELECT} WHERE asset_tag = $1`, [assetTag]);
  return rows[0];
}

export type ServiceRow = { id: string; name: string; status: string; message: string | null; eta: Date | null; updated_at: Date };

export async function listServices(db: Queryable, query: string | null): Promise<ServiceRow[]> {
  const { rows } = await db.query<ServiceRow>(
    `SELECT id, name, status, message, eta, updated_at FROM services
      WHERE $1::text IS NULL OR id = lower($1) OR lower(name) LIKE '%' || lower($1) || '%' OR lower($1) LIKE '%' || id || '%'
      ORDER BY CASE status WHEN 'outage' THEN 0 WHEN 'degraded' THEN 1 WHEN 'maintenance' THEN 2 ELSE 3 END, name`,
    [query],
  );
  return rows;
}

// ---- tickets ------------------------------------------------------------------------------------

export type TicketRow = {
  id: number; employee_id: string; summary: string; description: string; category: string; priority: string; status: string;
  tier: number; asset_tag: string | null; kb_article_ids: string[]; created_at: Date; updated_at: Date;
};

const TICKET_SELECT = `SELECT id::int AS id, employee_id, summary, description, category, priority, status, tier, asset_tag,
  kb_article_ids, created_at, updated_at FROM tickets`;

export async function getTicket(db: Queryable, id: number): Promise<TicketRow | undefined> {
  const { rows } = await db.query<TicketRow>(`${TICKET_SELECT} WHERE id = $1`, [id]);
  return rows[0];
}

/** The employee's most recent ticket opened on this call, if any. */
export async function ticketOpenedOnCall(db: Queryable, employeeId: string, callId: string): Promise<TicketRow | undefined> {
  const { rows } = await db.query<TicketRow>(
    `${TICKET_SELECT} WHERE employee_id = $1 AND created_by_call = $2 ORDER BY id DESC LIMIT 1`, [employeeId, callId],
  );
  return rows[0];
}

export async function ticketsOf(db: Queryable, employeeId: string, openOnly: boolean): Promise<TicketRow[]> {
  const { rows } = await db.query<TicketRow>(
    `${TICKET_SELECT} WHERE employee_id = $1 AND (NOT $2::boolean OR status NOT IN ('resolved', 'closed')) ORDER BY created_at DESC LIMIT 10`,
    [employeeId, openOnly],
  );
  return rows;
}

export async function insertTicket(db: Queryable, t: {
  employeeId: string; summary: string; description: string; category: string; priority: string; assetTag: string | null;
  kbArticleIds: string[]; callId: string; at: Date;
}): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO tickets (employee_id, summary, description, category, priority, asset_tag, kb_article_ids, created_by_call, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8, $9::timestamptz, $9::timestamptz) RETURNING id::int AS id`,
    [t.employeeId, t.summary, t.description, t.category, t.priority, t.assetTag, t.kbArticleIds, t.callId, t.at.toISOString()],
  );
  return rows[0]!.id;
}

/** Sets a ticket's status (resolved_at follows it); returns false when the row was not in an allowed state. */
export async function setTicketStatus(db: Queryable, id: number, status: string, fromStatuses: readonly string[], at: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE tickets SET status = $2, updated_at = $4::timestamptz,
            resolved_at = CASE WHEN $2 IN ('resolved', 'closed') THEN $4::timestamptz ELSE NULL END
      WHERE id = $1 AND status = ANY($3::text[])`,
    [id, status, [...fromStatuses], at.toISOString()],
  );
  return rowCount > 0;
}

export async function touchTicket(db: Queryable, id: number, at: Date): Promise<void> {
  await db.query('UPDATE tickets SET updated_at = $2::timestamptz WHERE id = $1', [id, at.toISOString()]);
}

export async function addNote(db: Queryable, ticketId: number, author: string, body: string, callId: string | null, at: Date): Promise<void> {
  await db.query('INSERT INTO ticket_notes (ticket_id, author, body, call_id, created_at) VALUES ($1, $2, $3, $4, $5::timestamptz)', [
    ticketId, author, body, callId, at.toISOString(),
  ]);
}

export async function latestNotes(db: Queryable, ticketId: number, limit: number): Promise<{ author: string; body: string; created_at: Date }[]> {
  const { rows } = await db.query<{ author: string; body: string; created_at: Date }>(
    'SELECT author, body, created_at FROM ticket_notes WHERE ticket_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [ticketId, limit],
  );
  return rows;
}

/** Moves the ticket to tier 2 and records the escalation, atomically. False when it cannot be escalated. */
export async function escalateTicket(db: Queryable, e: { ticketId: number; queueId: string; reason: string; transferred: boolean; callId: string; at: Date }): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(
    `WITH t AS (
       UPDATE tickets SET status = 'escalated', tier = 2, updated_at = $6::timestamptz
        WHERE id = $1 AND status IN ('new', 'in_progress', 'waiting_on_caller') RETURNING id
     ), e AS (
       INSERT INTO escalations (ticket_id, queue_id, reason, transferred, call_id, created_at)
       SELECT id, $2, $3, $4, $5, $6::timestamptz FROM t RETURNING 1
     ) SELECT count(*)::int AS n FROM e`,
    [e.ticketId, e.queueId, e.reason, e.transferred, e.callId, e.at.toISOString()],
  );
  return (rows[0]?.n ?? 0) > 0;
}

export async function markNotTransferred(db: Queryable, ticketId: number): Promise<void> {
  await db.query(
    'UPDATE escalations SET transferred = false WHERE id = (SELECT max(id) FROM escalations WHERE ticket_id = $1)', [ticketId],
  );
}

// ---- support queues ---------------------------------------------------------------------------

export async function getQueue(db: Queryable, id: string): Promise<{ id: string; name: string; phone: string } | undefined> {
  const { rows } = await db.query<{ id: string; name: string; phone: string }>('SELECT id, name, phone FROM support_queues WHERE id = $1', [id]);
  return rows[0];
}

/** Whether the queue is staffed at `at` (its hours are in the desk's time zone). */
export async function queueOpen(db: Queryable, queueId: string, at: Date, timezone: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM support_queue_hours
      WHERE queue_id = $1
        AND weekday = extract(dow FROM ($2::timestamptz AT TIME ZONE $3))::int
        AND ($2::timestamptz AT TIME ZONE $3)::time >= opens_at
        AND ($2::timestamptz AT TIME ZONE $3)::time < closes_at`,
    [queueId, at.toISOString(), timezone],
  );
  return rows.length > 0;
}

export async function queueHours(db: Queryable, queueId: string): Promise<{ weekday: number; opens_at: string; closes_at: string }[]> {
  const { rows } = await db.query<{ weekday: number; opens_at: string; closes_at: string }>(
    'SELECT weekday::int AS weekday, opens_at::text AS opens_at, closes_at::text AS closes_at FROM support_queue_hours WHERE queue_id = $1 ORDER BY weekday',
    [queueId],
  );
  return rows;
}
