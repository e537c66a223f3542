/**
 * SQL of the after-hours tools over the vertical's Db (names resolve in its schema). Local
 * wall-clock times are 'YYYY-MM-DDTHH:MM' text in the business's time zone; conversions
 * happen in SQL with that zone.
 */
import type { Queryable } from '../../src/toolkit/index.js';

export interface Business {
  name: string;
  timezone: string;
  mainNumber: string;
  emergencyNumber: string;
  gasUtilityName: string;
  gasUtilityNumber: string;
  emergencyDispatchFeeCents: number;
  pageCallbackMinutes: number;
  callbackSlotMinutes: number;
  callbackHorizonDays: number;
  paymentUrl: string;
}

export async function getBusiness(db: Queryable): Promise<Business | undefined> {
  const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM business WHERE id');
  const r = rows[0];
  if (!r) return undefined;
  return {
    name: String(r.name), timezone: String(r.timezone), mainNumber: String(r.main_number),
    emergencyNumber: String(r.emergency_number), gasUtilityName: String(r.gas_utility_name),
    gasUtilityNumber: String(r.gas_utility_number), emergencyDispatchFeeCents: Number(r.emergency_dispatch_fee_cents),
    pageCallbackMinutes: Number(r.page_callback_minutes), callbackSlotMinutes: Number(r.callback_slot_minutes),
    callbackHorizonDays: Number(r.callback_horizon_days), paymentUrl: String(r.payment_url),
  };
}

/** Local clock facts at `now`: date, spoken label, open or not, and the next opening's label. */
export async function clockAt(db: Queryable, now: Date): Promise<{ date: string; label: string; open: boolean; nextOpening: string | null }> {
  const { rows } = await db.query<{ d: string; label: string; open: boolean; next_opening: string | null }>(
    `WITH b AS (SELECT ($1::timestamptz AT TIME ZONE timezone) AS l FROM business WHERE id),
          o AS (SELECT (b.l::date + g) + h.opens AS opens_at
                  FROM b CROSS JOIN generate_series(0, 7) AS g JOIN hours h ON h.weekday = extract(isodow FROM b.l::date + g))
     SELECT to_char(b.l, 'YYYY-MM-DD') AS d, to_char(b.l, 'FMDay, FMMonth FMDD, FMHH12:MI AM') AS label,
            EXISTS (SELECT 1 FROM hours h WHERE h.weekday = extract(isodow FROM b.l)
                      AND b.l::time >= h.opens AND b.l::time < h.closes) AS open,
            (SELECT to_char(min(o.opens_at), 'FMDay "at" FMHH12:MI AM') FROM o WHERE o.opens_at > b.l) AS next_opening
       FROM b`,
    [now.toISOString()],
  );
  const r = rows[0];
  return r
    ? { date: r.d, label: r.label, open: Boolean(r.open), nextOpening: r.next_opening }
    : { date: now.toISOString().slice(0, 10), label: '', open: false, nextOpening: null };
}

export async function listHours(db: Queryable): Promise<{ weekday: number; opens: string; closes: string }[]> {
  const { rows } = await db.query<{ weekday: number; opens: string; closes: string }>(
    `SELECT weekday, to_char(opens, 'FMHH12:MI AM') AS opens, to_char(closes, 'FMHH12:MI AM') AS closes FROM hours ORDER BY weekday`,
  );
  return rows.map((r) => ({ weekday: Number(r.weekday), opens: r.opens, closes: r.closes }));
}

export async function listServices(db: Queryable): Promise<{ name: string; description: string; after_hours_available: boolean }[]> {
  const { rows } = await db.query<{ name: string; description: string; after_hours_available: boolean }>(
    'SELECT name, description, after_hours_available FROM services ORDER BY after_hours_available DESC, code',
  );
  return rows;
}

export async function serviceAreaCity(db: Queryable, postalCode: string): Promise<string | undefined> {
  const { rows } = await db.query<{ city: string }>('SELECT city FROM service_area WHERE postal_code = $1', [postalCode]);
  return rows[0]?.city;
}

export async function listFaqs(db: Queryable): Promise<{ topic: string; keywords: string; answer: string }[]> {
  const { rows } = await db.query<{ topic: string; keywords: string; answer: string }>('SELECT topic, keywords, answer FROM faqs ORDER BY topic');
  return rows;
}

// ---- triage and on-call ---------------------------------------------------------------------

export interface TriageCategory { code: string; label: string; level: 'life_safety' | 'urgent' | 'routine'; guidance: string }

export async function getCategory(db: Queryable, code: string): Promise<TriageCategory | undefined> {
  const { rows } = await db.query<TriageCategory>('SELECT code, label, level, guidance FROM triage_categories WHERE code = $1', [code]);
  return rows[0];
}

export async function categoryCodes(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ code: string }>('SELECT code FROM triage_categories ORDER BY code');
  return rows.map((r) => r.code);
}

export async function recordAssessment(db: Queryable, a: { callId: string; category: string; level: string; flags: string[]; postalCode?: string | undefined }): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO triage_assessments (call_id, category, level, flags, postal_code) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [a.callId, a.category, a.level, a.flags.join(','), a.postalCode ?? null],
  );
  return Number(rows[0]!.id);
}

export interface OnCallPerson { tier: number; staffId: number; name: string; role: string; phone: string; source: 'override' | 'rotation' }

/**
 * Who is on call at `now`, tier 1 first: an override covering `now` beats the weekly rotation
 * (local weekday and minute of the day). Inactive staff are skipped.
 */
export async function onCallAt(db: Queryable, now: Date): Promise<OnCallPerson[]> {
  const { rows } = await db.query<{ tier: number; staff_id: number; name: string; role: string; phone: string; source: 'override' | 'rotation' }>(
    `WITH l AS (SELECT ($1::timestamptz AT TIME ZONE timezone) AS t FROM business WHERE id),
          c AS (
            SELECT o.tier, o.staff_id, 'override' AS source, 0 AS rank FROM on_call_overrides o
             WHERE o.starts_at <= $1::timestamptz AND o.ends_at > $1::timestamptz
            UNION ALL
            SELECT r.tier, r.staff_id, 'rotation' AS source, 1 AS rank FROM on_call_rotation r, l
             WHERE r.weekday = extract(isodow FROM l.t)
               AND r.start_minute <= extract(hour FROM l.t) * 60 + extract(minute FROM l.t)
               AND r.end_minute > extract(hour FROM l.t) * 60 + extract(minute FROM l.t))
     SELECT DISTINCT ON (c.tier) c.tier, c.staff_id, s.name, s.role, s.phone, c.source
       FROM c JOIN staff s ON s.id = c.staff_id AND s.active
      ORDER BY c.tier, c.rank`,
    [now.toISOString()],
  );
  return rows.map((r) => ({ tier: Number(r.tier), staffId: Number(r.staff_id), name: r.name, role: r.role, phone: r.phone, source: r.source }));
}

export async function recordPage(db: Queryable, p: {
  callId: string; category: string; staffId: number | null; tier: number | null; callerName: string; callbackNumber: string;
  address: string; summary: string; outcome: 'transferred' | 'sms_sent' | 'unreachable';
}): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO pages (call_id, category, staff_id, tier, caller_name, callback_number, address, summary, outcome)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [p.callId, p.category, p.staffId, p.tier, p.callerName, p.callbackNumber, p.address, p.summary, p.outcome],
  );
  return Number(rows[0]!.id);
}

export async function insertMessage(db: Queryable, m: {
  callId: string; callerName: string; callbackNumber: string; forTeam: string; urgency: string; subject: string; body: string;
}): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO messages (call_id, caller_name, callback_number, for_team, urgency, subject, body)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [m.callId, m.callerName, m.callbackNumber, m.forTeam, m.urgency, m.subject, m.body],
  );
  return Number(rows[0]!.id);
}
