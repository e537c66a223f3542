/**
 * SQL of the healthcare tools (patients, identity, clinic facts, refills, messages, triage,
 * transfers). Scheduling lives in schedulingRepository.ts. Every function takes the vertical's
 * Db (names resolve in its schema); dates come back as 'YYYY-MM-DD' text, ids as numbers.
 */
import type { Queryable } from '../../src/toolkit/index.js';

export interface ClinicSettings {
  clinicName: string;
  timezone: string;
  mainPhone: string;
  emergencyNumber: string;
  minBookingLeadMinutes: number;
  bookingHorizonDays: number;
  cancellationNoticeHours: number;
  lateCancellationPolicy: string;
  refillTurnaroundHours: number;
  messageCallbackHours: number;
  newPatientPolicy: string;
}

export async function clinicSettings(db: Queryable): Promise<ClinicSettings | undefined> {
  const { rows } = await db.query<{
    clinic_name: string; timezone: string; main_phone: string; emergency_number: string;
    min_booking_lead_minutes: number; booking_horizon_days: number; cancellation_notice_hours: number;
    late_cancellation_policy: string; refill_turnaround_hours: number; message_callback_hours: number; new_patient_policy: string;
  }>('SELECT * FROM clinic_settings WHERE id');
  const r = rows[0];
  if (!r) return undefined;
  return {
    clinicName: r.clinic_name, timezone: r.timezone, mainPhone: r.main_phone, emergencyNumber: r.emergency_number,
    minBookingLeadMinutes: r.min_booking_lead_minutes, bookingHorizonDays: r.booking_horizon_days,
    cancellationNoticeHours: r.cancellation_notice_hours, lateCancellationPolicy: r.late_cancellation_policy,
    refillTurnaroundHours: r.refill_turnaround_hours, messageCallbackHours: r.message_callback_hours,
    newPatientPolicy: r.new_patient_policy,
  };
}

// ---- identity -------------------------------------------------------------------------------

export async function isVerified(db: Queryable, callId: string, patientId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM identity_verifications WHERE call_id = $1 AND patient_id = $2', [callId, patientId]);
  return rows.length > 0;
}

export async function failedAttempts(db: Queryable, callId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM identity_attempts WHERE call_id = $1 AND NOT succeeded', [callId],
  );
  return rows[0]?.n ?? 0;
}

export async function recordAttempt(db: Queryable, callId: string, succeeded: boolean): Promise<void> {
  await db.query('INSERT INTO identity_attempts (call_id, succeeded) VALUES ($1, $2)', [callId, succeeded]);
}

export async function recordVerification(db: Queryable, callId: string, patientId: number, method: 'name_dob' | 'registration'): Promise<void> {
  await db.query(
    `INSERT INTO identity_verifications (call_id, patient_id, method) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
    [callId, patientId, method],
  );
}

export async function findPatientByIdentity(db: Queryable, firstName: string, lastName: string, dateOfBirth: string): Promise<PatientRow | undefined> {
  const { rows } = await db.query<PatientRow>(
    `${PATIENT_SELECT} WHERE lower(p.first_name) = lower($1) AND lower(p.last_name) = lower($2) AND p.date_of_birth = $3::date`,
    [firstName.trim(), lastName.trim(), dateOfBirth],
  );
  return rows[0];
}

// ---- patients -------------------------------------------------------------------------------

export type PatientRow = {
  id: number;
  first_name: string;
  last_name: string;
  date_of_birth: string;
  phone: string | null;
  insurance_plan_id: string | null;
  insurance_member_id: string | null;
  coverage_ends_on: string | null;
  primary_provider_id: string | null;
  primary_provider_name: string | null;
};

const PATIENT_SELECT = `SELECT p.id::int AS id, p.first_name, p.last_name, p.date_of_birth::text AS date_of_birth, p.phone,
  p.insurance_plan_id, p.insurance_member_id, p.coverage_ends_on::text AS coverage_ends_on,
  p.primary_provider_id, pr.full_name AS primary_provider_name
  FROM patients p LEFT JOIN providers pr ON pr.id = p.primary_provider_id`;

export async function getPatient(db: Queryable, id: number): Promise<PatientRow | undefined> {
  const { rows } = await db.query<PatientRow>(`${PATIENT_SELECT} WHERE p.id = $1`, [id]);
  return rows[0];
}

export interface NewPatient {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  phone: string;
  email: string | null;
  insurancePlanId: string | null;
  insuranceMemberId: string | null;
  callId: string;
}

/** The new patient's id, or undefined when the same name and date of birth is already registered. */
export async function insertPatient(db: Queryable, p: NewPatient): Promise<number | undefined> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO patients (first_name, last_name, date_of_birth, phone, email, insurance_plan_id, insurance_member_id, created_by_call)
     VALUES ($1, $2, $3::date, $4, $5, $6, $7, $8)
     ON CONFLICT (lower(first_name), lower(last_name), date_of_birth) DO NOTHING
     RETURNING id::int AS id`,
    [p.firstName, p.lastName, p.dateOfBirth, p.phone, p.email, p.insurancePlanId, p.insuranceMemberId, p.callId],
  );
  return rows[0]?.id;
}

export type PrescriptionRow = {
  id: number;
  medication: string;
  dosage: string;
  refills_remaining: number;
  controlled: boolean;
  pharmacy: string | null;
  prescriber_id: string;
  prescriber_name: string;
};

const PRESCRIPTION_SELECT = `SELECT rx.id::int AS id, rx.medication, rx.dosage, rx.refills_remaining, rx.controlled, rx.pharmacy,
  rx.prescriber_id, pr.full_name AS prescriber_name
  FROM prescriptions rx JOIN providers pr ON pr.id = rx.prescriber_id`;

export async function activePrescriptions(db: Queryable, patientId: number): Promise<PrescriptionRow[]> {
  const { rows } = await db.query<PrescriptionRow>(
    `${PRESCRIPTION_SELECT} WHERE rx.patient_id = $1 AND rx.active ORDER BY rx.medication`, [patientId],
  );
  return rows;
}

/** Active prescriptions whose medication name starts with the words the caller used. */
export async function findPrescription(db: Queryable, patientId: number, medication: string): Promise<PrescriptionRow[]> {
  const { rows } = await db.query<PrescriptionRow>(
    `${PRESCRIPTION_SELECT} WHERE rx.patient_id = $1 AND rx.active
       AND (lower(rx.medication) = lower($2) OR lower(rx.medication) LIKE lower($2) || '%' OR lower($2) LIKE lower(rx.medication) || '%')
     ORDER BY rx.medication`,
    [patientId, medication.trim()],
  );
  return rows;
}

export async function pendingRefill(db: Queryable, prescriptionId: number): Promise<{ id: number; requested_at: Date } | undefined> {
  const { rows } = await db.query<{ id: number; requested_at: Date }>(
    `SELECT id::int AS id, requested_at FROM refill_requests WHERE prescription_id = $1 AND status = 'pending'`, [prescriptionId],
  );
  return rows[0];
}

/** The new request id, or undefined when a pending request already exists (unique partial index). */
export async function insertRefill(db: Queryable, r: { prescriptionId: number; patientId: number; pharmacy: string; callId: string }): Promise<number | undefined> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO refill_requests (prescription_id, patient_id, pharmacy, call_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (prescription_id) WHERE status = 'pending' DO NOTHING RETURNING id::int AS id`,
    [r.prescriptionId, r.patientId, r.pharmacy, r.callId],
  );
  return rows[0]?.id;
}

// ---- insurance --------------------------------------------------------------------------------

export type PlanRow = {
  id: string;
  payer: string;
  plan_name: string;
  accepted: boolean;
  primary_copay_cents: number | null;
  specialist_copay_cents: number | null;
  notes: string | null;
};

export async function getPlan(db: Queryable, id: string): Promise<PlanRow | undefined> {
  const { rows } = await db.query<PlanRow>('SELECT * FROM insurance_plans WHERE id = $1', [id]);
  return rows[0];
}

/** Plans whose payer or plan name contains any of the caller's words (e.g. "blue cross"). */
export async function searchPlans(db: Queryable, text: string): Promise<PlanRow[]> {
  const { rows } = await db.query<PlanRow>(
    `SELECT * FROM insurance_plans
      WHERE lower(payer) LIKE '%' || lower($1) || '%' OR lower(plan_name) LIKE '%' || lower($1) || '%'
         OR lower($1) LIKE '%' || lower(payer) || '%' OR lower(id) = lower($1)
      ORDER BY payer, plan_name LIMIT 8`,
    [text.trim()],
  );
  return rows;
}

// ---- clinic facts ---------------------------------------------------------------------------

export type LocationRow = {
  id: string;
  name: string;
  address: string;
  phone: string;
  parking: string | null;
};

export async function listLocations(db: Queryable, locationId?: string): Promise<LocationRow[]> {
  const { rows } = await db.query<LocationRow>(
    `SELECT id, name, address, phone, parking FROM locations WHERE $1::text IS NULL OR id = $1 ORDER BY name`,
    [locationId ?? null],
  );
  return rows;
}

export async function locationHours(db: Queryable): Promise<{ location_id: string; weekday: number; opens_at: string; closes_at: string }[]> {
  const { rows } = await db.query<{ location_id: string; weekday: number; opens_at: string; closes_at: string }>(
    'SELECT location_id, weekday::int AS weekday, opens_at::text AS opens_at, closes_at::text AS closes_at FROM location_hours ORDER BY location_id, weekday',
  );
  return rows;
}

export async function upcomingClosures(db: Queryable, fromDate: string, days: number): Promise<{ location_id: string | null; closed_on: string; reason: string }[]> {
  const { rows } = await db.query<{ location_id: string | null; closed_on: string; reason: string }>(
    `SELECT location_id, closed_on::text AS closed_on, reason FROM clinic_closures
      WHERE closed_on >= $1::date AND closed_on < $1::date + $2::int ORDER BY closed_on`,
    [fromDate, days],
  );
  return rows;
}

export type ProviderRow = {
  id: string;
  full_name: string;
  title: string;
  specialty: string;
  location_id: string;
  slot_minutes: number;
  accepting_new_patients: boolean;
};

export async function listProviders(db: Queryable): Promise<ProviderRow[]> {
  const { rows } = await db.query<ProviderRow>(
    'SELECT id, full_name, title, specialty, location_id, slot_minutes, accepting_new_patients FROM providers WHERE active ORDER BY specialty, full_name',
  );
  return rows;
}

export async function getProvider(db: Queryable, id: string): Promise<ProviderRow | undefined> {
  const { rows } = await db.query<ProviderRow>(
    'SELECT id, full_name, title, specialty, location_id, slot_minutes, accepting_new_patients FROM providers WHERE id = $1 AND active', [id],
  );
  return rows[0];
}

// ---- messages, triage, transfers --------------------------------------------------------------

export async function insertProviderMessage(db: Queryable, m: {
  providerId: string; patientId: number | null; callerName: string; callbackNumber: string; body: string; priority: string; callId: string;
}): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO provider_messages (provider_id, patient_id, caller_name, callback_number, body, priority, call_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id::int AS id`,
    [m.providerId, m.patientId, m.callerName, m.callbackNumber, m.body, m.priority, m.callId],
  );
  return rows[0]!.id;
}

export async function insertTriageEvent(db: Queryable, callId: string, urgency: string, matched: string): Promise<void> {
  await db.query('INSERT INTO triage_events (call_id, urgency, matched) VALUES ($1, $2, $3)', [callId, urgency, matched]);
}

export async function hasEmergencyTriage(db: Queryable, callId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM triage_events WHERE call_id = $1 AND urgency = 'emergency' LIMIT 1`, [callId]);
  return rows.length > 0;
}

export async function getDepartment(db: Queryable, id: string): Promise<{ id: string; name: string; phone: string } | undefined> {
  const { rows } = await db.query<{ id: string; name: string; phone: string }>('SELECT id, name, phone FROM departments WHERE id = $1', [id]);
  return rows[0];
}

export async function listDepartments(db: Queryable): Promise<{ id: string; name: string }[]> {
  const { rows } = await db.query<{ id: string; name: string }>('SELECT id, name FROM departments ORDER BY id');
  return rows;
}

export async function insertTransfer(db: Queryable, callId: string, departmentId: string, reason: string): Promise<void> {
  await db.query('INSERT INTO transfers (call_id, department_id, reason) VALUES ($1, $2, $3)', [callId, departmentId, reason]);
}
