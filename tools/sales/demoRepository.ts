/**
 * SQL of the demo calendar: each account executive's weekly demo hours cut into demo-length
 * slots (company time zone), minus their scheduled demos. Local times are 'YYYY-MM-DDTHH:MM'.
 */
import type { Queryable } from '../../src/toolkit/index.js';

const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));

export interface DemoSlot {
  local: string;
  /** '10:30 AM' */
  label: string;
  /** 'Tuesday, November 24 at 10:30 AM' */
  longLabel: string;
  startsAt: Date;
  endsAt: Date;
  /** Reps whose hours cover the slot and who have no demo then. */
  freeRepIds: number[];
}

/**
 * Slots of a local date after the booking notice. Without `includeBooked`, only slots with a free
 * rep; `ignoreDemoId` treats that demo as not there (moving a demo).
 */
export async function demoSlots(
  db: Queryable, date: string, now: Date, options: { includeBooked?: boolean; ignoreDemoId?: number | null } = {},
): Promise<DemoSlot[]> {
  const { rows } = await db.query<{ local: string; label: string; long_label: string; starts_at: unknown; ends_at: unknown; rep_id: number; free: boolean }>(
    `WITH c AS (SELECT timezone AS tz, make_interval(mins => demo_minutes) AS len,
                       make_interval(mins => demo_min_notice_minutes) AS notice FROM company WHERE id),
          r AS (SELECT a.rep_id, a.opens, a.closes FROM demo_availability a JOIN sales_reps s ON s.id = a.rep_id AND s.on_duty
                 WHERE a.weekday = extract(isodow FROM $1::date)),
          s AS (SELECT r.rep_id, g AS l, (g AT TIME ZONE c.tz) AS starts_at, ((g + c.len) AT TIME ZONE c.tz) AS ends_at, c.notice
                  FROM c, r, generate_series($1::date + r.opens, $1::date + r.closes - c.len, c.len) AS g)
     SELECT to_char(s.l, 'YYYY-MM-DD"T"HH24:MI') AS local, to_char(s.l, 'FMHH12:MI AM') AS label,
            to_char(s.l, 'FMDay, FMMonth FMDD "at" FMHH12:MI AM') AS long_label, s.starts_at, s.ends_at, s.rep_id,
            NOT EXISTS (SELECT 1 FROM demos d WHERE d.rep_id = s.rep_id AND d.status = 'scheduled'
                          AND ($3::int IS NULL OR d.id <> $3::int)
                          AND tstzrange(d.starts_at, d.ends_at) && tstzrange(s.starts_at, s.ends_at)) AS free
       FROM s WHERE s.starts_at >= $2::timestamptz + s.notice
      ORDER BY s.l, s.rep_id`,
    [date, now.toISOString(), options.ignoreDemoId ?? null],
  );
  const byLocal = new Map<string, DemoSlot>();
  for (const r of rows) {
    let slot = byLocal.get(r.local);
    if (!slot) {
      slot = { local: r.local, label: r.label, longLabel: r.long_label, startsAt: toDate(r.starts_at), endsAt: toDate(r.ends_at), freeRepIds: [] };
      byLocal.set(r.local, slot);
    }
    if (r.free) slot.freeRepIds.push(Number(r.rep_id));
  }
  const slots = [...byLocal.values()];
  return options.includeBooked ? slots : slots.filter((s) => s.freeRepIds.length > 0);
}

/** The slot's free reps, `preferRepId` (the lead's own account executive) first. */
export function repsInOrder(slot: DemoSlot, preferRepId: number | null): number[] {
  return [...slot.freeRepIds].sort((a, b) => Number(b === preferRepId) - Number(a === preferRepId) || a - b);
}

export async function slotLabel(db: Queryable, date: string): Promise<string> {
  const { rows } = await db.query<{ label: string }>(`SELECT to_char($1::date, 'FMDay, FMMonth FMDD') AS label`, [date]);
  return rows[0]?.label ?? date;
}

export async function insertDemo(db: Queryable, d: { leadId: number; repId: number; slot: DemoSlot; focus?: string | undefined; callId: string }): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO demos (lead_id, rep_id, starts_at, ends_at, focus, created_call_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [d.leadId, d.repId, d.slot.startsAt.toISOString(), d.slot.endsAt.toISOString(), d.focus ?? null, d.callId],
  );
  return Number(rows[0]!.id);
}

export async function moveDemo(db: Queryable, demoId: number, repId: number, slot: DemoSlot): Promise<void> {
  await db.query(
    `UPDATE demos SET rep_id = $2, starts_at = $3, ends_at = $4 WHERE id = $1 AND status = 'scheduled'`,
    [demoId, repId, slot.startsAt.toISOString(), slot.endsAt.toISOString()],
  );
}

export interface DemoRow {
  id: number; lead_id: number; rep_id: number; status: string; starts_at: Date; local: string; label: string; phone: string; rep_name: string;
}

const DEMO_SELECT = `SELECT d.id, d.lead_id, d.rep_id, d.status, d.starts_at,
    to_char(d.starts_at AT TIME ZONE c.timezone, 'YYYY-MM-DD"T"HH24:MI') AS local,
    to_char(d.starts_at AT TIME ZONE c.timezone, 'FMDay, FMMonth FMDD "at" FMHH12:MI AM') AS label,
    l.phone, r.name AS rep_name
  FROM demos d JOIN leads l ON l.id = d.lead_id JOIN sales_reps r ON r.id = d.rep_id, company c`;

function toDemo(r: Record<string, unknown>): DemoRow {
  return {
    id: Number(r.id), lead_id: Number(r.lead_id), rep_id: Number(r.rep_id), status: String(r.status), starts_at: toDate(r.starts_at),
    local: String(r.local), label: String(r.label), phone: String(r.phone), rep_name: String(r.rep_name),
  };
}

export async function findDemo(db: Queryable, id: number): Promise<DemoRow | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(`${DEMO_SELECT} WHERE c.id AND d.id = $1`, [id]);
  return rows[0] ? toDemo(rows[0]) : undefined;
}

/** The lead's next scheduled demo that has not started yet. */
export async function leadUpcomingDemo(db: Queryable, leadId: number, now: Date): Promise<DemoRow | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    `${DEMO_SELECT} WHERE c.id AND d.lead_id = $1 AND d.status = 'scheduled' AND d.starts_at > $2 ORDER BY d.starts_at LIMIT 1`,
    [leadId, now.toISOString()],
  );
  return rows[0] ? toDemo(rows[0]) : undefined;
}
