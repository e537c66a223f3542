/**
 * SQL of the sales tools over the vertical's Db (names resolve in its schema): company facts,
 * catalog and price book, leads and reps. Demo calendar SQL lives in demoRepository.ts.
 */
import type { Queryable } from '../../src/toolkit/index.js';

export interface Company {
  name: string;
  timezone: string;
  mainNumber: string;
  salesEmail: string;
  demoMinutes: number;
  demoMinNoticeMinutes: number;
  demoHorizonDays: number;
  quoteValidDays: number;
  maxPhoneDiscountPct: number;
  trialDays: number;
}

export async function getCompany(db: Queryable): Promise<Company | undefined> {
  const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM company WHERE id');
  const r = rows[0];
  if (!r) return undefined;
  return {
    name: String(r.name), timezone: String(r.timezone), mainNumber: String(r.main_number), salesEmail: String(r.sales_email),
    demoMinutes: Number(r.demo_minutes), demoMinNoticeMinutes: Number(r.demo_min_notice_minutes),
    demoHorizonDays: Number(r.demo_horizon_days), quoteValidDays: Number(r.quote_valid_days),
    maxPhoneDiscountPct: Number(r.max_phone_discount_pct), trialDays: Number(r.trial_days),
  };
}

export interface ProductRow { code: string; kind: 'plan' | 'addon'; name: string; summary: string; unit: string; min_quantity: number }

export async function listProducts(db: Queryable): Promise<ProductRow[]> {
  const { rows } = await db.query<ProductRow>(
    'SELECT code, kind, name, summary, unit, min_quantity FROM products WHERE active ORDER BY rank, code',
  );
  return rows.map((r) => ({ ...r, min_quantity: Number(r.min_quantity) }));
}

export async function getProduct(db: Queryable, code: string): Promise<ProductRow | undefined> {
  const { rows } = await db.query<ProductRow>(
    'SELECT code, kind, name, summary, unit, min_quantity FROM products WHERE active AND (code = $1 OR lower(name) = lower($1))',
    [code.trim()],
  );
  const r = rows[0];
  return r ? { ...r, min_quantity: Number(r.min_quantity) } : undefined;
}

export interface FeatureRow { code: string; name: string; description: string; keywords: string; plans: string | null; addon: string | null }

export async function listFeatures(db: Queryable): Promise<FeatureRow[]> {
  const { rows } = await db.query<FeatureRow>(
    `SELECT f.code, f.name, f.description, f.keywords,
            (SELECT string_agg(p.name, ', ' ORDER BY p.rank) FROM plan_features pf JOIN products p ON p.code = pf.plan_code
              WHERE pf.feature_code = f.code) AS plans,
            (SELECT p.name FROM feature_addons fa JOIN products p ON p.code = fa.addon_code WHERE fa.feature_code = f.code) AS addon
       FROM features f ORDER BY f.code`,
  );
  return rows;
}

export async function planFeatureNames(db: Queryable, planCode: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    'SELECT f.name FROM plan_features pf JOIN features f ON f.code = pf.feature_code WHERE pf.plan_code = $1 ORDER BY f.code',
    [planCode],
  );
  return rows.map((r) => r.name);
}

export interface Tier { min: number; max: number | null; unitCents: number }

export async function priceTiers(db: Queryable, productCode: string, term: 'monthly' | 'annual'): Promise<Tier[]> {
  const { rows } = await db.query<{ min_quantity: number; max_quantity: number | null; unit_price_cents: number }>(
    'SELECT min_quantity, max_quantity, unit_price_cents FROM price_book WHERE product_code = $1 AND billing_term = $2 ORDER BY min_quantity',
    [productCode, term],
  );
  return rows.map((r) => ({ min: Number(r.min_quantity), max: r.max_quantity == null ? null : Number(r.max_quantity), unitCents: Number(r.unit_price_cents) }));
}

export const tierFor = (tiers: readonly Tier[], quantity: number): Tier | undefined =>
  tiers.find((t) => quantity >= t.min && (t.max === null || quantity <= t.max));

// ---- leads and reps -------------------------------------------------------------------------

export interface LeadRow { id: number; company_name: string; contact_name: string; phone: string; email: string | null; owner_rep_id: number | null; team_size: number | null }

export async function getLead(db: Queryable, id: number): Promise<LeadRow | undefined> {
  const { rows } = await db.query<LeadRow>(
    'SELECT id, company_name, contact_name, phone, email, owner_rep_id, team_size FROM leads WHERE id = $1', [id],
  );
  return rows[0];
}

export async function getLeadByPhone(db: Queryable, phone: string): Promise<LeadRow | undefined> {
  const { rows } = await db.query<LeadRow>(
    'SELECT id, company_name, contact_name, phone, email, owner_rep_id, team_size FROM leads WHERE phone = $1', [phone],
  );
  return rows[0];
}

export interface RepRow { id: number; name: string; role: string; phone: string }

export async function getRep(db: Queryable, id: number): Promise<RepRow | undefined> {
  const { rows } = await db.query<RepRow>('SELECT id, name, role, phone FROM sales_reps WHERE id = $1', [id]);
  return rows[0];
}

/** The on-duty account executive with the fewest leads. */
export async function pickAccountExecutive(db: Queryable): Promise<RepRow | undefined> {
  const { rows } = await db.query<RepRow>(
    `SELECT r.id, r.name, r.role, r.phone FROM sales_reps r WHERE r.role = 'account_executive' AND r.on_duty
      ORDER BY (SELECT count(*) FROM leads l WHERE l.owner_rep_id = r.id), r.id LIMIT 1`,
  );
  return rows[0];
}

/** On-duty account executives inside their demo hours at `now` and not in a demo, lead owner first. */
export async function repsAvailableNow(db: Queryable, now: Date, preferRepId: number | null): Promise<RepRow[]> {
  const { rows } = await db.query<RepRow>(
    `WITH l AS (SELECT ($1::timestamptz AT TIME ZONE timezone) AS t FROM company WHERE id)
     SELECT r.id, r.name, r.role, r.phone FROM sales_reps r JOIN demo_availability a ON a.rep_id = r.id, l
      WHERE r.on_duty AND r.role = 'account_executive' AND a.weekday = extract(isodow FROM l.t)
        AND l.t::time >= a.opens AND l.t::time < a.closes
        AND NOT EXISTS (SELECT 1 FROM demos d WHERE d.rep_id = r.id AND d.status = 'scheduled'
                          AND d.starts_at <= $1::timestamptz AND d.ends_at > $1::timestamptz)
      ORDER BY (r.id = $2::int) DESC, r.id`,
    [now.toISOString(), preferRepId],
  );
  return rows;
}

export interface LeadUpsert {
  companyName: string; contactName: string; phone: string; email?: string | undefined; role?: string | undefined;
  industry?: string | undefined; teamSize?: number | undefined; currentTool?: string | undefined; painPoints?: string | undefined;
  timeline?: string | undefined; budgetConfirmed?: boolean | undefined; decisionMaker?: boolean | undefined;
  ownerRepId?: number | undefined; callId: string;
}

/** Inserts or updates the lead of a phone number; fields not given keep their stored value. Returns the merged row's facts. */
export async function upsertLead(db: Queryable, l: LeadUpsert): Promise<Record<string, unknown>> {
  const { rows } = await db.query<Record<string, unknown>>(
    `INSERT INTO leads (company_name, contact_name, phone, email, role, industry, team_size, current_tool, pain_points,
                        timeline, budget_confirmed, decision_maker, owner_rep_id, source_call_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (phone) DO UPDATE SET
       company_name = EXCLUDED.company_name, contact_name = EXCLUDED.contact_name,
       email = coalesce(EXCLUDED.email, leads.email), role = coalesce(EXCLUDED.role, leads.role),
       industry = coalesce(EXCLUDED.industry, leads.industry), team_size = coalesce(EXCLUDED.team_size, leads.team_size),
       current_tool = coalesce(EXCLUDED.current_tool, leads.current_tool),
       pain_points = coalesce(EXCLUDED.pain_points, leads.pain_points), timeline = coalesce(EXCLUDED.timeline, leads.timeline),
       budget_confirmed = coalesce(EXCLUDED.budget_confirmed, leads.budget_confirmed),
       decision_maker = coalesce(EXCLUDED.decision_maker, leads.decision_maker),
       owner_rep_id = coalesce(leads.owner_rep_id, EXCLUDED.owner_rep_id), updated_at = now()
     RETURNING *`,
    [l.companyName, l.contactName, l.phone, l.email ?? null, l.role ?? null, l.industry ?? null, l.teamSize ?? null,
      l.currentTool ?? null, l.painPoints ?? null, l.timeline ?? null, l.budgetConfirmed ?? null, l.decisionMaker ?? null,
      l.ownerRepId ?? null, l.callId],
  );
  return rows[0]!;
}

export async function setLeadScore(db: Queryable, id: number, score: number, grade: string, status: string): Promise<void> {
  await db.query('UPDATE leads SET score = $2, grade = $3, status = $4 WHERE id = $1', [id, score, grade, status]);
}

export interface ObjectionRow { code: string; keywords: string; response: string; proof_point: string; follow_up_question: string }

export async function listObjections(db: Queryable): Promise<ObjectionRow[]> {
  const { rows } = await db.query<ObjectionRow>('SELECT code, keywords, response, proof_point, follow_up_question FROM objection_responses ORDER BY code');
  return rows;
}
