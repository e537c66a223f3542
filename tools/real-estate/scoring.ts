/** Pure maths of the real-estate tools: the lead score and the mortgage pre-qualification estimate. */

export type Timeline = 'asap' | '1_3_months' | '3_6_months' | '6_plus_months' | 'just_browsing';
export type Intent = 'buy' | 'sell' | 'rent' | 'invest';

export interface LeadFacts {
  intent: Intent;
  timeline?: Timeline | undefined;
  preApproved?: boolean | undefined;
  hasBudget: boolean;
  hasArea: boolean;
  hasEmail: boolean;
}

const TIMELINE_POINTS: Record<Timeline, number> = {
  asap: 30, '1_3_months': 25, '3_6_months': 12, '6_plus_months': 5, just_browsing: 0,
};

/**
 * 0–100. Timeline weighs most, then financing (buyers and investors), then how concrete the
 * search is. Sellers start higher: a listing is the brokerage's most valuable lead.
 */
export function scoreLead(f: LeadFacts): { score: number; grade: 'hot' | 'warm' | 'cold' } {
  let score = f.intent === 'sell' ? 30 : f.intent === 'rent' ? 5 : 10;
  if (f.timeline) score += TIMELINE_POINTS[f.timeline];
  if ((f.intent === 'buy' || f.intent === 'invest') && f.preApproved) score += 25;
  if (f.hasBudget) score += 15;
  if (f.hasArea) score += 5;
  if (f.hasEmail) score += 5;
  score = Math.max(0, Math.min(100, score));
  return { score, grade: score >= 70 ? 'hot' : score >= 40 ? 'warm' : 'cold' };
}

export interface PrequalInput {
  annualIncomeCents: number;
  monthlyDebtsCents: number;
  downPaymentCents: number;
  ratePct: number;
  termYears: number;
  minDownPaymentPct: number;
  propertyTaxRatePct: number;
  insuranceRatePct: number;
}

export interface PrequalResult {
  maxPriceCents: number;
  loanCents: number;
  monthlyPaymentCents: number;
  maxHousingPaymentCents: number;
  limitedBy: 'income' | 'down_payment';
}

/** Front-end ratio (housing / gross income) and back-end ratio (all debts / gross income). */
export const FRONT_END_RATIO = 0.28;
export const BACK_END_RATIO = 0.36;

/** Monthly principal and interest per dollar borrowed. */
export function amortisationFactor(ratePct: number, termYears: number): number {
  const r = ratePct / 100 / 12;
  const n = termYears * 12;
  return r === 0 ? 1 / n : (r * (1 + r) ** n) / ((1 + r) ** n - 1);
}

/**
 * The highest price whose payment (principal, interest, tax, insurance) fits the 28/36 rule,
 * capped by what the down payment covers at the product's minimum percentage.
 */
export function prequalify(p: PrequalInput): PrequalResult {
  const monthlyIncome = p.annualIncomeCents / 12;
  const maxHousing = Math.max(0, Math.min(monthlyIncome * FRONT_END_RATIO, monthlyIncome * BACK_END_RATIO - p.monthlyDebtsCents));
  const f = amortisationFactor(p.ratePct, p.termYears);
  const carry = (p.propertyTaxRatePct + p.insuranceRatePct) / 100 / 12;
  // payment = (price - down) * f + price * carry  <=  maxHousing
  let price = maxHousing > 0 ? (maxHousing + p.downPaymentCents * f) / (f + carry) : 0;
  let limitedBy: PrequalResult['limitedBy'] = 'income';
  if (p.minDownPaymentPct > 0) {
    const byDown = p.downPaymentCents / (p.minDownPaymentPct / 100);
    if (byDown < price) {
      price = byDown;
      limitedBy = 'down_payment';
    }
  }
  price = Math.max(price, 0);
  const maxPriceCents = Math.floor(price / 100_000) * 100_000; // whole thousands of dollars
  const loanCents = Math.max(0, maxPriceCents - p.downPaymentCents);
  const monthlyPaymentCents = Math.round(loanCents * f + maxPriceCents * carry);
  return { maxPriceCents, loanCents, monthlyPaymentCents, maxHousingPaymentCents: Math.round(maxHousing), limitedBy };
}
