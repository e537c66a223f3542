/**
 * SQL of scheduling: open slots are cut from providers' weekly blocks (clinic-local time, DST
 * safe through AT TIME ZONE) minus closures, time off and booked appointments. Double booking
 * is refused by the exclusion constraints on `appointments`, which this file maps to outcomes.
 */
import { isExclusionViolation, type Queryable } from '../../src/toolkit/index.js';

export interface SlotQuery {
  timezone: string;
  fromDate: string;
  days: number;
  providerId: string | null;
  specialty: string | null;
  locationId: string | null;
  partOfDay: 'any' | 'morning' | 'afternoon';
  /** Earliest allowed start (now + lead time). */
  notBefore: Date;
  limit: number;
  /** An appointment whose own time does not count as taken (rescheduling it). */
  ignoreAppointmentId: number | null;
}

export type SlotRow = {
  provider_id: string;
  provider_name: string;
  specialty: string;
  accepting_new_patients: boolean;
  location_id: string;
  location_name: string;
  starts_at: Date;
  ends_at: Date;
};

const SLOTS_SQL = `
WITH days AS (
  SELECT d::date AS day FROM generate_series($2::date, $2::date + ($3::int - 1), interval '1 day') AS d
), blocks AS (
  SELECT p.id AS provider_id, p.full_name AS provider_name, p.specialty, p.accepting_new_patients, p.slot_minutes,
         s.location_id, (days.day + s.starts_at) AT TIME ZONE $1 AS block_start, (days.day + s.ends_at) AT TIME ZONE $1 AS block_end
    FROM providers p
    JOIN provider_schedules s ON s.provider_id = p.id
    JOIN days ON extract(dow FROM days.day)::int = s.weekday
   WHERE p.active
     AND ($4::text IS NULL OR p.id = $4)
     AND ($5::text IS NULL OR lower(p.specialty) = lower($5))
     AND ($6::text IS NULL OR s.location_id = $6)
     AND NOT EXISTS (SELECT 1 FROM clinic_closures c
                      WHERE c.closed_on = days.day AND (c.location_id IS NULL OR c.location_id = s.location_id))
), slots AS (
  SELECT b.*, g AS starts_at, g + make_interval(mins => b.slot_minutes) AS ends_at
    FROM blocks b,
         generate_series(b.block_start, b.block_end - make_interval(mins => b.slot_minutes), make_interval(mins => b.slot_minutes)) AS g
)
SELECT sl.provider_id, sl.provider_name, sl.specialty, sl.accepting_new_patients, sl.location_id, l.name AS location_name,
       sl.starts_at, sl.ends_at
  FROM slots sl JOIN locations l ON l.id = sl.location_id
 WHERE sl.starts_at >= $7::timestamptz
   AND ($8::text = 'any'
        OR ($8 = 'morning' AND (sl.starts_at AT TIME ZONE $1)::time < time '12:00')
        OR ($8 = 'afternoon' AND (sl.starts_at AT TIME ZONE $1)::time >= time '12:00'))
   AND NOT EXISTS (SELECT 1 FROM appointments a
                    WHERE a.provider_id = sl.provider_id AND a.status = 'booked'
                      AND a.starts_at < sl.ends_at AND a.ends_at > sl.starts_at
                      AND ($10::bigint IS NULL OR a.id <> $10))
   AND NOT EXISTS (SELECT 1 FROM provider_time_off t
                    WHERE t.provider_id = sl.provider_id AND t.starts_at < sl.ends_at AND t.ends_at > sl.starts_at)
 ORDER BY sl.starts_at, sl.provider_id
 LIMIT $9`;

export async function openSlots(db: Queryable, q: SlotQuery): Promise<SlotRow[]> {
  const { rows } = await db.query<SlotRow>(SLOTS_SQL, [
    q.timezone, q.fromDate, q.days, q.providerId, q.specialty, q.locationId, q.notBefore.toISOString(), q.partOfDay, q.limit,
    q.ignoreAppointmentId,
  ]);
  return rows.map((r) => ({ ...r, starts_at: asDate(r.starts_at), ends_at: asDate(r.ends_at) }));
}

export type AppointmentRow = {
  id: number;
  patient_id: number;
  provider_id: string;
  provider_name: string;
  location_id: string;
  location_name: string;
  location_address: string;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  status: string;
};

const APPOINTMENT_SELECT = `SELECT a.id::int AS id, a.patient_id::int AS patient_id, a.provider_id, pr.full_name AS provider_name,
  a.location_id, l.name AS location_name, l.address AS location_address, a.starts_at, a.ends_at, a.reason, a.status
  FROM appointments a JOIN providers pr ON pr.id = a.provider_id JOIN locations l ON l.id = a.location_id`;

function mapAppointment(r: AppointmentRow): AppointmentRow {
  return { ...r, starts_at: asDate(r.starts_at), ends_at: asDate(r.ends_at) };
}

export async function getAppointment(db: Queryable, id: number): Promise<AppointmentRow | undefined> {
  const { rows } = await db.query<AppointmentRow>(`${APPOINTMENT_SELECT} WHERE a.id = $1`, [id]);
  return rows[0] ? mapAppointment(rows[0]) : undefined;
}

export async function upcomingAppointments(db: Queryable, patientId: number, now: Date): Promise<AppointmentRow[]> {
  const { rows } = await db.query<AppointmentRow>(
    `${APPOINTMENT_SELECT} WHERE a.patient_id = $1 AND a.status = 'booked' AND a.starts_at >= $2::timestamptz ORDER BY a.starts_at LIMIT 10`,
    [patientId, now.toISOString()],
  );
  return rows.map(mapAppointment);
}

/** The instant of a clinic-local date and time (DST-safe, by Postgres). */
export async function localInstant(db: Queryable, date: string, time: string, timezone: string): Promise<Date> {
  const { rows } = await db.query<{ at: Date }>('SELECT (($1::date + $2::time) AT TIME ZONE $3) AS at', [date, time, timezone]);
  return asDate(rows[0]!.at);
}

/** The patient's booked appointment starting exactly at `startsAt`, optionally with one provider. */
export async function bookedAt(db: Queryable, patientId: number, startsAt: Date, providerId: string | null): Promise<AppointmentRow | undefined> {
  const { rows } = await db.query<AppointmentRow>(
    `${APPOINTMENT_SELECT} WHERE a.patient_id = $1 AND a.status = 'booked' AND a.starts_at = $2::timestamptz
       AND ($3::text IS NULL OR a.provider_id = $3) ORDER BY a.id LIMIT 1`,
    [patientId, startsAt.toISOString(), providerId],
  );
  return rows[0] ? mapAppointment(rows[0]) : undefined;
}

/** Whether the patient has been seen by (or is booked with, or is assigned to) the provider. */
export async function isEstablished(db: Queryable, patientId: number, providerId: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM patients WHERE id = $1 AND primary_provider_id = $2
     UNION ALL
     SELECT 1 FROM appointments WHERE patient_id = $1 AND provider_id = $2 AND status IN ('booked', 'completed')
     LIMIT 1`,
    [patientId, providerId],
  );
  return rows.length > 0;
}

export async function bookedOverlap(db: Queryable, providerId: string, startsAt: Date, endsAt: Date, ignoreId: number | null): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM appointments WHERE provider_id = $1 AND status = 'booked' AND starts_at < $3::timestamptz AND ends_at > $2::timestamptz
       AND ($4::bigint IS NULL OR id <> $4) LIMIT 1`,
    [providerId, startsAt.toISOString(), endsAt.toISOString(), ignoreId],
  );
  return rows.length > 0;
}

export type WriteOutcome = { ok: true; id: number } | { ok: false; conflict: 'provider' | 'patient' };

/** Maps the exclusion constraints' violation (SQLSTATE 23P01) to which side was double-booked. */
function conflictOf(err: unknown): 'provider' | 'patient' | undefined {
  if (!isExclusionViolation(err)) return undefined;
  const e = err as { constraint?: unknown; message?: unknown };
  const name = `${String(e.constraint ?? '')} ${String(e.message ?? '')}`;
  return name.includes('appointments_patient_no_overlap') ? 'patient' : 'provider';
}

export async function insertAppointment(db: Queryable, a: {
  patientId: number; providerId: string; locationId: string; startsAt: Date; endsAt: Date; reason: string; callId: string;
}): Promise<WriteOutcome> {
  try {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO appointments (patient_id, provider_id, location_id, starts_at, ends_at, reason, created_by_call)
       VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6, $7) RETURNING id::int AS id`,
      [a.patientId, a.providerId, a.locationId, a.startsAt.toISOString(), a.endsAt.toISOString(), a.reason, a.callId],
    );
    return { ok: true, id: rows[0]!.id };
  } catch (err) {
    const conflict = conflictOf(err);
    if (conflict) return { ok: false, conflict };
    throw err;
  }
}

export async function moveAppointment(db: Queryable, id: number, startsAt: Date, endsAt: Date, locationId: string): Promise<WriteOutcome> {
  try {
    await db.query(
      `UPDATE appointments SET starts_at = $2::timestamptz, ends_at = $3::timestamptz, location_id = $4, updated_at = now()
        WHERE id = $1 AND status = 'booked'`,
      [id, startsAt.toISOString(), endsAt.toISOString(), locationId],
    );
    return { ok: true, id };
  } catch (err) {
    const conflict = conflictOf(err);
    if (conflict) return { ok: false, conflict };
    throw err;
  }
}

/** True when the row was still booked and is now cancelled. */
export async function cancelAppointment(db: Queryable, id: number, at: Date, reason: string | null): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE appointments SET status = 'cancelled', cancelled_at = $2::timestamptz, cancel_reason = $3, updated_at = now()
      WHERE id = $1 AND status = 'booked'`,
    [id, at.toISOString(), reason],
  );
  return rowCount > 0;
}

export async function lastReminder(db: Queryable, appointmentId: number): Promise<Date | undefined> {
  const { rows } = await db.query<{ sent_at: Date }>(
    'SELECT sent_at FROM sms_reminders WHERE appointment_id = $1 ORDER BY sent_at DESC LIMIT 1', [appointmentId],
  );
  return rows[0] ? asDate(rows[0].sent_at) : undefined;
}

export async function insertReminder(db: Queryable, r: {
  appointmentId: number; toNumber: string; body: string; providerMessageId: string; sentAt: Date; callId: string;
}): Promise<void> {
  await db.query(
    `INSERT INTO sms_reminders (appointment_id, to_number, body, provider_message_id, sent_at, call_id)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $6)`,
    [r.appointmentId, r.toNumber, r.body, r.providerMessageId, r.sentAt.toISOString(), r.callId],
  );
}

function asDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}
