/** SQL of the valuation, mortgage, offer and maintenance tools. */
import type { Queryable } from '../../src/toolkit/index.js';

/** Comparable sales look back this far from today. */
const COMPARABLES_LOOKBACK_MONTHS = 18;

export interface ComparableRow {
  address: string; square_feet: number; sold_price_cents: number; sold_on: string; bedrooms: number;
}

export async function comparableSales(db: Queryable, neighborhood: string, propertyType: string, now: Date): Promise<ComparableRow[]> {
  const { rows } = await db.query<ComparableRow>(
    `SELECT address, square_feet, sold_price_cents, to_char(sold_on, 'YYYY-MM-DD') AS sold_on, bedrooms
       FROM comparable_sales
      WHERE lower(neighborhood) = lower(btrim($1)) AND property_type = $2
        AND sold_on >= ($3::timestamptz - make_interval(months => $4))::date
      ORDER BY sold_on DESC`,
    [neighborhood, propertyType, now.toISOString(), COMPARABLES_LOOKBACK_MONTHS],
  );
  return rows.map((r) => ({ ...r, square_feet: Number(r.square_feet), sold_price_cents: Number(r.sold_price_cents), bedrooms: Number(r.bedrooms) }));
}

export interface RateRow { product: string; term_years: number; rate_pct: number; apr_pct: number; min_down_payment_pct: number; as_of: string }

export async function getRate(db: Queryable, product: string): Promise<RateRow | undefined> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT product, term_years, rate_pct, apr_pct, min_down_payment_pct, to_char(as_of, 'YYYY-MM-DD') AS as_of
       FROM mortgage_rates WHERE product = $1`,
    [product],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    product: String(r.product), term_years: Number(r.term_years), rate_pct: Number(r.rate_pct), apr_pct: Number(r.apr_pct),
    min_down_payment_pct: Number(r.min_down_payment_pct), as_of: String(r.as_of),
  };
}

export async function findLeadIdByPhone(db: Queryable, phone: string): Promise<number | undefined> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT id FROM leads WHERE phone = $1 ORDER BY (intent = 'buy') DESC, updated_at DESC LIMIT 1`, [phone],
  );
  return rows[0] ? Number(rows[0].id) : undefined;
}

export async function insertPrequal(db: Queryable, p: {
  leadId: number | undefined; product: string; annualIncomeCents: number; monthlyDebtsCents: number;
  downPaymentCents: number; maxPriceCents: number; monthlyPaymentCents: number; callId: string;
}): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO prequal_estimates (lead_id, product, annual_income_cents, monthly_debts_cents, down_payment_cents,
                                    max_price_cents, monthly_payment_cents, created_call_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [p.leadId ?? null, p.product, p.annualIncomeCents, p.monthlyDebtsCents, p.downPaymentCents, p.maxPriceCents, p.monthlyPaymentCents, p.callId],
  );
  return Number(rows[0]!.id);
}

export interface OfferRow {
  id: number; status: string; amount_cents: number; counter_amount_cents: number | null; submitted_on: string;
  respond_by: string | null; next_step: string | null; buyer_last_name: string; address: string; agent_name: string | null;
}

export async function getOffer(db: Queryable, id: number): Promise<OfferRow | undefined> {
  const { rows } = await db.query<OfferRow>(
    `SELECT o.id, o.status, o.amount_cents, o.counter_amount_cents, to_char(o.submitted_on, 'FMMonth FMDD') AS submitted_on,
            to_char(o.respond_by, 'FMMonth FMDD') AS respond_by, o.next_step, o.buyer_last_name,
            l.address || coalesce(', unit ' || l.unit, '') AS address, m.name AS agent_name
       FROM offers o JOIN listings l ON l.id = o.listing_id LEFT JOIN team_members m ON m.id = o.buyer_agent_id
      WHERE o.id = $1`,
    [id],
  );
  return rows[0];
}

export interface LeaseRow { id: number; tenant_name: string; address: string }

/** The lease in force today at an address (street words, optional unit) whose tenant matches the last name. */
export async function findActiveLease(db: Queryable, address: string, unit: string | undefined, lastName: string, now: Date): Promise<LeaseRow | undefined> {
  const words = address.trim().split(/\s+/).filter(Boolean).slice(0, 6);
  if (!words.length) return undefined;
  const params: unknown[] = words.map((w) => `%${w}%`);
  const addressWhere = words.map((_, i) => `l.address ILIKE $${i + 1}`).join(' AND ');
  params.push(lastName.trim(), now.toISOString());
  const n = params.length;
  let unitWhere = '';
  if (unit?.trim()) {
    params.push(unit.trim());
    unitWhere = ` AND lower(coalesce(l.unit, '')) = lower($${params.length})`;
  }
  const { rows } = await db.query<LeaseRow>(
    `SELECT s.id, s.tenant_name, l.address || coalesce(', unit ' || l.unit, '') AS address
       FROM leases s JOIN listings l ON l.id = s.listing_id, office o
      WHERE o.id AND ${addressWhere}${unitWhere}
        AND lower(s.tenant_name) LIKE '%' || lower($${n - 1})
        AND ($${n}::timestamptz AT TIME ZONE o.timezone)::date >= s.starts_on
        AND ($${n}::timestamptz AT TIME ZONE o.timezone)::date < s.ends_on
      LIMIT 2`,
    params,
  );
  return rows.length === 1 ? rows[0] : undefined;
}

export async function insertMaintenance(db: Queryable, m: {
  leaseId: number; category: string; priority: string; description: string; permissionToEnter: boolean; callId: string;
}): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO maintenance_requests (lease_id, category, priority, description, permission_to_enter, created_call_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [m.leaseId, m.category, m.priority, m.description, m.permissionToEnter, m.callId],
  );
  return Number(rows[0]!.id);
}

export async function markManagerNotified(db: Queryable, requestId: number): Promise<void> {
  await db.query('UPDATE maintenance_requests SET manager_notified = true WHERE id = $1', [requestId]);
}
