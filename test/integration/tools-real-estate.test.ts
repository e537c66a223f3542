/**
 * Real-estate tools against real Postgres (schema + seed of verticals/real-estate): every tool,
 * its refusals, and the database rule that a property's tour slot cannot be double-booked.
 */
import { realEstateTools } from '../../tools/real-estate/index.js';
import {
  localInstant, openVerticalDb, plusDays, runTool, testCall, toolFrom, type TestCall, type VerticalTestDb,
} from './tools-real-estate.helpers.js';

const tool = toolFrom(realEstateTools);
const TZ = 'America/Los_Angeles';

let t: VerticalTestDb;
/** A Tuesday, 09:00 in Portland: office open, showings from 10:00, two hours' notice. */
let tuesday: { date: string; at: Date };
let sunday: { date: string; at: Date };

beforeAll(async () => {
  t = await openVerticalDb('real-estate');
  tuesday = await localInstant(t.db, TZ, 2, '09:00', 1);
  sunday = await localInstant(t.db, TZ, 7, '09:00', 1);
});

afterAll(async () => {
  await t.close();
});

const newCall = (options?: { sms?: boolean; call?: boolean; at?: Date }): TestCall =>
  testCall(t.db, 'real-estate', options?.at ?? tuesday.at, options);

const booker = { name: 'Casey Jordan', phone: '(555) 010-0777' };

describe('the real-estate family', () => {
  it('has 13 tools, all named re_*', () => {
    expect(realEstateTools).toHaveLength(13);
    expect(new Set(realEstateTools.map((d) => d.name)).size).toBe(13);
    for (const d of realEstateTools) expect(d.name).toMatch(/^re_[a-z_]+$/);
  });
});

describe('re_office_info', () => {
  it('reads contact details, hours and a policy from the database', async () => {
    const res = await runTool<{
      name: string; officeOpenNow: boolean; officeHours: { day: string; opens: string; closes: string }[];
      showingHours: { day: string }[]; policy: { topic: string; summary: string }; policyTopics: string[];
    }>(tool('re_office_info'), { topic: 'pets' }, newCall());
    expect(res.status).toBe('ok');
    expect(res.result.name).toBe('Harborview Realty');
    expect(res.result.officeOpenNow).toBe(true);
    expect(res.result.officeHours).toContainEqual({ day: 'Saturday', opens: '10:00 AM', closes: '4:00 PM' });
    expect(res.result.officeHours.map((h) => h.day)).not.toContain('Sunday');
    expect(res.result.showingHours.map((h) => h.day)).toContain('Sunday');
    expect(res.result.policy.summary).toMatch(/300 dollar refundable pet deposit/);
    expect(res.result.policyTopics).toContain('rental_application');
  });

  it('says the office is closed on a Sunday morning', async () => {
    const res = await runTool<{ officeOpenNow: boolean }>(tool('re_office_info'), {}, newCall({ at: sunday.at }));
    expect(res.result.officeOpenNow).toBe(false);
  });

  it('refuses a topic it has no policy for', async () => {
    const res = await runTool(tool('re_office_info'), { topic: 'commission splits' }, newCall());
    expect(res.errorCode).toBe('UNKNOWN_TOPIC');
  });
});

describe('re_search_listings', () => {
  it('finds active pet-friendly rentals under a budget', async () => {
    const res = await runTool<{ totalMatches: number; listings: { listingId: number; priceText: string }[] }>(
      tool('re_search_listings'), { kind: 'rental', area: 'Portland', maxPrice: 2000, petsAllowed: true }, newCall(),
    );
    expect(res.result.listings.map((l) => l.listingId)).toEqual([1101]);
    expect(res.result.listings[0]!.priceText).toBe('$1,850 a month');
  });

  it('leaves out sold and pending homes', async () => {
    const res = await runTool<{ listings: { listingId: number; status: string }[] }>(
      tool('re_search_listings'), { kind: 'sale', minBedrooms: 3 }, newCall(),
    );
    const ids = res.result.listings.map((l) => l.listingId);
    expect(ids).toEqual(expect.arrayContaining([1001, 1004, 1005]));
    expect(ids).not.toContain(1003);
    expect(ids).not.toContain(1008);
  });

  it('returns no matches rather than inventing one', async () => {
    const res = await runTool<{ totalMatches: number; listings: unknown[] }>(
      tool('re_search_listings'), { kind: 'sale', area: 'Beaverton' }, newCall(),
    );
    expect(res.result).toEqual({ totalMatches: 0, listings: [] });
  });

  it('refuses a price range upside down', async () => {
    const res = await runTool(tool('re_search_listings'), { kind: 'sale', minPrice: 700000, maxPrice: 500000 }, newCall());
    expect(res.errorCode).toBe('BAD_PRICE_RANGE');
  });
});

describe('re_get_listing', () => {
  it('gives the details of a listing by number', async () => {
    const res = await runTool<{ address: string; hoaMonthly: number; listingAgent: string; price: number }>(
      tool('re_get_listing'), { listingId: 1002 }, newCall(),
    );
    expect(res.result).toMatchObject({ address: '1200 Northwest Marshall Street, unit 804', hoaMonthly: 615, listingAgent: 'Priya Raman', price: 549000 });
  });

  it('finds a listing by street address words', async () => {
    const res = await runTool<{ listingId: number }>(tool('re_get_listing'), { address: '4417 Alberta' }, newCall());
    expect(res.result.listingId).toBe(1001);
  });

  it('asks which one when an address matches several active listings', async () => {
    const res = await runTool(tool('re_get_listing'), { address: '1200 Northwest Marshall' }, newCall());
    expect(res.errorCode).toBe('AMBIGUOUS_ADDRESS');
  });

  it('refuses without a number or address, and for an unknown listing', async () => {
    expect((await runTool(tool('re_get_listing'), {}, newCall())).errorCode).toBe('MISSING_LISTING');
    expect((await runTool(tool('re_get_listing'), { listingId: 9999 }, newCall())).errorCode).toBe('LISTING_NOT_FOUND');
  });
});

describe('re_home_valuation', () => {
  it('estimates from the median price per square foot of recent sales', async () => {
    const res = await runTool<{ estimate: number; low: number; high: number; comparablesUsed: number; pricePerSquareFoot: number }>(
      tool('re_home_valuation'), { neighborhood: 'alberta arts', propertyType: 'house', squareFeet: 1600 }, newCall(),
    );
    expect(res.status).toBe('ok');
    expect(res.result.comparablesUsed).toBe(4);
    // Alberta Arts $/sqft: 422.8, 409.9, 436.4, 395.1 → median 416.4 → about $666,000.
    expect(res.result.estimate).toBe(665000);
    expect(res.result.low).toBeLessThan(res.result.estimate);
    expect(res.result.high).toBeGreaterThan(res.result.estimate);
  });

  it('refuses an estimate from too few sales', async () => {
    const res = await runTool(tool('re_home_valuation'), { neighborhood: 'Sellwood', propertyType: 'house', squareFeet: 2000 }, newCall());
    expect(res.errorCode).toBe('NOT_ENOUGH_SALES');
  });
});

describe('re_find_tour_slots', () => {
  it('lists free half-hour slots inside showing hours after the notice period', async () => {
    const res = await runTool<{ slots: { startsAt: string; time: string }[]; day: string }>(
      tool('re_find_tour_slots'), { listingId: 1004, date: tuesday.date }, newCall(),
    );
    expect(res.status).toBe('ok');
    expect(res.result.day).toMatch(/^Tuesday, /);
    // 09:00 now + 2 hours' notice → 11:00 first; listed up to 8.
    expect(res.result.slots[0]).toEqual({ startsAt: `${tuesday.date}T11:00`, time: '11:00 AM' });
    expect(res.result.slots).toHaveLength(8);
  });

  it('understands "tomorrow" and weekday names in the office\'s time zone', async () => {
    const tomorrow = await runTool<{ date: string }>(tool('re_find_tour_slots'), { listingId: 1004, date: 'tomorrow' }, newCall());
    expect(tomorrow.result.date).toBe(plusDays(tuesday.date, 1));
    const friday = await runTool<{ date: string; day: string }>(tool('re_find_tour_slots'), { listingId: 1004, date: 'Friday' }, newCall());
    expect(friday.result.date).toBe(plusDays(tuesday.date, 3));
    expect(friday.result.day).toMatch(/^Friday, /);
    // A weekday name never means today.
    const nextTuesday = await runTool<{ date: string }>(tool('re_find_tour_slots'), { listingId: 1004, date: 'next tuesday' }, newCall());
    expect(nextTuesday.result.date).toBe(plusDays(tuesday.date, 7));
    expect((await runTool(tool('re_find_tour_slots'), { listingId: 1004, date: 'someday' }, newCall())).errorCode).toBe('INVALID_DATE');
  });

  it('suggests other days when the day is fully booked', async () => {
    // Fill the following Sunday's showing hours (12:00–16:00) for listing 1006.
    const sundayDate = plusDays(tuesday.date, 5);
    await t.exec(`
      INSERT INTO tours (listing_id, lead_id, starts_at, ends_at)
      SELECT 1006, 6001, (g AT TIME ZONE '${TZ}'), ((g + interval '30 minutes') AT TIME ZONE '${TZ}')
        FROM generate_series('${sundayDate} 12:00'::timestamp, '${sundayDate} 15:30'::timestamp, interval '30 minutes') AS g`);
    const res = await runTool<{ slots: unknown[]; alternatives: { date: string; firstTimes: { time: string }[] }[] }>(
      tool('re_find_tour_slots'), { listingId: 1006, date: sundayDate }, newCall(),
    );
    expect(res.result.slots).toEqual([]);
    expect(res.result.alternatives[0]).toMatchObject({ date: plusDays(sundayDate, 1) });
    expect(res.result.alternatives[0]!.firstTimes[0]!.time).toBe('10:00 AM');
  });

  it('refuses dates that do not exist, have passed, or are too far ahead', async () => {
    expect((await runTool(tool('re_find_tour_slots'), { listingId: 1001, date: '2031-02-30' }, newCall())).errorCode).toBe('INVALID_DATE');
    expect((await runTool(tool('re_find_tour_slots'), { listingId: 1001, date: plusDays(tuesday.date, -2) }, newCall())).errorCode).toBe('DATE_IN_PAST');
    expect((await runTool(tool('re_find_tour_slots'), { listingId: 1001, date: plusDays(tuesday.date, 45) }, newCall())).errorCode).toBe('TOO_FAR_AHEAD');
  });

  it('refuses listings that are not shown any more, or do not exist', async () => {
    expect((await runTool(tool('re_find_tour_slots'), { listingId: 1003, date: tuesday.date }, newCall())).errorCode).toBe('LISTING_UNAVAILABLE');
    expect((await runTool(tool('re_find_tour_slots'), { listingId: 9999, date: tuesday.date }, newCall())).errorCode).toBe('LISTING_NOT_FOUND');
  });
});

describe('re_book_tour', () => {
  it('books a free slot, creating the buyer lead, and refuses the same slot twice', async () => {
    const res = await runTool<{ tourId: number; leadId: number; when: string; tourPolicy: string }>(
      tool('re_book_tour'), { listingId: 1001, startsAt: `${tuesday.date}T14:00`, ...booker, attendees: 2 }, newCall(),
    );
    expect(res.status).toBe('ok');
    expect(res.result.when).toMatch(/^Tuesday, .* at 2:00 PM$/);
    expect(res.result.tourPolicy).toMatch(/photo ID/);
    const { rows } = await t.db.query<{ intent: string; phone: string }>('SELECT intent, phone FROM leads WHERE id = $1', [res.result.leadId]);
    expect(rows[0]).toEqual({ intent: 'buy', phone: '+15550100777' });

    const again = await runTool(tool('re_book_tour'), { listingId: 1001, startsAt: `${tuesday.date}T14:00`, name: 'Other Person', phone: '+15550100778' }, newCall());
    expect(again.errorCode).toBe('SLOT_TAKEN');
    // The same caller confirming twice gets the same tour back.
    const mine = await runTool<{ tourId: number; alreadyBooked: boolean }>(
      tool('re_book_tour'), { listingId: 1001, startsAt: `${tuesday.date}T14:00`, ...booker }, newCall(),
    );
    expect(mine.result).toMatchObject({ tourId: res.result.tourId, alreadyBooked: true });
    const slots = await runTool<{ slots: { startsAt: string }[] }>(tool('re_find_tour_slots'), { listingId: 1001, date: tuesday.date }, newCall());
    expect(slots.result.slots.map((s) => s.startsAt)).not.toContain(`${tuesday.date}T14:00`);
  });

  it('lets exactly one of two simultaneous bookings of a slot win (database-enforced)', async () => {
    const args = (name: string, phone: string) => ({ listingId: 1004, startsAt: `${tuesday.date}T15:00`, name, phone });
    const [a, b] = await Promise.all([
      runTool(tool('re_book_tour'), args('First Caller', '+15550100781'), newCall()),
      runTool(tool('re_book_tour'), args('Second Caller', '+15550100782'), newCall()),
    ]);
    expect([a.status, b.status].sort()).toEqual(['error', 'ok']);
    expect([a.errorCode, b.errorCode]).toContain('SLOT_TAKEN');
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tours WHERE listing_id = 1004 AND status = 'scheduled' AND starts_at = ($1::timestamp AT TIME ZONE '${TZ}')`,
      [`${tuesday.date} 15:00`],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('the database itself refuses an overlapping tour on the same property', async () => {
    await expect(t.exec(`
      INSERT INTO tours (listing_id, lead_id, starts_at, ends_at)
      VALUES (1004, 6001, ('${tuesday.date} 15:15'::timestamp AT TIME ZONE '${TZ}'), ('${tuesday.date} 15:45'::timestamp AT TIME ZONE '${TZ}'))`))
      .rejects.toMatchObject({ code: '23P01' });
  });

  it('books a rental tour as a renter lead, from a weekday and time in words', async () => {
    const res = await runTool<{ leadId: number; startsAt: string }>(tool('re_book_tour'), { listingId: 1102, startsAt: 'wednesday 16:00', ...booker }, newCall());
    expect(res.result.startsAt).toBe(`${plusDays(tuesday.date, 1)}T16:00`);
    const { rows } = await t.db.query<{ intent: string }>('SELECT intent FROM leads WHERE id = $1', [res.result.leadId]);
    expect(rows[0]!.intent).toBe('rent');
  });

  it('refuses off-grid, too-soon and out-of-hours times', async () => {
    for (const startsAt of [`${tuesday.date}T14:15`, `${tuesday.date}T10:00`, `${tuesday.date}T19:00`]) {
      const res = await runTool(tool('re_book_tour'), { listingId: 1005, startsAt, ...booker }, newCall());
      expect(res.errorCode).toBe('NOT_A_TOUR_TIME');
    }
    expect((await runTool(tool('re_book_tour'), { listingId: 1005, startsAt: `${tuesday.date}T25:00`, ...booker }, newCall())).errorCode).toBe('INVALID_TIME');
  });

  it('refuses an incomplete phone number and an unavailable listing', async () => {
    expect((await runTool(tool('re_book_tour'), { listingId: 1005, startsAt: `${tuesday.date}T12:00`, name: 'Casey Jordan', phone: '555-0100' }, newCall())).errorCode).toBe('INVALID_PHONE');
    expect((await runTool(tool('re_book_tour'), { listingId: 1008, startsAt: `${tuesday.date}T12:00`, ...booker }, newCall())).errorCode).toBe('LISTING_UNAVAILABLE');
  });
});

describe('re_reschedule_tour and re_cancel_tour', () => {
  async function book(startsAt: string, phone = '+15550100790'): Promise<number> {
    const res = await runTool<{ tourId: number }>(tool('re_book_tour'), { listingId: 1007, startsAt, name: 'Robin Vega', phone }, newCall());
    expect(res.status).toBe('ok');
    return res.result.tourId;
  }

  it('moves a tour to a free time and frees the old one', async () => {
    const tourId = await book(`${tuesday.date}T12:00`);
    const res = await runTool<{ startsAt: string; previousWhen: string; when: string }>(
      tool('re_reschedule_tour'), { tourId, phone: '555-010-0790', newStartsAt: `${tuesday.date}T13:00` }, newCall(),
    );
    expect(res.status).toBe('ok');
    expect(res.result.previousWhen).toMatch(/12:00 PM$/);
    expect(res.result.when).toMatch(/1:00 PM$/);
    const other = await runTool(tool('re_book_tour'), { listingId: 1007, startsAt: `${tuesday.date}T12:00`, name: 'Sam Other', phone: '+15550100791' }, newCall());
    expect(other.status).toBe('ok');
  });

  it('refuses a move onto a booked slot, a wrong phone, and a tour already past', async () => {
    const tourId = await book(`${tuesday.date}T16:00`, '+15550100792');
    expect((await runTool(tool('re_reschedule_tour'), { tourId, phone: '+15550100792', newStartsAt: `${tuesday.date}T13:00` }, newCall())).errorCode).toBe('SLOT_TAKEN');
    expect((await runTool(tool('re_reschedule_tour'), { tourId, phone: '+15550100000', newStartsAt: `${tuesday.date}T17:00` }, newCall())).errorCode).toBe('TOUR_NOT_FOUND');
    const late = newCall({ at: new Date(tuesday.at.getTime() + 8 * 3600_000) });
    expect((await runTool(tool('re_reschedule_tour'), { tourId, phone: '+15550100792', newStartsAt: plusDays(tuesday.date, 1) + 'T12:00' }, late)).errorCode).toBe('TOUR_IN_PAST');
  });

  it('finds the caller\'s tour by phone alone, and asks which one when there are several', async () => {
    await book(`${tuesday.date}T11:00`, '+15550100795');
    const moved = await runTool<{ when: string }>(tool('re_reschedule_tour'), { phone: '+15550100795', newStartsAt: `${tuesday.date}T11:30` }, newCall());
    expect(moved.result.when).toMatch(/11:30 AM$/);
    const second = await runTool(tool('re_book_tour'), { listingId: 1001, startsAt: `${tuesday.date}T17:30`, name: 'Robin Vega', phone: '+15550100795' }, newCall());
    expect(second.status).toBe('ok');
    const several = await runTool(tool('re_cancel_tour'), { phone: '+15550100795' }, newCall());
    expect(several.errorCode).toBe('SEVERAL_TOURS');
    const one = await runTool<{ address: string }>(tool('re_cancel_tour'), { phone: '+15550100795', listingId: 1001 }, newCall());
    expect(one.result.address).toBe('4417 Northeast Alberta Street');
    expect((await runTool(tool('re_cancel_tour'), { phone: '+15550100796' }, newCall())).errorCode).toBe('TOUR_NOT_FOUND');
  });

  it('cancels a tour once, freeing its slot', async () => {
    const tourId = await book(`${tuesday.date}T17:00`, '+15550100793');
    const res = await runTool<{ cancelled: boolean; when: string }>(tool('re_cancel_tour'), { tourId, phone: '+15550100793' }, newCall());
    expect(res.result.cancelled).toBe(true);
    expect(res.result.when).toMatch(/5:00 PM$/);
    expect((await runTool(tool('re_cancel_tour'), { tourId, phone: '+15550100793' }, newCall())).errorCode).toBe('TOUR_NOT_ACTIVE');
    expect((await runTool(tool('re_reschedule_tour'), { tourId, phone: '+15550100793', newStartsAt: `${tuesday.date}T17:30` }, newCall())).errorCode).toBe('TOUR_NOT_ACTIVE');
    expect((await runTool(tool('re_cancel_tour'), { tourId: 99999, phone: '+15550100793' }, newCall())).errorCode).toBe('TOUR_NOT_FOUND');
    const again = await runTool(tool('re_book_tour'), { listingId: 1007, startsAt: `${tuesday.date}T17:00`, name: 'Taylor New', phone: '+15550100794' }, newCall());
    expect(again.status).toBe('ok');
  });
});

describe('re_qualify_lead', () => {
  it('scores a ready buyer hot and assigns the on-duty buyer agent', async () => {
    const res = await runTool<{ leadId: number; score: number; grade: string; assignedAgent: string; followUp: string }>(
      tool('re_qualify_lead'), {
        name: 'Avery Stone', phone: '+15550100801', email: 'avery@example.com', intent: 'buy', timeline: 'asap',
        budgetMin: 500000, budgetMax: 650000, preApproved: true, areas: 'Hawthorne',
      }, newCall(),
    );
    expect(res.result).toMatchObject({ score: 90, grade: 'hot', assignedAgent: 'Marcus Lee', followUp: 'Marcus Lee will call you today.' });
  });

  it('updates the same lead on a second call and keeps its agent', async () => {
    const first = await runTool<{ leadId: number }>(tool('re_qualify_lead'), { name: 'Jo Park', phone: '+15550100802', intent: 'sell' }, newCall());
    const second = await runTool<{ leadId: number; grade: string; assignedAgent: string }>(
      tool('re_qualify_lead'), { name: 'Jo Park', phone: '+15550100802', intent: 'sell', timeline: '1_3_months', areas: 'Sellwood' }, newCall(),
    );
    expect(second.result.leadId).toBe(first.result.leadId);
    expect(second.result.assignedAgent).toBe('Priya Raman');
    expect(second.result.grade).toBe('warm');
  });

  it('refuses an inverted budget and an incomplete phone number', async () => {
    expect((await runTool(tool('re_qualify_lead'), { name: 'A B', phone: '+15550100803', intent: 'buy', budgetMin: 9e5, budgetMax: 5e5 }, newCall())).errorCode).toBe('BAD_BUDGET');
    expect((await runTool(tool('re_qualify_lead'), { name: 'A B', phone: '555 0100', intent: 'buy' }, newCall())).errorCode).toBe('INVALID_PHONE');
  });
});

describe('re_mortgage_prequal', () => {
  it('estimates a price from income, debts and down payment, and records it against the lead', async () => {
    const res = await runTool<{ maxPrice: number; monthlyPayment: number; ratePct: number; limitedBy: string; lender: { name: string } }>(
      tool('re_mortgage_prequal'), { annualIncome: 150000, monthlyDebts: 500, downPayment: 100000, phone: '+15550100380' }, newCall(),
    );
    expect(res.status).toBe('ok');
    expect(res.result.ratePct).toBe(6.625);
    expect(res.result.limitedBy).toBe('income');
    expect(res.result.maxPrice).toBeGreaterThan(500000);
    expect(res.result.maxPrice).toBeLessThan(600000);
    // The payment at the maximum price stays within 28% of gross monthly income.
    expect(res.result.monthlyPayment).toBeLessThanOrEqual(150000 / 12 * 0.28);
    expect(res.result.lender.name).toBe('Columbia Home Lending');
    const { rows } = await t.db.query<{ lead_id: number }>('SELECT lead_id FROM prequal_estimates ORDER BY id DESC LIMIT 1');
    expect(rows[0]!.lead_id).toBe(6001);
  });

  it('is limited by a small down payment', async () => {
    const res = await runTool<{ maxPrice: number; limitedBy: string }>(
      tool('re_mortgage_prequal'), { annualIncome: 250000, monthlyDebts: 0, downPayment: 10000, product: '7_1_arm' }, newCall(),
    );
    expect(res.result).toEqual(expect.objectContaining({ limitedBy: 'down_payment', maxPrice: 100000 }));
  });

  it('refuses when debts leave nothing for housing', async () => {
    const res = await runTool(tool('re_mortgage_prequal'), { annualIncome: 40000, monthlyDebts: 1500, downPayment: 20000 }, newCall());
    expect(res.errorCode).toBe('NOT_ENOUGH_INCOME');
  });
});

describe('re_offer_status', () => {
  it('tells the buyer a countered offer and the counter amount', async () => {
    const res = await runTool<{ status: string; counterAmount: number; counterText: string; buyerAgent: string }>(
      tool('re_offer_status'), { offerId: 3102, lastName: 'okafor' }, newCall(),
    );
    expect(res.result).toMatchObject({ status: 'countered', counterAmount: 668000, counterText: '$668,000', buyerAgent: 'Marcus Lee' });
  });

  it('gives the same refusal for a wrong name and an unknown offer', async () => {
    const wrongName = await runTool(tool('re_offer_status'), { offerId: 3102, lastName: 'Smith' }, newCall());
    const unknown = await runTool(tool('re_offer_status'), { offerId: 9999, lastName: 'Okafor' }, newCall());
    expect(wrongName.errorCode).toBe('OFFER_NOT_FOUND');
    expect(unknown.output).toBe(wrongName.output);
  });
});

describe('re_report_maintenance', () => {
  const tenant = { address: '4120 Southeast Woodstock', lastName: 'Morgan' };

  it('logs a routine repair for a verified tenant', async () => {
    const call = newCall();
    const res = await runTool<{ requestId: number; priority: string; action: string }>(
      tool('re_report_maintenance'), { ...tenant, category: 'appliance', description: 'Dishwasher will not drain', permissionToEnter: true }, call,
    );
    expect(res.result).toMatchObject({ priority: 'routine', action: 'logged' });
    expect(call.sms.sent).toHaveLength(0);
    const { rows } = await t.db.query<{ permission_to_enter: boolean }>('SELECT permission_to_enter FROM maintenance_requests WHERE id = $1', [res.result.requestId]);
    expect(rows[0]!.permission_to_enter).toBe(true);
  });

  it('alerts the property manager on duty by SMS for flooding', async () => {
    const call = newCall();
    const res = await runTool<{ requestId: number; priority: string; action: string }>(
      tool('re_report_maintenance'), { ...tenant, category: 'plumbing', description: 'Pipe burst under the sink', hazards: ['active_flooding'] }, call,
    );
    expect(res.result).toMatchObject({ priority: 'emergency', action: 'manager_alerted' });
    expect(call.sms.sent).toEqual([expect.objectContaining({ to: '+15550100314' })]);
    expect(call.sms.sent[0]!.body).toContain(`#${res.result.requestId}`);
    const { rows } = await t.db.query<{ manager_notified: boolean }>('SELECT manager_notified FROM maintenance_requests WHERE id = $1', [res.result.requestId]);
    expect(rows[0]!.manager_notified).toBe(true);
  });

  it('tells the caller to leave and call 911 for a gas smell, verified or not', async () => {
    const verified = await runTool<{ action: string; say: string; requestId: number | null }>(
      tool('re_report_maintenance'), { ...tenant, category: 'heating_cooling', description: 'Smells of gas by the furnace', hazards: ['gas_smell'] }, newCall(),
    );
    expect(verified.result.action).toBe('call_emergency_services');
    expect(verified.result.say).toMatch(/call 911/);
    expect(verified.result.requestId).not.toBeNull();
    const stranger = await runTool<{ action: string; say: string; requestId: number | null }>(
      tool('re_report_maintenance'), { address: '1 Nowhere Road', lastName: 'Nobody', category: 'other', description: 'Smoke in the hallway', hazards: ['smoke_or_fire'] }, newCall(),
    );
    expect(stranger.status).toBe('ok');
    expect(stranger.result).toMatchObject({ action: 'call_emergency_services', requestId: null });
  });

  it('says the manager was not reached when the SMS fails', async () => {
    const call = newCall();
    call.sms.failWith = new Error('carrier down');
    const res = await runTool<{ action: string; say: string }>(
      tool('re_report_maintenance'), { ...tenant, category: 'heating_cooling', description: 'No heat at all', hazards: ['no_heat'] }, call,
    );
    expect(res.result.action).toBe('manager_not_reached');
    expect(res.result.say).toMatch(/911/);
  });

  it('refuses a non-emergency request it cannot match to a current lease', async () => {
    const res = await runTool(tool('re_report_maintenance'), { address: '4120 Southeast Woodstock', lastName: 'Smith', category: 'pest', description: 'Ants in the kitchen' }, newCall());
    expect(res.errorCode).toBe('LEASE_NOT_FOUND');
  });
});

describe('re_transfer_to_human', () => {
  it('transfers to the on-duty person of the department during office hours', async () => {
    const call = newCall();
    const res = await runTool<{ to: string; role: string }>(tool('re_transfer_to_human'), { department: 'selling', reason: 'Wants to list a house' }, call);
    expect(res.result).toEqual({ transferred: true, to: 'Priya Raman', role: 'listing_agent' });
    expect(call.call.transfers).toEqual([expect.objectContaining({ to: '+15550100312', reason: 'Wants to list a house' })]);
  });

  it('refuses outside office hours', async () => {
    const call = newCall({ at: sunday.at });
    const res = await runTool(tool('re_transfer_to_human'), { department: 'buying', reason: 'Question' }, call);
    expect(res.errorCode).toBe('OFFICE_CLOSED');
    expect(call.call.transfers).toHaveLength(0);
  });

  it('refuses without live call control, and reports a failed transfer', async () => {
    expect((await runTool(tool('re_transfer_to_human'), { department: 'general', reason: 'Question' }, newCall({ call: false }))).errorCode).toBe('TRANSFER_UNAVAILABLE');
    const call = newCall();
    call.call.transfer = async () => { throw new Error('busy'); };
    expect((await runTool(tool('re_transfer_to_human'), { department: 'renting', reason: 'Question' }, call)).errorCode).toBe('TRANSFER_FAILED');
  });
});
