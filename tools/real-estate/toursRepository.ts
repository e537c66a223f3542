/**
 * SQL of tour scheduling: the showing grid of a day, tours and the office-local calendar maths.
 * Local wall-clock times are 'YYYY-MM-DDTHH:MM' text in the office's time zone.
 */
import type { Queryable } from '../../src/toolkit/index.js';

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

export interface Slot { local: string; label: string; startsAt: Date; taken: boolean }

/**
 * The showing slots of one local date for a listing, on the office's tour grid, after the
 * minimum notice. `taken` marks slots overlapping a scheduled tour (excluding `ignoreTourId`).
 */
export async function slotsForDate(
  db: Queryable, listingId: number, date: string, now: Date, ignoreTourId: number | null = null,
): Promise<Slot[]> {
  const { rows } = await db.query<{ local: string; label: string; starts_at: unknown; taken: boolean }>(
    `WITH o AS (SELECT timezone AS tz, make_interval(mins => tour_minutes) AS len,
                       make_interval(mins => min_notice_minutes) AS notice FROM office WHERE id),
          h AS (SELECT opens, closes FROM hours WHERE kind = 'showings' AND weekday = extract(isodow FROM $2::date)),
          s AS (SELECT g AS l, (g AT TIME ZONE o.tz) AS starts_at, ((g + o.len) AT TIME ZONE o.tz) AS ends_at, o.notice
                  FROM o, h, generate_series($2::date + h.opens, $2::date + h.closes - o.len, o.len) AS g)
     SELECT to_char(s.l, 'YYYY-MM-DD"T"HH24:MI') AS local, to_char(s.l, 'FMHH12:MI AM') AS label, s.starts_at,
            EXISTS (SELECT 1 FROM tours t WHERE t.listing_id = $1 AND t.status = 'scheduled'
                      AND ($4::int IS NULL OR t.id <> $4::int)
                      AND tstzrange(t.starts_at, t.ends_at) && tstzrange(s.starts_at, s.ends_at)) AS taken
       FROM s WHERE s.starts_at >= $3::timestamptz + s.notice ORDER BY s.l`,
    [listingId, date, now.toISOString(), ignoreTourId],
  );
  return rows.map((r) => ({ local: r.local, label: r.label, startsAt: toDate(r.starts_at), taken: Boolean(r.taken) }));
}

/** Local date `days` after `date`, and its spoken label ('Tuesday, November 24'). */
export async function dayLabel(db: Queryable, date: string): Promise<string> {
  const { rows } = await db.query<{ label: string }>(`SELECT to_char($1::date, 'FMDay, FMMonth FMDD') AS label`, [date]);
  return rows[0]?.label ?? date;
}

/** How many days `date` lies after the office's local today (negative: in the past). */
export async function daysFromToday(db: Queryable, date: string, now: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT ($1::date - ($2::timestamptz AT TIME ZONE timezone)::date)::int AS n FROM office WHERE id`,
    [date, now.toISOString()],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function addDays(db: Queryable, date: string, days: number): Promise<string> {
  const { rows } = await db.query<{ d: string }>(`SELECT to_char($1::date + $2::int, 'YYYY-MM-DD') AS d`, [date, days]);
  return rows[0]?.d ?? date;
}

export interface TourRow {
  id: number; listing_id: number; lead_id: number; status: string; starts_at: unknown; ends_at: unknown;
  local: string; label: string; phone: string; name: string; address: string;
}

export async function getTour(db: Queryable, id: number): Promise<TourRow | undefined> {
  const { rows } = await db.query<TourRow>(
    `SELECT t.id, t.listing_id, t.lead_id, t.status, t.starts_at, t.ends_at,
            to_char(t.starts_at AT TIME ZONE o.timezone, 'YYYY-MM-DD"T"HH24:MI') AS local,
            to_char(t.starts_at AT TIME ZONE o.timezone, 'FMDay, FMMonth FMDD "at" FMHH12:MI AM') AS label,
            ld.phone, ld.name, l.address || coalesce(', unit ' || l.unit, '') AS address
       FROM tours t JOIN leads ld ON ld.id = t.lead_id JOIN listings l ON l.id = t.listing_id, office o
      WHERE t.id = $1 AND o.id`,
    [id],
  );
  return rows[0];
}

/** The scheduled tour of a listing starting at `startsAt`, when it was booked with `phone`. */
export async function findScheduledTour(db: Queryable, listingId: number, startsAt: Date, phone: string): Promise<TourRow | undefined> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT t.id FROM tours t JOIN leads ld ON ld.id = t.lead_id
      WHERE t.listing_id = $1 AND t.starts_at = $2 AND t.status = 'scheduled' AND ld.phone = $3`,
    [listingId, startsAt.toISOString(), phone],
  );
  return rows[0] ? getTour(db, Number(rows[0].id)) : undefined;
}

/** Upcoming scheduled tours booked with `phone` (optionally of one listing), soonest first. */
export async function upcomingToursByPhone(db: Queryable, phone: string, now: Date, listingId?: number): Promise<TourRow[]> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT t.id FROM tours t JOIN leads ld ON ld.id = t.lead_id
      WHERE ld.phone = $1 AND t.status = 'scheduled' AND t.starts_at > $2 AND ($3::int IS NULL OR t.listing_id = $3::int)
      ORDER BY t.starts_at LIMIT 5`,
    [phone, now.toISOString(), listingId ?? null],
  );
  const tours: TourRow[] = [];
  for (const r of rows) {
    const tour = await getTour(db, Number(r.id));
    if (tour) tours.push(tour);
  }
  return tours;
}

/** The spoken label of a local wall-clock time ('Tuesday, November 24 at 10:30 AM'). */
export async function localLabel(db: Queryable, local: string): Promise<string> {
  const { rows } = await db.query<{ label: string }>(
    `SELECT to_char($1::timestamp, 'FMDay, FMMonth FMDD "at" FMHH12:MI AM') AS label`, [local.replace('T', ' ')],
  );
  return rows[0]?.label ?? local;
}

/** Inserts a scheduled tour at a local start time; the exclusion constraint refuses an overlap (23P01). */
export async function insertTour(
  db: Queryable, t: { listingId: number; leadId: number; local: string; attendees: number; notes?: string | undefined; callId: string },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO tours (listing_id, lead_id, starts_at, ends_at, attendees, notes, created_call_id)
     SELECT $1, $2, ($3::timestamp AT TIME ZONE o.timezone), (($3::timestamp + make_interval(mins => o.tour_minutes)) AT TIME ZONE o.timezone),
            $4, $5, $6
       FROM office o WHERE o.id
     RETURNING id`,
    [t.listingId, t.leadId, t.local.replace('T', ' '), t.attendees, t.notes ?? null, t.callId],
  );
  return Number(rows[0]!.id);
}

export async function moveTour(db: Queryable, tourId: number, local: string): Promise<void> {
  await db.query(
    `UPDATE tours t SET starts_at = ($2::timestamp AT TIME ZONE o.timezone),
            ends_at = (($2::timestamp + make_interval(mins => o.tour_minutes)) AT TIME ZONE o.timezone)
       FROM office o WHERE o.id AND t.id = $1 AND t.status = 'scheduled'`,
    [tourId, local.replace('T', ' ')],
  );
}

export async function cancelTour(db: Queryable, tourId: number, now: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE tours SET status = 'cancelled', cancelled_at = $2 WHERE id = $1 AND status = 'scheduled'`,
    [tourId, now.toISOString()],
  );
  return rowCount > 0;
}
