/**
 * After-hours tools against real Postgres (schema + seed of verticals/after-hours): every tool and
 * its refusals, and the safety guarantee: a true emergency always ends with the caller told to
 * call emergency services or connected to a person.
 */
import { afterHoursTools, DANGER_SIGNS } from '../../tools/after-hours/index.js';
import {
  localInstant, openVerticalDb, plusDays, runTool, testCall, toolFrom, type TestCall, type VerticalTestDb,
} from './tools-real-estate.helpers.js';

const tool = toolFrom(afterHoursTools);
const TZ = 'America/Chicago';

let t: VerticalTestDb;
/** Wednesday 22:00 in Minneapolis: office closed, technician Dev (tier 1) and supervisor Carl (tier 2) on call. */
let night: { date: string; at: Date };
/** Wednesday 10:00: office open, the dispatcher is tier 1. */
let morning: { date: string; at: Date };

beforeAll(async () => {
  t = await openVerticalDb('after-hours');
  night = await localInstant(t.db, TZ, 3, '22:00', 1);
  morning = await localInstant(t.db, TZ, 3, '10:00', 1);
});

afterAll(async () => {
  await t.close();
});

const newCall = (options?: { sms?: boolean; call?: boolean; at?: Date }): TestCall =>
  testCall(t.db, 'after-hours', options?.at ?? night.at, options);

const caller = { callerName: 'Erin Sandoval', callbackNumber: '612-555-0181', address: '3120 Bryant Avenue South, 55408' };

describe('the after-hours family', () => {
  it('has 9 tools, all named ah_*', () => {
    expect(afterHoursTools).toHaveLength(9);
    expect(new Set(afterHoursTools.map((d) => d.name)).size).toBe(9);
    for (const d of afterHoursTools) expect(d.name).toMatch(/^ah_[a-z_]+$/);
  });
});

describe('ah_triage', () => {
  it('sends a burst pipe to the on-call technician with safety steps and the dispatch fee', async () => {
    const res = await runTool<{ level: string; action: string; say: string; dispatchFeeText: string }>(
      tool('ah_triage'), { category: 'burst_pipe', description: 'Water pouring from the ceiling', postalCode: '55408' }, newCall(),
    );
    expect(res.result).toMatchObject({ level: 'urgent', action: 'page_on_call' });
    expect(res.result.say).toMatch(/main water valve/);
    expect(res.result.dispatchFeeText).toMatch(/^\$149 /);
  });

  it('keeps routine problems for the next business day', async () => {
    const res = await runTool<{ level: string; action: string }>(tool('ah_triage'), { category: 'no hot water', description: 'No hot water since this evening' }, newCall());
    expect(res.result).toMatchObject({ level: 'routine', action: 'next_business_day' });
  });

  it('tells a caller who smells gas to get out and call 911 and the gas utility', async () => {
    const res = await runTool<{ level: string; action: string; say: string; gasUtility: { name: string } }>(
      tool('ah_triage'), { category: 'gas_smell', description: 'Strong gas smell in the basement' }, newCall(),
    );
    expect(res.result).toMatchObject({ level: 'life_safety', action: 'call_emergency_services' });
    expect(res.result.say).toMatch(/^Please get everyone out of the building now and call 911/);
    expect(res.result.say).toMatch(/Northern Lights Gas/);
    expect(res.result.gasUtility.name).toBe('Northern Lights Gas');
  });

  it('makes every category life-safety when any danger sign is reported', async () => {
    const { rows } = await t.db.query<{ code: string }>('SELECT code FROM triage_categories');
    for (const { code } of rows) {
      for (const sign of DANGER_SIGNS) {
        const res = await runTool<{ level: string; action: string; say: string }>(
          tool('ah_triage'), { category: code, dangerSigns: [sign], description: 'test' }, newCall(),
        );
        expect([code, sign, res.result.level, res.result.action]).toEqual([code, sign, 'life_safety', 'call_emergency_services']);
        expect(res.result.say).toContain('call 911');
      }
    }
  });

  it('never lets the categories table talk a danger sign down', async () => {
    await t.exec(`UPDATE triage_categories SET level = 'routine' WHERE code = 'no_heat'`);
    try {
      const res = await runTool<{ level: string }>(
        tool('ah_triage'), { category: 'no_heat', dangerSigns: ['carbon_monoxide_alarm'], description: 'Furnace off and the CO alarm is beeping' }, newCall(),
      );
      expect(res.result.level).toBe('life_safety');
    } finally {
      await t.exec(`UPDATE triage_categories SET level = 'urgent' WHERE code = 'no_heat'`);
    }
  });

  it('answers a danger sign even when the category is unknown, and refuses an unknown category otherwise', async () => {
    const danger = await runTool<{ level: string }>(tool('ah_triage'), { category: 'weird noise', dangerSigns: ['smoke_or_fire'], description: 'Smoke from the furnace' }, newCall());
    expect(danger.result.level).toBe('life_safety');
    const unknown = await runTool(tool('ah_triage'), { category: 'weird noise', description: 'Knocking in the pipes' }, newCall());
    expect(unknown.errorCode).toBe('UNKNOWN_CATEGORY');
    expect(unknown.output).toMatch(/burst_pipe/);
  });

  it('records each assessment and refuses a malformed ZIP code', async () => {
    const call = newCall();
    await runTool(tool('ah_triage'), { category: 'sewage_backup', description: 'Basement drain backing up' }, call);
    const { rows } = await t.db.query<{ level: string }>('SELECT level FROM triage_assessments WHERE call_id = $1', [call.callId]);
    expect(rows).toEqual([{ level: 'urgent' }]);
    expect((await runTool(tool('ah_triage'), { category: 'burst_pipe', description: 'Leak', postalCode: 'ABCDE' }, newCall())).errorCode).toBe('INVALID_POSTAL_CODE');
  });
});

describe('ah_page_on_call', () => {
  const page = (call: TestCall) => runTool<{ reached: boolean; method: string; onCall: string | null; say: string; pageId: number }>(
    tool('ah_page_on_call'), { category: 'burst_pipe', ...caller, summary: 'Burst pipe in the basement, main valve is off.' }, call,
  );

  it('warm-transfers to the tier 1 technician on the rotation', async () => {
    const call = newCall();
    const res = await page(call);
    expect(res.result).toMatchObject({ reached: true, method: 'transfer', onCall: 'Dev, on-call technician' });
    expect(call.call.transfers).toEqual([expect.objectContaining({ to: '+15550100413' })]);
    expect(call.call.transfers[0]!.reason).toMatch(/Burst pipe or active flooding: Burst pipe in the basement/);
    const { rows } = await t.db.query<{ outcome: string; staff_id: number; callback_number: string }>('SELECT outcome, staff_id, callback_number FROM pages WHERE id = $1', [res.result.pageId]);
    expect(rows[0]).toEqual({ outcome: 'transferred', staff_id: 3, callback_number: '+16125550181' });
  });

  it('goes to the dispatcher during office hours', async () => {
    const call = newCall({ at: morning.at });
    await page(call);
    expect(call.call.transfers[0]!.to).toBe('+15550100414');
  });

  it('falls back to the tier 2 supervisor when tier 1 does not connect', async () => {
    const call = newCall();
    const tried: string[] = [];
    call.call.transfer = async (to: string) => {
      tried.push(to);
      if (to === '+15550100413') throw new Error('no answer');
    };
    const res = await page(call);
    expect(tried).toEqual(['+15550100413', '+15550100415']);
    expect(res.result).toMatchObject({ reached: true, onCall: 'Carl, on-call supervisor' });
  });

  it('pages both tiers by SMS when no transfer connects, and still mentions 911', async () => {
    const call = newCall();
    call.call.transfer = async () => { throw new Error('no answer'); };
    const res = await page(call);
    expect(res.result).toMatchObject({ reached: false, method: 'sms' });
    expect(res.result.say).toMatch(/within 15 minutes/);
    expect(res.result.say).toMatch(/call 911/);
    expect(call.sms.sent.map((m) => m.to)).toEqual(['+15550100413', '+15550100415']);
    expect(call.sms.sent[0]!.body).toContain('+16125550181');
  });

  it('tells the caller to call 911 if in danger and flags the manager when nobody can be reached', async () => {
    const call = newCall({ call: false });
    call.sms.failWith = new Error('carrier down');
    const res = await page(call);
    expect(res.result).toMatchObject({ reached: false, method: 'none', onCall: null });
    expect(res.result.say).toMatch(/If anyone is in danger, hang up and call 911 now/);
    const { rows } = await t.db.query<{ for_team: string; urgency: string }>('SELECT for_team, urgency FROM messages WHERE call_id = $1', [call.callId]);
    expect(rows).toEqual([{ for_team: 'manager', urgency: 'high' }]);
    const pages = await t.db.query<{ outcome: string }>('SELECT outcome FROM pages WHERE id = $1', [res.result.pageId]);
    expect(pages.rows[0]!.outcome).toBe('unreachable');
  });

  it('follows a schedule override, and skips inactive staff', async () => {
    await t.exec(`INSERT INTO on_call_overrides (tier, staff_id, starts_at, ends_at, reason)
                  VALUES (1, 2, '${night.at.toISOString()}'::timestamptz - interval '1 hour', '${night.at.toISOString()}'::timestamptz + interval '1 hour', 'swap')`);
    try {
      const call = newCall();
      await page(call);
      expect(call.call.transfers[0]!.to).toBe('+15550100412');
    } finally {
      await t.exec('DELETE FROM on_call_overrides');
    }
    await t.exec('UPDATE staff SET active = false WHERE id = 3');
    try {
      const call = newCall();
      await page(call);
      expect(call.call.transfers[0]!.to).toBe('+15550100415');
    } finally {
      await t.exec('UPDATE staff SET active = true WHERE id = 3');
    }
  });

  it('the database refuses two people on the same tier at the same time', async () => {
    await expect(t.exec('INSERT INTO on_call_rotation (id, tier, weekday, start_minute, end_minute, staff_id) VALUES (999, 1, 3, 1000, 1100, 2)'))
      .rejects.toMatchObject({ code: '23P01' });
    await t.exec(`INSERT INTO on_call_overrides (tier, staff_id, starts_at, ends_at) VALUES (2, 1, '2030-01-01T00:00Z', '2030-01-02T00:00Z')`);
    await expect(t.exec(`INSERT INTO on_call_overrides (tier, staff_id, starts_at, ends_at) VALUES (2, 3, '2030-01-01T12:00Z', '2030-01-03T00:00Z')`))
      .rejects.toMatchObject({ code: '23P01' });
    await t.exec('DELETE FROM on_call_overrides');
  });

  it('covers every minute of the week with both tiers', async () => {
    const { rows } = await t.db.query<{ tier: number; weekday: number; minutes: number }>(
      'SELECT tier, weekday, sum(end_minute - start_minute)::int AS minutes FROM on_call_rotation GROUP BY tier, weekday',
    );
    expect(rows).toHaveLength(14);
    for (const r of rows) expect(r.minutes).toBe(1440);
  });

  it('refuses an incomplete callback number', async () => {
    const res = await runTool(tool('ah_page_on_call'), { category: 'burst_pipe', ...caller, callbackNumber: '555 0181', summary: 'Burst pipe' }, newCall());
    expect(res.errorCode).toBe('INVALID_PHONE');
  });
});

describe('ah_business_info and ah_answer_faq', () => {
  it('says the office is closed at night, when it opens, and the dispatch fee', async () => {
    const res = await runTool<{ officeOpenNow: boolean; nextOpening: string; emergencyDispatchFeeText: string; services: { name: string; availableAfterHours: boolean }[] }>(
      tool('ah_business_info'), {}, newCall(),
    );
    expect(res.result.officeOpenNow).toBe(false);
    expect(res.result.nextOpening).toBe('Thursday at 8:00 AM');
    expect(res.result.emergencyDispatchFeeText).toMatch(/^\$149 for an emergency visit/);
    expect(res.result.services).toContainEqual(expect.objectContaining({ name: 'Drain cleaning', availableAfterHours: false }));
  });

  it('checks the service area by ZIP code and refuses a malformed one', async () => {
    const inArea = await runTool<{ serviceArea: unknown }>(tool('ah_business_info'), { postalCode: '55408' }, newCall({ at: morning.at }));
    expect(inArea.result.serviceArea).toEqual({ postalCode: '55408', served: true, city: 'Minneapolis' });
    const outside = await runTool<{ serviceArea: { served: boolean } }>(tool('ah_business_info'), { postalCode: '90210' }, newCall());
    expect(outside.result.serviceArea.served).toBe(false);
    expect((await runTool(tool('ah_business_info'), { postalCode: 'north' }, newCall())).errorCode).toBe('INVALID_POSTAL_CODE');
  });

  it('answers questions from the written FAQ and admits when it has no answer', async () => {
    const fee = await runTool<{ topic: string; answer: string }>(tool('ah_answer_faq'), { question: 'How much do you charge for coming out at night?' }, newCall());
    expect(fee.result.topic).toBe('after_hours_fee');
    const pay = await runTool<{ topic: string }>(tool('ah_answer_faq'), { question: 'Can I pay by credit card?' }, newCall());
    expect(pay.result.topic).toBe('payment_methods');
    expect((await runTool(tool('ah_answer_faq'), { question: 'Do you deliver pizza?' }, newCall())).errorCode).toBe('NO_ANSWER');
  });
});

describe('ah_take_message', () => {
  it('stores a message for a team and says when to expect a call', async () => {
    const call = newCall();
    const res = await runTool<{ messageId: number; expectCallFrom: string; callbackNumber: string }>(tool('ah_take_message'), {
      callerName: 'Paul Hendricks', callbackNumber: '+15550100482', forTeam: 'scheduling', subject: 'Water heater quote',
      message: 'Would like a quote to replace a 40 gallon water heater.',
    }, call);
    expect(res.result.expectCallFrom).toBe('the office, after it opens Thursday at 8:00 AM');
    expect(res.result.callbackNumber).toBe('ending in 0482');
    const { rows } = await t.db.query<{ for_team: string; urgency: string }>('SELECT for_team, urgency FROM messages WHERE id = $1', [res.result.messageId]);
    expect(rows[0]).toEqual({ for_team: 'scheduling', urgency: 'normal' });
  });

  it('refuses an incomplete callback number', async () => {
    const res = await runTool(tool('ah_take_message'), { callerName: 'Paul', callbackNumber: '0482', forTeam: 'office', subject: 'Hi', message: 'Call me' }, newCall());
    expect(res.errorCode).toBe('INVALID_ARGUMENTS');
    const res2 = await runTool(tool('ah_take_message'), { callerName: 'Paul', callbackNumber: '555 0482', forTeam: 'office', subject: 'Hi', message: 'Call me' }, newCall());
    expect(res2.errorCode).toBe('INVALID_PHONE');
  });
});

describe('callbacks', () => {
  const thursday = (): string => plusDays(night.date, 1);

  it('offers the next open day\'s quarter hours when no day is given', async () => {
    const res = await runTool<{ date: string; slots: { startsAt: string; time: string }[] }>(tool('ah_find_callback_slots'), {}, newCall());
    expect(res.result.date).toBe(thursday());
    expect(res.result.slots[0]).toEqual({ startsAt: `${thursday()}T08:00`, time: '8:00 AM' });
    expect(res.result.slots[1]!.time).toBe('8:15 AM');
  });

  it('points from a closed Sunday to Monday', async () => {
    const res = await runTool<{ slots: unknown[]; nextAvailable: { date: string } }>(tool('ah_find_callback_slots'), { date: 'sunday' }, newCall());
    expect(res.result.slots).toEqual([]);
    expect(res.result.nextAvailable.date).toBe(plusDays(night.date, 5));
  });

  it('refuses impossible, past and far-off days', async () => {
    expect((await runTool(tool('ah_find_callback_slots'), { date: '2031-04-31' }, newCall())).errorCode).toBe('INVALID_DATE');
    expect((await runTool(tool('ah_find_callback_slots'), { date: plusDays(night.date, -1) }, newCall())).errorCode).toBe('DATE_IN_PAST');
    expect((await runTool(tool('ah_find_callback_slots'), { date: plusDays(night.date, 30) }, newCall())).errorCode).toBe('TOO_FAR_AHEAD');
  });

  it('books a callback once per slot, returns the same booking to the same caller, and refuses others', async () => {
    const args = { startsAt: 'thursday 8:00', callerName: 'Amina Yusuf', phone: '+15550100483', topic: 'billing', reason: 'Question about the furnace invoice' };
    const res = await runTool<{ callbackId: number; when: string; alreadyBooked: boolean }>(tool('ah_schedule_callback'), args, newCall());
    expect(res.result).toMatchObject({ alreadyBooked: false });
    expect(res.result.when).toMatch(/^Thursday, .* at 8:00 AM$/);
    const same = await runTool<{ callbackId: number; alreadyBooked: boolean }>(tool('ah_schedule_callback'), args, newCall());
    expect(same.result).toEqual(expect.objectContaining({ callbackId: res.result.callbackId, alreadyBooked: true }));
    const other = await runTool(tool('ah_schedule_callback'), { ...args, phone: '+15550100484' }, newCall());
    expect(other.errorCode).toBe('SLOT_TAKEN');
    const slots = await runTool<{ slots: { startsAt: string }[] }>(tool('ah_find_callback_slots'), { date: thursday() }, newCall());
    expect(slots.result.slots[0]!.startsAt).toBe(`${thursday()}T08:15`);
  });

  it('lets only one of two simultaneous bookings win, enforced by the database', async () => {
    const args = (phone: string) => ({ startsAt: `${thursday()}T09:00`, callerName: 'Someone', phone, topic: 'general', reason: 'Question' });
    const [a, b] = await Promise.all([
      runTool(tool('ah_schedule_callback'), args('+15550100491'), newCall()),
      runTool(tool('ah_schedule_callback'), args('+15550100492'), newCall()),
    ]);
    expect([a.status, b.status].sort()).toEqual(['error', 'ok']);
    await expect(t.exec(`INSERT INTO callbacks (caller_name, phone, topic, reason, starts_at, ends_at)
      VALUES ('X', '+15550100493', 'general', 'x', ('${thursday()} 09:05'::timestamp AT TIME ZONE '${TZ}'), ('${thursday()} 09:20'::timestamp AT TIME ZONE '${TZ}'))`))
      .rejects.toMatchObject({ code: '23P01' });
  });

  it('refuses times off the quarter hour or outside office hours', async () => {
    for (const startsAt of [`${thursday()}T08:05`, `${thursday()}T18:00`, 'sunday 10:00']) {
      const res = await runTool(tool('ah_schedule_callback'), { startsAt, callerName: 'A Person', phone: '+15550100494', topic: 'general', reason: 'Question' }, newCall());
      expect(res.errorCode).toBe('NOT_A_CALLBACK_TIME');
    }
  });
});

describe('billing', () => {
  it('looks up an invoice when the ZIP code matches, and knows an overdue one', async () => {
    const open = await runTool<{ balanceText: string; status: string; overdue: boolean }>(tool('ah_lookup_invoice'), { invoiceNumber: 20417, postalCode: '55408' }, newCall());
    expect(open.result).toMatchObject({ balanceText: '$1,845', status: 'open', overdue: false });
    const late = await runTool<{ balanceText: string; overdue: boolean }>(tool('ah_lookup_invoice'), { invoiceNumber: 20452, postalCode: '55105' }, newCall());
    expect(late.result).toMatchObject({ balanceText: '$318', overdue: true });
  });

  it('gives one refusal for a wrong ZIP code and an unknown invoice', async () => {
    const wrongZip = await runTool(tool('ah_lookup_invoice'), { invoiceNumber: 20417, postalCode: '55105' }, newCall());
    const unknown = await runTool(tool('ah_lookup_invoice'), { invoiceNumber: 99999, postalCode: '55408' }, newCall());
    expect(wrongZip.errorCode).toBe('INVOICE_NOT_FOUND');
    expect(unknown.output).toBe(wrongZip.output);
  });

  it('texts a payment link and records it', async () => {
    const call = newCall();
    const res = await runTool<{ sent: boolean; to: string }>(tool('ah_send_payment_link'), { invoiceNumber: 20417, postalCode: '55408', phone: '612 555 0181' }, call);
    expect(res.result).toEqual({ sent: true, to: 'ending in 0181', balanceText: '$1,845' });
    expect(call.sms.sent).toEqual([expect.objectContaining({ to: '+16125550181' })]);
    expect(call.sms.sent[0]!.body).toContain('https://pay.beaconplumbing.example/i/20417');
    const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM payment_link_requests WHERE call_id = $1', [call.callId]);
    expect(rows[0]!.n).toBe(1);
  });

  it('refuses paid and disputed invoices, and says so when texting fails', async () => {
    expect((await runTool(tool('ah_send_payment_link'), { invoiceNumber: 20388, postalCode: '55408', phone: '+16125550181' }, newCall())).errorCode).toBe('NOTHING_DUE');
    expect((await runTool(tool('ah_send_payment_link'), { invoiceNumber: 20460, postalCode: '55408', phone: '+16125550183' }, newCall())).errorCode).toBe('INVOICE_DISPUTED');
    expect((await runTool(tool('ah_send_payment_link'), { invoiceNumber: 20417, postalCode: '55408', phone: '+16125550181' }, newCall({ sms: false }))).errorCode).toBe('SMS_UNAVAILABLE');
    const failing = newCall();
    failing.sms.failWith = new Error('carrier down');
    const res = await runTool(tool('ah_send_payment_link'), { invoiceNumber: 20417, postalCode: '55408', phone: '+16125550181' }, failing);
    expect(res.errorCode).toBe('SMS_FAILED');
    expect(res.output).toMatch(/pay\.beaconplumbing\.example/);
  });
});
