/**
 * The salon's SQL, over the vertical's Db (names resolve in its schema). Times cross this boundary
 * as ISO strings or Date; local wall-clock rendering happens in SQL with the salon's time zone so
 * the database's tz data is the single source.
 */
import type { Queryable } from '../../src/toolkit/index.js';

export interface SalonInfo {
  name: string;
  timezone: string;
  address: string | null;
  phone: string | null;
  parking: string | null;
  cancellationPolicy: string | null;
  payment: string | null;
  slotMinutes: number;
  openingHours: { weekday: number; day: string; opens: string; closes: string }[];
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export async function settings(db: Queryable): Promise<Map<string, string>> {
  const { rows } = await db.query<{ key: string; value: string }>('SELECT key, value FROM settings');
  return new Map(rows.map((r) => [r.key, r.value]));
}

export async function salonInfo(db: Queryable): Promise<SalonInfo> {
  const s = await settings(db);
  const { rows } = await db.query<{ weekday: number; opens: string; closes: string }>(
    `SELECT weekday::int AS weekday, to_char(opens, 'HH24:MI') AS opens, to_char(closes, 'HH24:MI') AS closes
       FROM opening_hours ORDER BY weekday, opens`,
  );
  return {
    name: s.get('name') ?? 'the salon',
    timezone: s.get('timezone') ?? 'UTC',
    address: s.get('address') ?? null,
    phone: s.get('phone') ?? null,
    parking: s.get('parking') ?? null,
    cancellationPolicy: s.get('cancellation_policy') ?? null,
    payment: s.get('payment') ?? null,
    slotMinutes: Math.max(5, Number(s.get('slot_minutes') ?? 15) || 15),
    openingHours: rows.map((r) => ({ weekday: Number(r.weekday), day: DAYS[Number(r.weekday)] ?? '', opens: r.opens, closes: r.closes })),
  };
}

export async function timezoneOf(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ value: string }>(`SELECT value FROM settings WHERE key = 'timezone'`);
  return rows[0]?.value ?? 'UTC';
}

export interface ServiceRow {
  id: string;
  name: string;
  description: string;
  durationMin: number;
  priceCents: number;
  stylists: string[];
}

export async function listServices(db: Queryable): Promise<ServiceRow[]> {
  const { rows } = await db.query<{ id: string; name: string; description: string; duration_min: number; price_cents: number; stylists: string | null }>(
    `SELECT s.id, s.name, s.description, s.duration_min, s.price_cents,
            string_agg(st.name, '|' ORDER BY st.name) AS stylists
       FROM services s
       LEFT JOIN stylist_services ss ON ss.service_id = s.id
       LEFT JOIN stylists st ON st.id = ss.stylist_id AND st.active
      WHERE s.active
      GROUP BY s.id ORDER BY s.name`,
  );
  return rows.map((r) => ({
    id: r.id, name: r.name, description: r.description, durationMin: Number(r.duration_min),
    priceCents: Number(r.price_cents), stylists: r.stylists ? r.stylists.split('|') : [],
  }));
}

export async function getService(db: Queryable, id: string): Promise<ServiceRow | null> {
  return (await listServices(db)).find((s) => s.id === id) ?? null;
}

export interface StylistRow {
  id: string;
  name: string;
  bio: string;
  services: { id: string; name: string }[];
  workingDays: string[];
}

export async function listStylists(db: Queryable, serviceId?: string): Promise<StylistRow[]> {
  const { rows } = await db.query<{ id: string; name: string; bio: string; service_ids: string | null; service_names: string | null; days: string | null }>(
    `SELECT st.id, st.name, st.bio,
            (SELECT string_agg(s.id, '|' ORDER BY s.name) FROM stylist_services ss JOIN services s ON s.id = ss.service_id AND s.active WHERE ss.stylist_id = st.id) AS service_ids,
            (SELECT string_agg(s.name, '|' ORDER BY s.name) FROM stylist_services ss JOIN services s ON s.id = ss.service_id AND s.active WHERE ss.stylist_id = st.id) AS service_names,
            (SELECT string_agg(DISTINCT wh.weekday::text, '|') FROM working_hours wh WHERE wh.stylist_id = st.id) AS days
       FROM stylists st
      WHERE st.active AND ($1::text IS NULL OR EXISTS (SELECT 1 FROM stylist_services ss WHERE ss.stylist_id = st.id AND ss.service_id = $1))
      ORDER BY st.name`,
    [serviceId ?? null],
  );
  return rows.map((r) => {
    const ids = r.service_ids ? r.service_ids.split('|') : [];
    const names = r.service_names ? r.service_names.split('|') : [];
    const days = (r.days ? r.days.split('|').map(Number) : []).sort((a, b) => a - b);
    return {
      id: r.id, name: r.name, bio: r.bio,
      services: ids.map((id, i) => ({ id, name: names[i] ?? id })),
      workingDays: days.map((d) => DAYS[d] ?? String(d)),
    };
  });
}

export async function stylistOffers(db: Queryable, stylistId: string, serviceId: string): Promise<{ stylistName: string } | null> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT st.name FROM stylists st JOIN stylist_services ss ON ss.stylist_id = st.id
      WHERE st.id = $1 AND ss.service_id = $2 AND st.active`,
    [stylistId, serviceId],
  );
  return rows[0] ? { stylistName: rows[0].name } : null;
}

export async function stylistExists(db: Queryable, stylistId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM stylists WHERE id = $1 AND active', [stylistId]);
  return rows.length > 0;
}

/** Local wall-clock columns for a timestamptz expression. */
const local = (expr: string, tz: string): string =>
  `to_char(${expr} AT TIME ZONE ${tz}, 'YYYY-MM-DD"T"HH24:MI') AS local_time,
   to_char(${expr} AT TIME ZONE ${tz}, 'FMDay, FMMonth FMDD "at" FMHH12:MI AM') AS spoken`;

export interface SlotRow {
  stylistId: string;
  stylistName: string;
  startsAt: string;
  localTime: string;
  spoken: string;
}

/**
 * Free start times on one local date: each qualified stylist's shifts stepped by the salon's slot
 * length, minus past times, appointments (not cancelled) and time off.
 */
export async function freeSlots(
  db: Queryable,
  q: { serviceId: string; date: string; stylistId?: string; notBefore: Date; timezone: string; slotMinutes: number; limit: number },
): Promise<SlotRow[]> {
  const { rows } = await db.query<{ stylist_id: string; stylist_name: string; starts_at: Date | string; local_time: string; spoken: string }>(
    `WITH svc AS (
       SELECT duration_min FROM services WHERE id = $1 AND active
     ), cand AS (
       SELECT st.id AS stylist_id, st.name AS stylist_name, gs AS starts_at,
              gs + make_interval(mins => svc.duration_min) AS ends_at
         FROM stylists st
         JOIN stylist_services ss ON ss.stylist_id = st.id AND ss.service_id = $1
         CROSS JOIN svc
         JOIN working_hours wh ON wh.stylist_id = st.id AND wh.weekday = extract(dow FROM $2::date)::int
         CROSS JOIN LATERAL generate_series(
           ($2::date + wh.starts_at) AT TIME ZONE $3,
           (($2::date + wh.ends_at) AT TIME ZONE $3) - make_interval(mins => svc.duration_min),
           make_interval(mins => $4::int)) AS gs
        WHERE st.active AND ($5::text IS NULL OR st.id = $5)
     )
     SELECT c.stylist_id, c.stylist_name, c.starts_at, ${local('c.starts_at', '$3')}
       FROM cand c
      WHERE c.starts_at >= $6::timestamptz
        AND NOT EXISTS (SELECT 1 FROM appointments a
                         WHERE a.stylist_id = c.stylist_id AND a.status <> 'cancelled'
                           AND tstzrange(a.starts_at, a.ends_at) && tstzrange(c.starts_at, c.ends_at))
        AND NOT EXISTS (SELECT 1 FROM time_off t
                         WHERE t.stylist_id = c.stylist_id
                           AND tstzrange(t.starts_at, t.ends_at) && tstzrange(c.starts_at, c.ends_at))
      ORDER BY c.starts_at, c.stylist_name
      LIMIT $7`,
    [q.serviceId, q.date, q.timezone, q.slotMinutes, q.stylistId ?? null, q.notBefore.toISOString(), q.limit],
  );
  return rows.map((r) => ({
    stylistId: r.stylist_id, stylistName: r.stylist_name, startsAt: new Date(r.starts_at).toISOString(),
    localTime: r.local_time, spoken: r.spoken,
  }));
}

/** Resolves a caller-given time: an ISO string with an offset is absolute; without one it is salon-local. */
export async function resolveInstant(db: Queryable, iso: string, timezone: string): Promise<Date> {
  const hasOffset = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(iso);
  const { rows } = await db.query<{ t: Date | string }>(
    hasOffset ? 'SELECT $1::timestamptz AS t' : 'SELECT ($1::timestamp AT TIME ZONE $2) AS t',
    hasOffset ? [iso] : [iso, timezone],
  );
  return new Date(rows[0]!.t);
}

/** True when [start, end) lies inside one of the stylist's shifts on that local day. */
export async function withinWorkingHours(db: Queryable, stylistId: string, start: Date, end: Date, timezone: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM working_hours wh
      WHERE wh.stylist_id = $1
        AND wh.weekday = extract(dow FROM ($2::timestamptz AT TIME ZONE $4))::int
        AND ($2::timestamptz AT TIME ZONE $4)::date = ($3::timestamptz AT TIME ZONE $4)::date
        AND ($2::timestamptz AT TIME ZONE $4)::time >= wh.starts_at
        AND ($3::timestamptz AT TIME ZONE $4)::time <= wh.ends_at`,
    [stylistId, start.toISOString(), end.toISOString(), timezone],
  );
  return rows.length > 0;
}

export async function onTimeOff(db: Queryable, stylistId: string, start: Date, end: Date): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM time_off WHERE stylist_id = $1 AND tstzrange(starts_at, ends_at) && tstzrange($2::timestamptz, $3::timestamptz)`,
    [stylistId, start.toISOString(), end.toISOString()],
  );
  return rows.length > 0;
}

export async function upsertCustomer(db: Queryable, name: string, phone: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO customers (name, phone) VALUES ($1, $2)
     ON CONFLICT (phone) DO UPDATE SET name = EXCLUDED.name
     RETURNING id`,
    [name, phone],
  );
  return rows[0]!.id;
}

export interface AppointmentRow {
  id: string;
  reference: string;
  status: string;
  serviceId: string;
  serviceName: string;
  stylistId: string;
  stylistName: string;
  customerName: string;
  startsAt: string;
  endsAt: string;
  localTime: string;
  spoken: string;
  priceCents: number;
}

const APPOINTMENT_SELECT = (tz: string) => `
  SELECT a.id, a.reference, a.status, a.service_id, s.name AS service_name, a.stylist_id, st.name AS stylist_name,
         c.name AS customer_name, a.starts_at, a.ends_at, s.price_cents, ${local('a.starts_at', tz)}
    FROM appointments a
    JOIN services s ON s.id = a.service_id
    JOIN stylists st ON st.id = a.stylist_id
    JOIN customers c ON c.id = a.customer_id`;

type RawAppointment = {
  id: string; reference: string; status: string; service_id: string; service_name: string; stylist_id: string;
  stylist_name: string; customer_name: string; starts_at: Date | string; ends_at: Date | string; price_cents: number;
  local_time: string; spoken: string;
};

function toAppointment(r: RawAppointment): AppointmentRow {
  return {
    id: r.id, reference: r.reference, status: r.status, serviceId: r.service_id, serviceName: r.service_name,
    stylistId: r.stylist_id, stylistName: r.stylist_name, customerName: r.customer_name,
    startsAt: new Date(r.starts_at).toISOString(), endsAt: new Date(r.ends_at).toISOString(),
    localTime: r.local_time, spoken: r.spoken, priceCents: Number(r.price_cents),
  };
}

export async function getAppointment(db: Queryable, idOrReference: string, timezone: string): Promise<AppointmentRow | null> {
  const { rows } = await db.query<RawAppointment>(
    `${APPOINTMENT_SELECT('$2')} WHERE a.id::text = lower($1) OR a.reference = upper(replace($1, ' ', ''))`,
    [idOrReference, timezone],
  );
  return rows[0] ? toAppointment(rows[0]) : null;
}

/** The booked appointment of the customer with this phone (normalised) that starts at `start`. */
export async function getAppointmentByPhoneAt(db: Queryable, phone: string, start: Date, timezone: string): Promise<AppointmentRow | null> {
  const { rows } = await db.query<RawAppointment>(
    `${APPOINTMENT_SELECT('$3')} WHERE c.phone = $1 AND a.starts_at = $2::timestamptz AND a.status = 'booked'`,
    [phone, start.toISOString(), timezone],
  );
  return rows[0] ? toAppointment(rows[0]) : null;
}

export async function getAppointmentByBookingKey(db: Queryable, key: string, timezone: string): Promise<AppointmentRow | null> {
  const { rows } = await db.query<RawAppointment>(`${APPOINTMENT_SELECT('$2')} WHERE a.booking_key = $1`, [key, timezone]);
  return rows[0] ? toAppointment(rows[0]) : null;
}

/** Upcoming, not cancelled appointments of customers matching a phone (exact, normalised) or a name. */
export async function findAppointments(
  db: Queryable,
  q: { phone?: string; name?: string; from: Date; timezone: string; limit: number },
): Promise<AppointmentRow[]> {
  const { rows } = await db.query<RawAppointment>(
    `${APPOINTMENT_SELECT('$4')}
      WHERE a.status = 'booked' AND a.ends_at >= $3::timestamptz
        AND ($1::text IS NULL OR c.phone = $1)
        AND ($2::text IS NULL OR c.name ILIKE '%' || $2 || '%')
      ORDER BY a.starts_at LIMIT $5`,
    [q.phone ?? null, q.name ?? null, q.from.toISOString(), q.timezone, q.limit],
  );
  return rows.map(toAppointment);
}

export async function insertAppointment(
  db: Queryable,
  a: { reference: string; customerId: string; stylistId: string; serviceId: string; start: Date; end: Date; notes?: string; callId: string; bookingKey: string },
): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO appointments (reference, customer_id, stylist_id, service_id, starts_at, ends_at, notes, call_id, booking_key)
     VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7, $8, $9)
     ON CONFLICT (booking_key) DO NOTHING
     RETURNING id`,
    [a.reference, a.customerId, a.stylistId, a.serviceId, a.start.toISOString(), a.end.toISOString(), a.notes ?? null, a.callId, a.bookingKey],
  );
  return rows[0]?.id ?? null;
}

export async function moveAppointment(db: Queryable, id: string, stylistId: string, start: Date, end: Date): Promise<void> {
  await db.query(
    `UPDATE appointments SET stylist_id = $2, starts_at = $3::timestamptz, ends_at = $4::timestamptz, updated_at = now() WHERE id = $1`,
    [id, stylistId, start.toISOString(), end.toISOString()],
  );
}

export async function cancelAppointment(db: Queryable, id: string, reason: string | null): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE appointments SET status = 'cancelled', cancel_reason = $2, updated_at = now() WHERE id = $1 AND status = 'booked'`,
    [id, reason],
  );
  return rowCount > 0;
}
