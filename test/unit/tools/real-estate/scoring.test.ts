import { amortisationFactor, prequalify, scoreLead } from '../../../../tools/real-estate/scoring.js';

describe('scoreLead', () => {
  it('grades a pre-approved buyer moving now as hot', () => {
    expect(scoreLead({ intent: 'buy', timeline: 'asap', preApproved: true, hasBudget: true, hasArea: true, hasEmail: false }))
      .toEqual({ score: 85, grade: 'hot' });
  });

  it('grades a browsing renter as cold and a seller with a timeline as warm', () => {
    expect(scoreLead({ intent: 'rent', timeline: 'just_browsing', hasBudget: false, hasArea: false, hasEmail: false }).grade).toBe('cold');
    expect(scoreLead({ intent: 'sell', timeline: '3_6_months', hasBudget: false, hasArea: true, hasEmail: false }))
      .toEqual({ score: 47, grade: 'warm' });
  });

  it('ignores pre-approval for renters and never passes 100', () => {
    const renter = scoreLead({ intent: 'rent', preApproved: true, hasBudget: false, hasArea: false, hasEmail: false });
    expect(renter.score).toBe(5);
    const max = scoreLead({ intent: 'sell', timeline: 'asap', preApproved: true, hasBudget: true, hasArea: true, hasEmail: true });
    expect(max.score).toBeLessThanOrEqual(100);
  });
});

describe('prequalify', () => {
  const base = {
    annualIncomeCents: 12_000_000, monthlyDebtsCents: 0, downPaymentCents: 10_000_000,
    ratePct: 6, termYears: 30, minDownPaymentPct: 5, propertyTaxRatePct: 1, insuranceRatePct: 0.4,
  };

  it('matches the textbook amortisation factor', () => {
    // $100,000 at 6% over 30 years is $599.55 a month.
    expect(100_000 * amortisationFactor(6, 30)).toBeCloseTo(599.55, 2);
  });

  it('keeps the payment at the maximum price within 28% of income', () => {
    const r = prequalify(base);
    expect(r.limitedBy).toBe('income');
    expect(r.monthlyPaymentCents).toBeLessThanOrEqual(12_000_000 / 12 * 0.28);
    expect(r.loanCents).toBe(r.maxPriceCents - base.downPaymentCents);
  });

  it('lets debts lower the maximum through the 36% rule', () => {
    const withDebts = prequalify({ ...base, monthlyDebtsCents: 200_000 });
    expect(withDebts.maxPriceCents).toBeLessThan(prequalify(base).maxPriceCents);
  });

  it('caps the price by the minimum down payment', () => {
    const r = prequalify({ ...base, downPaymentCents: 1_000_000, minDownPaymentPct: 10 });
    expect(r).toMatchObject({ limitedBy: 'down_payment', maxPriceCents: 10_000_000 });
  });

  it('comes out at zero when debts take the whole allowance', () => {
    expect(prequalify({ ...base, monthlyDebtsCents: 400_000 }).maxPriceCents).toBe(0);
  });
});
