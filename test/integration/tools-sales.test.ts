/**
 * Sales tools against real Postgres (schema + seed of verticals/sales): every tool and its
 * refusals, the discount policy and the demo calendar's no-double-booking rule in the database.
 */
import { salesTools } from '../../tools/sales/index.js';
import {
  localInstant, openVerticalDb, plusDays, runTool, testCall, toolFrom, type TestCall, type VerticalTestDb,
} from './tools-real-estate.helpers.js';

const tool = toolFrom(salesTools);
const TZ = 'America/Denver';

let t: VerticalTestDb;
/** Monday 09:00 in Denver: Jamie's demo hours start at 9, Morgan's at 10; 4 hours' notice for demos. */
let monday: { date: string; at: Date };

beforeAll(async () => {
  t = await openVerticalDb('sales');
  monday = await localInstant(t.db, TZ, 1, '09:00', 1);
});

afterAll(async () => {
  await t.close();
});

const newCall = (options?: { sms?: boolean; call?: boolean; at?: Date }): TestCall =>
  testCall(t.db, 'sales', options?.at ?? monday.at, options);

let phoneSeq = 100;
async function newLead(overrides: Record<string, unknown> = {}): Promise<{ leadId: number; phone: string; accountExecutive: string }> {
  phoneSeq += 1;
  const phone = `+1555010${String(phoneSeq).padStart(4, '0')}`;
  const res = await runTool<{ leadId: number; accountExecutive: string }>(tool('sales_qualify_lead'), {
    companyName: `Company ${phoneSeq}`, contactName: 'Pat Doe', phone, teamSize: 8, ...overrides,
  }, newCall());
  expect(res.status).toBe('ok');
  return { leadId: res.result.leadId, phone, accountExecutive: res.result.accountExecutive };
}

describe('the sales family', () => {
  it('has 9 tools, all named sales_*', () => {
    expect(salesTools).toHaveLength(9);
    expect(new Set(salesTools.map((d) => d.name)).size).toBe(9);
    for (const d of salesTools) expect(d.name).toMatch(/^sales_[a-z_]+$/);
  });
});

describe('sales_qualify_lead', () => {
  it('scores a ready buyer hot, assigns an account executive and recommends a plan', async () => {
    const res = await runTool<{ leadId: number; score: number; grade: string; status: string; accountExecutive: string; recommendedPlan: string }>(
      tool('sales_qualify_lead'), {
        companyName: 'Northstar Heating', contactName: 'Dana Cole', phone: '(720) 555-0142', email: 'dana@northstar.example',
        role: 'Owner', industry: 'HVAC', teamSize: 12, currentTool: 'spreadsheets', painPoints: 'Double-booked technicians',
        timeline: 'this_month', budgetConfirmed: true, decisionMaker: true,
      }, newCall(),
    );
    expect(res.result).toMatchObject({ score: 95, grade: 'hot', status: 'qualified', accountExecutive: 'Jamie Ortiz', recommendedPlan: 'pro' });
  });

  it('merges a second call into the same lead and spreads new leads across account executives', async () => {
    const first = await runTool<{ leadId: number; score: number; grade: string }>(tool('sales_qualify_lead'), { companyName: 'Solo Fix', contactName: 'Lee Ray', phone: '+17205550150' }, newCall());
    expect(first.result.grade).toBe('cold');
    const second = await runTool<{ leadId: number; score: number; accountExecutive: string; recommendedPlan: string }>(
      tool('sales_qualify_lead'), { companyName: 'Solo Fix', contactName: 'Lee Ray', phone: '+17205550150', teamSize: 40, timeline: 'this_quarter' }, newCall(),
    );
    expect(second.result.leadId).toBe(first.result.leadId);
    expect(second.result.score).toBeGreaterThan(first.result.score);
    expect(second.result.recommendedPlan).toBe('enterprise');
    expect(second.result.accountExecutive).toBe('Morgan Reeves');
  });

  it('refuses an incomplete phone number and a malformed email', async () => {
    expect((await runTool(tool('sales_qualify_lead'), { companyName: 'X', contactName: 'Pat Doe', phone: '555 0142' }, newCall())).errorCode).toBe('INVALID_PHONE');
    expect((await runTool(tool('sales_qualify_lead'), { companyName: 'X', contactName: 'Pat Doe', phone: '+17205550142', email: 'not-an-email' }, newCall())).errorCode).toBe('INVALID_ARGUMENTS');
  });
});

describe('sales_product_info', () => {
  it('finds the plans that include a feature, and the add-on that sells one', async () => {
    const qb = await runTool<{ matches: { name: string; includedIn: string[]; addon: string | null }[] }>(
      tool('sales_product_info'), { question: 'Does it sync with QuickBooks?' }, newCall(),
    );
    expect(qb.result.matches[0]).toMatchObject({ name: 'QuickBooks sync', includedIn: ['Pro', 'Enterprise'], addon: null });
    const gps = await runTool<{ matches: { name: string; addon: string | null }[]; trialDays: number }>(
      tool('sales_product_info'), { question: 'Can I see where my trucks are on a map?' }, newCall(),
    );
    expect(gps.result.matches[0]).toMatchObject({ name: 'GPS fleet tracking', addon: 'GPS fleet tracking' });
    expect(gps.result.trialDays).toBe(14);
  });

  it('lists what a plan includes and refuses an unknown plan', async () => {
    const ent = await runTool<{ planFeatures: string[]; plans: { name: string; minUsers: number }[] }>(tool('sales_product_info'), { plan: 'Enterprise' }, newCall());
    expect(ent.result.planFeatures).toContain('Single sign-on');
    expect(ent.result.plans).toContainEqual(expect.objectContaining({ name: 'Enterprise', minUsers: 25 }));
    expect((await runTool(tool('sales_product_info'), { plan: 'platinum' }, newCall())).errorCode).toBe('UNKNOWN_PLAN');
  });

  it('says there is no match rather than inventing a feature', async () => {
    expect((await runTool(tool('sales_product_info'), { question: 'Do you run payroll?' }, newCall())).errorCode).toBe('NO_MATCH');
  });
});

describe('sales_get_pricing', () => {
  it('prices a quantity on the right volume tier, with the annual saving', async () => {
    const res = await runTool<{ terms: { billingTerm: string; quote: { unitPriceText: string; monthlyTotalText: string } }[]; annualSavingsText: string }>(
      tool('sales_get_pricing'), { product: 'pro', quantity: 30 }, newCall(),
    );
    expect(res.result.terms.map((x) => [x.billingTerm, x.quote.unitPriceText, x.quote.monthlyTotalText])).toEqual([
      ['monthly', '$53', '$1,590'], ['annual', '$45', '$1,350'],
    ]);
    expect(res.result.annualSavingsText).toBe('$2,880 a year less on annual billing');
  });

  it('lists the tiers of a product without a quantity', async () => {
    const res = await runTool<{ terms: { tiers: { from: number; to: number | null; unitPriceText: string }[] }[] }>(
      tool('sales_get_pricing'), { product: 'enterprise', billingTerm: 'annual' }, newCall(),
    );
    expect(res.result.terms[0]!.tiers).toEqual([{ from: 25, to: 199, unitPriceText: '$84' }, { from: 200, to: null, unitPriceText: '$76' }]);
  });

  it('refuses below the plan minimum and unknown products', async () => {
    expect((await runTool(tool('sales_get_pricing'), { product: 'pro', quantity: 2 }, newCall())).errorCode).toBe('BELOW_MINIMUM');
    expect((await runTool(tool('sales_get_pricing'), { product: 'diamond' }, newCall())).errorCode).toBe('UNKNOWN_PRODUCT');
  });
});

describe('sales_create_quote', () => {
  it('quotes a plan with add-ons, applies an allowed discount and texts the summary', async () => {
    const { leadId } = await newLead({ teamSize: 12 });
    const call = newCall();
    const res = await runTool<{ quoteId: number; status: string; listMonthlyText: string; monthlyTotalText: string; billedText: string; lines: unknown[]; textedTo: string }>(
      tool('sales_create_quote'), {
        leadId, plan: 'pro', seats: 12, billingTerm: 'annual', addons: [{ product: 'gps_tracking', quantity: 5 }], discountPct: 10, textTo: '+17205550199',
      }, call,
    );
    expect(res.result).toMatchObject({ status: 'sent', listMonthlyText: '$653', monthlyTotalText: '$587.70', billedText: '$7,052.40 billed once a year', textedTo: 'ending in 0199' });
    expect(res.result.lines).toEqual([
      { name: 'Pro', quantity: 12, unitPriceText: '$49', lineTotalText: '$588' },
      { name: 'GPS fleet tracking', quantity: 5, unitPriceText: '$13', lineTotalText: '$65' },
    ]);
    expect(call.sms.sent[0]!.body).toContain(`quote ${res.result.quoteId}`);
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM quote_lines WHERE quote_id = $1', [res.result.quoteId]);
    expect(rows[0]!.n).toBe(2);
  });

  it('sends a larger discount for approval instead, without texting it', async () => {
    const { leadId } = await newLead();
    const call = newCall();
    const res = await runTool<{ status: string; note: string }>(
      tool('sales_create_quote'), { leadId, plan: 'pro', seats: 8, billingTerm: 'monthly', discountPct: 15, textTo: '+17205550199' }, call,
    );
    expect(res.result.status).toBe('pending_approval');
    expect(res.result.note).toMatch(/approval/);
    expect(call.sms.sent).toHaveLength(0);
  });

  it('the database refuses a sent quote above the phone discount limit', async () => {
    const { leadId } = await newLead();
    await expect(t.exec(`INSERT INTO quotes (lead_id, plan_code, billing_term, seats, list_monthly_cents, discount_pct, monthly_cents, status, valid_until)
                         VALUES (${leadId}, 'pro', 'monthly', 5, 29500, 15, 25075, 'sent', current_date + 30)`))
      .rejects.toMatchObject({ code: '23514' });
  });

  it('finds the lead by phone when there is no lead number, and refuses with neither', async () => {
    const { phone } = await newLead();
    const res = await runTool<{ status: string }>(tool('sales_create_quote'), { phone, plan: 'starter', seats: 2, billingTerm: 'monthly' }, newCall());
    expect(res.status).toBe('ok');
    expect((await runTool(tool('sales_create_quote'), { plan: 'starter', seats: 2, billingTerm: 'monthly' }, newCall())).errorCode).toBe('MISSING_LEAD');
    expect((await runTool(tool('sales_create_quote'), { phone: '+17205559999', plan: 'starter', seats: 2, billingTerm: 'monthly' }, newCall())).errorCode).toBe('LEAD_NOT_FOUND');
  });

  it('refuses discounts past the ceiling, unknown leads, too few seats and repeated add-ons', async () => {
    const { leadId } = await newLead();
    const base = { leadId, plan: 'pro', seats: 8, billingTerm: 'monthly' };
    expect((await runTool(tool('sales_create_quote'), { ...base, discountPct: 40 }, newCall())).errorCode).toBe('DISCOUNT_TOO_HIGH');
    expect((await runTool(tool('sales_create_quote'), { ...base, leadId: 999999 }, newCall())).errorCode).toBe('LEAD_NOT_FOUND');
    expect((await runTool(tool('sales_create_quote'), { ...base, plan: 'enterprise', seats: 10 }, newCall())).errorCode).toBe('BELOW_MINIMUM');
    expect((await runTool(tool('sales_create_quote'), {
      ...base, addons: [{ product: 'gps_tracking', quantity: 2 }, { product: 'gps_tracking', quantity: 3 }],
    }, newCall())).errorCode).toBe('DUPLICATE_ADDON');
  });
});

describe('demos', () => {
  it('lists free half-hour demo times after the notice period', async () => {
    const res = await runTool<{ date: string; slots: { startsAt: string; time: string }[] }>(tool('sales_find_demo_slots'), { date: 'today' }, newCall());
    expect(res.result.date).toBe(monday.date);
    expect(res.result.slots[0]).toEqual({ startsAt: `${monday.date}T13:00`, time: '1:00 PM' });
  });

  it('points from a Saturday to the next day with demo hours', async () => {
    const res = await runTool<{ slots: unknown[]; nextAvailable: { date: string; firstTimes: { time: string }[] } }>(
      tool('sales_find_demo_slots'), { date: 'saturday' }, newCall(),
    );
    expect(res.result.slots).toEqual([]);
    expect(res.result.nextAvailable.date).toBe(plusDays(monday.date, 7));
    expect(res.result.nextAvailable.firstTimes[0]!.time).toBe('9:00 AM');
  });

  it('refuses impossible, past and far-off days', async () => {
    expect((await runTool(tool('sales_find_demo_slots'), { date: '2031-06-31' }, newCall())).errorCode).toBe('INVALID_DATE');
    expect((await runTool(tool('sales_find_demo_slots'), { date: plusDays(monday.date, -1) }, newCall())).errorCode).toBe('DATE_IN_PAST');
    expect((await runTool(tool('sales_find_demo_slots'), { date: plusDays(monday.date, 30) }, newCall())).errorCode).toBe('TOO_FAR_AHEAD');
  });

  it('books the lead\'s own account executive, then the other, then refuses a full slot', async () => {
    const startsAt = `${monday.date}T14:00`;
    const a = await newLead();
    const first = await runTool<{ demoId: number; accountExecutive: string; when: string }>(tool('sales_book_demo'), { leadId: a.leadId, startsAt }, newCall());
    expect(first.result.accountExecutive).toBe(a.accountExecutive);
    expect(first.result.when).toMatch(/^Monday, .* at 2:00 PM$/);
    const b = await newLead();
    const second = await runTool<{ accountExecutive: string }>(tool('sales_book_demo'), { leadId: b.leadId, startsAt }, newCall());
    expect(second.status).toBe('ok');
    expect(second.result.accountExecutive).not.toBe(first.result.accountExecutive);
    const c = await newLead();
    expect((await runTool(tool('sales_book_demo'), { leadId: c.leadId, startsAt }, newCall())).errorCode).toBe('SLOT_TAKEN');
    const slots = await runTool<{ slots: { startsAt: string }[] }>(tool('sales_find_demo_slots'), { date: monday.date }, newCall());
    expect(slots.result.slots.map((s) => s.startsAt)).not.toContain(startsAt);
  });

  it('returns the same demo to a lead who confirms twice, and refuses a second demo', async () => {
    const lead = await newLead();
    const first = await runTool<{ demoId: number }>(tool('sales_book_demo'), { leadId: lead.leadId, startsAt: 'tuesday 10:00' }, newCall());
    const again = await runTool<{ demoId: number; alreadyBooked: boolean }>(tool('sales_book_demo'), { leadId: lead.leadId, startsAt: `${plusDays(monday.date, 1)}T10:00` }, newCall());
    expect(again.result).toMatchObject({ demoId: first.result.demoId, alreadyBooked: true });
    expect((await runTool(tool('sales_book_demo'), { leadId: lead.leadId, startsAt: 'tuesday 11:00' }, newCall())).errorCode).toBe('ALREADY_HAS_DEMO');
  });

  it('refuses off-grid times and unknown leads; the database refuses a rep double-booked', async () => {
    const lead = await newLead();
    expect((await runTool(tool('sales_book_demo'), { leadId: lead.leadId, startsAt: `${monday.date}T13:15` }, newCall())).errorCode).toBe('NOT_A_DEMO_TIME');
    expect((await runTool(tool('sales_book_demo'), { leadId: lead.leadId, startsAt: `${monday.date}T10:00` }, newCall())).errorCode).toBe('NOT_A_DEMO_TIME');
    expect((await runTool(tool('sales_book_demo'), { leadId: 999999, startsAt: `${monday.date}T15:00` }, newCall())).errorCode).toBe('LEAD_NOT_FOUND');
    const other = await newLead();
    await t.exec(`INSERT INTO demos (lead_id, rep_id, starts_at, ends_at) VALUES (${lead.leadId}, 1, ('${monday.date} 15:30'::timestamp AT TIME ZONE '${TZ}'), ('${monday.date} 16:00'::timestamp AT TIME ZONE '${TZ}'))`);
    await expect(t.exec(`INSERT INTO demos (lead_id, rep_id, starts_at, ends_at) VALUES (${other.leadId}, 1, ('${monday.date} 15:45'::timestamp AT TIME ZONE '${TZ}'), ('${monday.date} 16:15'::timestamp AT TIME ZONE '${TZ}'))`))
      .rejects.toMatchObject({ code: '23P01' });
  });

  it('books and moves a demo by the lead\'s phone alone', async () => {
    const lead = await newLead();
    const booked = await runTool<{ demoId: number }>(tool('sales_book_demo'), { phone: lead.phone, startsAt: 'friday 10:00' }, newCall());
    expect(booked.status).toBe('ok');
    const moved = await runTool<{ demoId: number; when: string }>(tool('sales_reschedule_demo'), { phone: lead.phone, newStartsAt: 'friday 11:00' }, newCall());
    expect(moved.result.demoId).toBe(booked.result.demoId);
    expect(moved.result.when).toMatch(/^Friday, .* at 11:00 AM$/);
    expect((await runTool(tool('sales_reschedule_demo'), { phone: '+17205559998', newStartsAt: 'friday 11:30' }, newCall())).errorCode).toBe('DEMO_NOT_FOUND');
  });

  it('moves a demo for the lead\'s phone, and refuses a wrong phone, a full slot and a past demo', async () => {
    const lead = await newLead();
    const booked = await runTool<{ demoId: number }>(tool('sales_book_demo'), { leadId: lead.leadId, startsAt: 'wednesday 13:00' }, newCall());
    const demoId = booked.result.demoId;
    const moved = await runTool<{ when: string; previousWhen: string }>(tool('sales_reschedule_demo'), { demoId, phone: lead.phone, newStartsAt: 'wednesday 15:00' }, newCall());
    expect(moved.result.previousWhen).toMatch(/1:00 PM$/);
    expect(moved.result.when).toMatch(/^Wednesday, .* at 3:00 PM$/);
    expect((await runTool(tool('sales_reschedule_demo'), { demoId, phone: '+17205550000', newStartsAt: 'wednesday 15:30' }, newCall())).errorCode).toBe('DEMO_NOT_FOUND');
    // Fill both account executives at Thursday 11:00.
    for (const other of [await newLead(), await newLead()]) {
      expect((await runTool(tool('sales_book_demo'), { leadId: other.leadId, startsAt: 'thursday 11:00' }, newCall())).status).toBe('ok');
    }
    expect((await runTool(tool('sales_reschedule_demo'), { demoId, phone: lead.phone, newStartsAt: 'thursday 11:00' }, newCall())).errorCode).toBe('SLOT_TAKEN');
    const later = newCall({ at: new Date(monday.at.getTime() + 4 * 24 * 3600_000) });
    expect((await runTool(tool('sales_reschedule_demo'), { demoId, phone: lead.phone, newStartsAt: 'monday 13:00' }, later)).errorCode).toBe('DEMO_IN_PAST');
  });
});

describe('sales_handle_objection', () => {
  it('finds the approved answer from the caller\'s words, or by category', async () => {
    const price = await runTool<{ category: string; proofPoint: string; followUpQuestion: string }>(
      tool('sales_handle_objection'), { objection: 'Honestly it sounds too expensive for us' }, newCall(),
    );
    expect(price.result.category).toBe('price');
    expect(price.result.proofPoint).toMatch(/Northstar Heating/);
    const comp = await runTool<{ category: string }>(tool('sales_handle_objection'), { objection: 'We already have something', category: 'competitor' }, newCall());
    expect(comp.result.category).toBe('competitor');
  });

  it('admits there is no playbook answer rather than inventing one', async () => {
    expect((await runTool(tool('sales_handle_objection'), { objection: 'I do not like the colour blue' }, newCall())).errorCode).toBe('NO_PLAYBOOK');
  });
});

describe('sales_transfer_to_rep', () => {
  it('transfers to an account executive inside their hours, the lead\'s own first', async () => {
    const call = newCall();
    const res = await runTool<{ to: string }>(tool('sales_transfer_to_rep'), { reason: 'Ready to buy 12 Pro seats' }, call);
    expect(res.result).toEqual({ transferred: true, to: 'Jamie Ortiz' });
    expect(call.call.transfers[0]).toMatchObject({ to: '+15550100611', reason: 'Ready to buy 12 Pro seats' });
    await t.exec(`UPDATE leads SET owner_rep_id = 2 WHERE phone = '+17205550150'`);
    const { rows } = await t.db.query<{ id: number }>(`SELECT id FROM leads WHERE phone = '+17205550150'`);
    const at11 = newCall({ at: new Date(monday.at.getTime() + 2 * 3600_000) });
    const owned = await runTool<{ to: string }>(tool('sales_transfer_to_rep'), { reason: 'Question', leadId: rows[0]!.id }, at11);
    expect(owned.result.to).toBe('Morgan Reeves');
  });

  it('refuses when nobody is working, without live call control, and for an unknown lead', async () => {
    const saturday = newCall({ at: new Date(monday.at.getTime() + 5 * 24 * 3600_000) });
    expect((await runTool(tool('sales_transfer_to_rep'), { reason: 'Question' }, saturday)).errorCode).toBe('NO_REP_AVAILABLE');
    expect((await runTool(tool('sales_transfer_to_rep'), { reason: 'Question' }, newCall({ call: false }))).errorCode).toBe('TRANSFER_UNAVAILABLE');
    expect((await runTool(tool('sales_transfer_to_rep'), { reason: 'Question', leadId: 999999 }, newCall())).errorCode).toBe('LEAD_NOT_FOUND');
  });
});
