/** Pure lead scoring for the sales pod: budget, authority, need and timeline (BANT) plus fit. */

export type SalesTimeline = 'this_month' | 'this_quarter' | 'next_quarter' | 'later' | 'unknown';

export interface SalesLeadFacts {
  teamSize?: number | null | undefined;
  timeline?: SalesTimeline | null | undefined;
  budgetConfirmed?: boolean | null | undefined;
  decisionMaker?: boolean | null | undefined;
  hasPainPoints: boolean;
  hasCurrentTool: boolean;
  hasEmail: boolean;
}

const TIMELINE_POINTS: Record<SalesTimeline, number> = { this_month: 25, this_quarter: 20, next_quarter: 10, later: 3, unknown: 0 };

export function scoreSalesLead(f: SalesLeadFacts): { score: number; grade: 'hot' | 'warm' | 'cold'; status: 'qualified' | 'nurture' } {
  let score = 0;
  const size = f.teamSize ?? 0;
  score += size >= 25 ? 25 : size >= 10 ? 20 : size >= 3 ? 12 : size >= 1 ? 5 : 0;
  if (f.timeline) score += TIMELINE_POINTS[f.timeline];
  if (f.budgetConfirmed) score += 15;
  if (f.decisionMaker) score += 15;
  if (f.hasPainPoints) score += 10;
  if (f.hasCurrentTool) score += 5;
  if (f.hasEmail) score += 5;
  score = Math.min(100, score);
  return { score, grade: score >= 70 ? 'hot' : score >= 40 ? 'warm' : 'cold', status: score >= 50 ? 'qualified' : 'nurture' };
}

/** The plan that fits a team: Starter under 3 users, Enterprise from 25, Pro between. */
export function recommendedPlan(teamSize: number | null | undefined): 'starter' | 'pro' | 'enterprise' | null {
  if (!teamSize) return null;
  return teamSize < 3 ? 'starter' : teamSize >= 25 ? 'enterprise' : 'pro';
}
