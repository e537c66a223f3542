/**
 * SQL of the real-estate tools, over the vertical's Db (unqualified names resolve in its
 * schema). Times cross this boundary as instants (timestamptz) or as the office's local wall
 * clock text 'YYYY-MM-DDTHH:MM'; the conversion happens in SQL with the office's time zone.
 */
import type { Queryable } from '../../src/toolkit/index.js';

export interface Office {
  name: string;
  timezone: string;
  address: string;
  mainNumber: string;
  email: string;
  tourMinutes: number;
  minNoticeMinutes: number;
  bookingHorizonDays: number;
  propertyTaxRatePct: number;
  insuranceRatePct: number;
  lenderPartnerName: string;
  lenderPartnerNumber: string;
}

export async function getOffice(db: Queryable): Promise<Office | undefined> {
  const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM office WHERE id');
  const r = rows[0];
  if (!r) return undefined;
  return {
    name: String(r.name), timezone: String(r.timezone), address: String(r.address), mainNumber: String(r.main_number),
    email: String(r.email), tourMinutes: Number(r.tour_minutes), minNoticeMinutes: Number(r.min_notice_minutes),
    bookingHorizonDays: Number(r.booking_horizon_days), propertyTaxRatePct: Number(r.property_tax_rate_pct),
    insuranceRatePct: Number(r.insurance_rate_pct), lenderPartnerName: String(r.lender_partner_name),
    lenderPartnerNumber: String(r.lender_partner_number),
  };
}

export interface HoursRow { weekday: number; dayName: string; opens: string; closes: string }

export async function listHours(db: Queryable, kind: 'office' | 'showings'): Promise<HoursRow[]> {
  const { rows } = await db.query<{ weekday: number; opens: string; closes: string }>(
    `SELECT weekday, to_char(opens, 'FMHH12:MI AM') AS opens, to_char(closes, 'FMHH12:MI AM') AS closes
       FROM hours WHERE kind = $1 ORDER BY weekday`,
    [kind],
  );
  const names = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  return rows.map((r) => ({ weekday: Number(r.weekday), dayName: names[Number(r.weekday)] ?? '', opens: r.opens, closes: r.closes }));
}

/** The office's local date, weekday and whether `kind` hours are open at `now`. */
export async function localNow(db: Queryable, now: Date, kind: 'office' | 'showings'): Promise<{ date: string; label: string; open: boolean }> {
  const { rows } = await db.query<{ d: string; label: string; open: boolean }>(
    `WITH o AS (SELECT ($1::timestamptz AT TIME ZONE timezone) AS l FROM office WHERE id)
     SELECT to_char(o.l, 'YYYY-MM-DD') AS d, to_char(o.l, 'FMDay, FMMonth FMDD, FMHH12:MI AM') AS label,
            EXISTS (SELECT 1 FROM hours h WHERE h.kind = $2 AND h.weekday = extract(isodow FROM o.l)
                      AND o.l::time >= h.opens AND o.l::time < h.closes) AS open
       FROM o`,
    [now.toISOString(), kind],
  );
  const r = rows[0];
  return r ? { date: r.d, label: r.label, open: Boolean(r.open) } : { date: now.toISOString().slice(0, 10), label: '', open: false };
}

export async function getPolicy(db: Queryable, topic: string): Promise<string | undefined> {
  const { rows } = await db.query<{ summary: string }>('SELECT summary FROM policies WHERE topic = $1', [topic]);
  return rows[0]?.summary;
}

export async function policyTopics(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ topic: string }>('SELECT topic FROM policies ORDER BY topic');
  return rows.map((r) => r.topic);
}

export interface TeamMember { id: number; name: string; role: string; phone: string }

/** The on-duty member of a role with the fewest open leads (ties by id), or undefined. */
export async function pickTeamMember(db: Queryable, role: string): Promise<TeamMember | undefined> {
  const { rows } = await db.query<TeamMember>(
    `SELECT m.id, m.name, m.role, m.phone FROM team_members m
      WHERE m.role = $1 AND m.on_duty
      ORDER BY (SELECT count(*) FROM leads l WHERE l.assigned_agent_id = m.id), m.id LIMIT 1`,
    [role],
  );
  return rows[0];
}

// ---- listings ---------------------------------------------------------------------------------

export interface ListingRow {
  id: number; kind: 'sale' | 'rental'; status: string; property_type: string; address: string; unit: string | null;
  neighborhood: string; city: string; postal_code: string; bedrooms: number; bathrooms: string | number;
  square_feet: number | null; price_cents: number | null; monthly_rent_cents: number | null; hoa_monthly_cents: number;
  pets_allowed: boolean; parking: string | null; year_built: number | null; available_on: string | null;
  headline: string; features: string; listed_on: string; agent_name: string;
}

const LISTING_SELECT = `SELECT l.id, l.kind, l.status, l.property_type, l.address, l.unit, l.neighborhood, l.city,
  l.postal_code, l.bedrooms, l.bathrooms, l.square_feet, l.price_cents, l.monthly_rent_cents, l.hoa_monthly_cents,
  l.pets_allowed, l.parking, l.year_built, to_char(l.available_on, 'YYYY-MM-DD') AS available_on, l.headline,
  l.features, to_char(l.listed_on, 'YYYY-MM-DD') AS listed_on, m.name AS agent_name
  FROM listings l JOIN team_members m ON m.id = l.listing_agent_id`;

export interface ListingFilters {
  kind: 'sale' | 'rental';
  area?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
  minBedrooms?: number;
  propertyType?: string;
  petsAllowed?: boolean;
}

export async function searchListings(db: Queryable, f: ListingFilters, limit: number): Promise<{ rows: ListingRow[]; total: number }> {
  const where = [`l.status = 'active'`, 'l.kind = $1'];
  const params: unknown[] = [f.kind];
  const add = (clause: (n: string) => string, value: unknown): void => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  const priceCol = f.kind === 'sale' ? 'l.price_cents' : 'l.monthly_rent_cents';
  if (f.area) add((p) => `(l.city ILIKE ${p} OR l.neighborhood ILIKE ${p} OR l.postal_code ILIKE ${p})`, `%${f.area.trim()}%`);
  if (f.minPriceCents !== undefined) add((p) => `${priceCol} >= ${p}`, f.minPriceCents);
  if (f.maxPriceCents !== undefined) add((p) => `${priceCol} <= ${p}`, f.maxPriceCents);
  if (f.minBedrooms !== undefined) add((p) => `l.bedrooms >= ${p}`, f.minBedrooms);
  if (f.propertyType) add((p) => `l.property_type = ${p}`, f.propertyType);
  if (f.petsAllowed) where.push('l.pets_allowed');
  const sqlWhere = where.join(' AND ');
  const total = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM listings l WHERE ${sqlWhere}`, params);
  params.push(limit);
  const { rows } = await db.query<ListingRow>(
    `${LISTING_SELECT} WHERE ${sqlWhere} ORDER BY ${priceCol}, l.id LIMIT $${params.length}`,
    params,
  );
  return { rows, total: Number(total.rows[0]?.n ?? 0) };
}

export async function getListingById(db: Queryable, id: number): Promise<ListingRow | undefined> {
  const { rows } = await db.query<ListingRow>(`${LISTING_SELECT} WHERE l.id = $1`, [id]);
  return rows[0];
}

/** Listings whose street address contains the words given (case-insensitive); up to 3. */
export async function findListingsByAddress(db: Queryable, address: string): Promise<ListingRow[]> {
  const words = address.trim().split(/\s+/).filter(Boolean).slice(0, 6);
  if (!words.length) return [];
  const where = words.map((_, i) => `(l.address || ' ' || coalesce(l.unit, '')) ILIKE $${i + 1}`).join(' AND ');
  const { rows } = await db.query<ListingRow>(
    `${LISTING_SELECT} WHERE ${where} ORDER BY (l.status = 'active') DESC, l.id LIMIT 3`,
    words.map((w) => `%${w}%`),
  );
  return rows;
}

export interface LeadUpsert {
  name: string; phone: string; email?: string | undefined; intent: 'buy' | 'sell' | 'rent' | 'invest';
  timeline?: string | undefined; budgetMinCents?: number | undefined; budgetMaxCents?: number | undefined;
  preApproved?: boolean | undefined; areas?: string | undefined; bedroomsMin?: number | undefined; notes?: string | undefined;
  score?: number; grade?: string; assignedAgentId?: number | undefined; callId: string;
}

/** Inserts or updates the lead of (phone, intent); fields not given keep their stored value. */
export async function upsertLead(db: Queryable, lead: LeadUpsert): Promise<{ id: number }> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO leads (name, phone, email, intent, timeline, budget_min_cents, budget_max_cents, pre_approved, areas,
                        bedrooms_min, notes, score, grade, assigned_agent_id, source_call_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, 0), coalesce($13, 'cold'), $14, $15)
     ON CONFLICT (phone, intent) DO UPDATE SET
       name = EXCLUDED.name,
       email = coalesce(EXCLUDED.email, leads.email),
       timeline = coalesce(EXCLUDED.timeline, leads.timeline),
       budget_min_cents = coalesce(EXCLUDED.budget_min_cents, leads.budget_min_cents),
       budget_max_cents = coalesce(EXCLUDED.budget_max_cents, leads.budget_max_cents),
       pre_approved = coalesce(EXCLUDED.pre_approved, leads.pre_approved),
       areas = coalesce(EXCLUDED.areas, leads.areas),
       bedrooms_min = coalesce(EXCLUDED.bedrooms_min, leads.bedrooms_min),
       notes = coalesce(EXCLUDED.notes, leads.notes),
       score = CASE WHEN $12::int IS NULL THEN leads.score ELSE EXCLUDED.score END,
       grade = CASE WHEN $13::text IS NULL THEN leads.grade ELSE EXCLUDED.grade END,
       assigned_agent_id = coalesce(leads.assigned_agent_id, EXCLUDED.assigned_agent_id),
       updated_at = now()
     RETURNING id`,
    [lead.name, lead.phone, lead.email ?? null, lead.intent, lead.timeline ?? null, lead.budgetMinCents ?? null,
      lead.budgetMaxCents ?? null, lead.preApproved ?? null, lead.areas ?? null, lead.bedroomsMin ?? null, lead.notes ?? null,
      lead.score ?? null, lead.grade ?? null, lead.assignedAgentId ?? null, lead.callId],
  );
  return { id: Number(rows[0]!.id) };
}

export interface LeadRow {
  id: number; name: string; phone: string; email: string | null; intent: string; timeline: string | null;
  budget_min_cents: number | null; budget_max_cents: number | null; pre_approved: boolean | null; areas: string | null;
  score: number; grade: string; assigned_agent_id: number | null;
}

export async function getLead(db: Queryable, id: number): Promise<LeadRow | undefined> {
  const { rows } = await db.query<LeadRow>('SELECT * FROM leads WHERE id = $1', [id]);
  return rows[0];
}

export async function getTeamMember(db: Queryable, id: number): Promise<TeamMember | undefined> {
  const { rows } = await db.query<TeamMember>('SELECT id, name, role, phone FROM team_members WHERE id = $1', [id]);
  return rows[0];
}
