import { words } from '../../../../tools/sales/common.js';
import { recommendedPlan, scoreSalesLead } from '../../../../tools/sales/scoring.js';

describe('scoreSalesLead', () => {
  const none = { hasPainPoints: false, hasCurrentTool: false, hasEmail: false };

  it('qualifies a mid-size team buying this month with budget and authority', () => {
    expect(scoreSalesLead({ ...none, teamSize: 12, timeline: 'this_month', budgetConfirmed: true, decisionMaker: true }))
      .toEqual({ score: 75, grade: 'hot', status: 'qualified' });
  });

  it('nurtures a one-person shop with no timeline', () => {
    expect(scoreSalesLead({ ...none, teamSize: 1 })).toEqual({ score: 5, grade: 'cold', status: 'nurture' });
  });

  it('weighs team size in steps and caps at 100', () => {
    const at = (teamSize: number) => scoreSalesLead({ ...none, teamSize }).score;
    expect([at(2), at(3), at(10), at(25)]).toEqual([5, 12, 20, 25]);
    expect(scoreSalesLead({ teamSize: 500, timeline: 'this_month', budgetConfirmed: true, decisionMaker: true, hasPainPoints: true, hasCurrentTool: true, hasEmail: true }).score).toBe(100);
  });
});

describe('recommendedPlan', () => {
  it('fits the plan to the team size', () => {
    expect([recommendedPlan(undefined), recommendedPlan(2), recommendedPlan(3), recommendedPlan(24), recommendedPlan(25)])
      .toEqual([null, 'starter', 'pro', 'pro', 'enterprise']);
  });
});

describe('words', () => {
  it('keeps meaningful words, singular, and drops filler', () => {
    expect(words('Do you integrate with QuickBooks invoices?')).toEqual(['integrate', 'quickbook', 'invoice']);
  });
});
