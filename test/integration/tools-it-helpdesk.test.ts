/**
 * IT service desk tools against real Postgres and PGlite: identity (employee ID + PIN),
 * password reset links by SMS, unlocks, service status, devices, tickets and tier-2 escalation,
 * including every refusal.
 */
import { itHelpdeskTools } from '../../tools/it-helpdesk/index.js';
import {
  openVerticalDb, pgliteTarget, postgresTarget, runTool, testCall, toolFrom, type StoreTarget, type TestCall, type VerticalTestDb,
} from './tools-healthcare.helpers.js';

const SETUP_TIMEOUT_MS = 120_000;
// Monday 4 March 2030, 10:00 at the desk (America/Chicago, UTC-6): tier 2 is staffed.
const NOW = new Date('2030-03-04T16:00:00Z');
// Saturday 9 March 2030, 10:00: tier 2 is not.
const SATURDAY = new Date('2030-03-09T16:00:00Z');
// While the seeded laptops are still under warranty.
const DEC_2026 = new Date('2026-12-01T16:00:00Z');

const JORDAN = { employeeId: 'E10234', pin: '482913' };
const SAMIRA = { employeeId: 'E10457', pin: '265804' };
const LEO = { employeeId: 'E10589', pin: '119407' };
const PATRICIA = { employeeId: 'E10001', pin: '730155' };
const TOM = { employeeId: 'E10777', pin: '555019' };

const tool = toolFrom(itHelpdeskTools);

describe('the it-helpdesk family', () => {
  it('has exactly 10 tools, all named it_*', () => {
    expect(itHelpdeskTools).toHaveLength(10);
    expect(new Set(itHelpdeskTools.map((d) => d.name)).size).toBe(10);
    for (const d of itHelpdeskTools) expect(d.name).toMatch(/^it_[a-z0-9_]+$/);
  });
});

describe.each<StoreTarget>([postgresTarget, pgliteTarget])('IT service desk tools on $name', (target) => {
  let t: VerticalTestDb;

  beforeAll(async () => {
    t = await openVerticalDb('it-helpdesk', target);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await t.close();
  });

  const newCall = (options?: { sms?: boolean; call?: boolean }, now = NOW): TestCall => testCall(t.db, 'it-helpdesk', now, options);

  async function verified(who: { employeeId: string; pin: string }, options?: { sms?: boolean; call?: boolean }, now = NOW): Promise<TestCall> {
    const call = newCall(options, now);
    const res = await runTool<{ verified: boolean }>(tool('it_verify_employee'), who, call);
    expect(res.result.verified).toBe(true);
    return call;
  }

  describe('it_verify_employee', () => {
    it('verifies employee ID and PIN, accepting how people say the ID', async () => {
      const call = newCall();
      const res = await runTool(tool('it_verify_employee'), { employeeId: 'e 10234', pin: '482913' }, call);
      expect(res.result).toEqual({ verified: true, employeeId: 'E10234', name: 'Jordan Miles', attemptsRemaining: 3 });
      const { rows } = await t.db.query('SELECT employee_id FROM identity_verifications WHERE call_id = $1', [call.callId]);
      expect(rows).toEqual([{ employee_id: 'E10234' }]);
    });

    it('answers a wrong PIN and an unknown ID the same way, then locks the call', async () => {
      const call = newCall();
      const wrong = await runTool(tool('it_verify_employee'), { employeeId: 'E10234', pin: '000000' }, call);
      const unknown = await runTool(tool('it_verify_employee'), { employeeId: 'E99999', pin: '482913' }, call);
      expect(wrong.result).toEqual({ verified: false, attemptsRemaining: 2 });
      expect(unknown.result).toEqual({ verified: false, attemptsRemaining: 1 });
      await runTool(tool('it_verify_employee'), { employeeId: 'E10234', pin: '111111' }, call);
      const locked = await runTool(tool('it_verify_employee'), JORDAN, call);
      expect(locked.errorCode).toBe('IDENTITY_LOCKED');
    });

    it('locks an employee after five misses in an hour across calls', async () => {
      for (let i = 0; i < 5; i += 1) await runTool(tool('it_verify_employee'), { employeeId: 'E10612', pin: '000000' }, newCall());
      const res = await runTool(tool('it_verify_employee'), { employeeId: 'E10612', pin: '908142' }, newCall());
      expect(res.errorCode).toBe('IDENTITY_LOCKED');
      // An hour later the right PIN works again.
      const later = await runTool<{ verified: boolean }>(tool('it_verify_employee'), { employeeId: 'E10612', pin: '908142' }, newCall(undefined, new Date(NOW.getTime() + 3700_000)));
      expect(later.result.verified).toBe(true);
    });

    it('refuses an employee without a PIN, a terminated employee and a malformed ID', async () => {
      expect((await runTool(tool('it_verify_employee'), { employeeId: 'E10820', pin: '123456' }, newCall())).errorCode).toBe('NO_PIN_SET');
      expect((await runTool(tool('it_verify_employee'), TOM, newCall())).errorCode).toBe('EMPLOYEE_INACTIVE');
      expect((await runTool(tool('it_verify_employee'), { employeeId: 'jordan', pin: '482913' }, newCall())).errorCode).toBe('INVALID_EMPLOYEE_ID');
      expect((await runTool(tool('it_verify_employee'), { employeeId: 'E10234', pin: '4829' }, newCall())).status).toBe('invalid_arguments');
    });
  });

  describe('it_unlock_account', () => {
    it('unlocks a locked account and records it', async () => {
      const call = await verified(JORDAN);
      const res = await runTool(tool('it_unlock_account'), { employeeId: 'E10234' }, call);
      expect(res.result).toEqual({ unlocked: true, system: 'directory', status: 'active' });
      const { rows } = await t.db.query(`SELECT status, failed_logins, locked_at FROM accounts WHERE employee_id = 'E10234' AND system = 'directory'`);
      expect(rows).toEqual([{ status: 'active', failed_logins: 0, locked_at: null }]);
      const events = await t.db.query(`SELECT action FROM account_events WHERE call_id = $1`, [call.callId]);
      expect(events.rows).toEqual([{ action: 'unlock' }]);
      const again = await runTool(tool('it_unlock_account'), { employeeId: 'E10234' }, call);
      expect(again.result).toEqual({ unlocked: false, system: 'directory', status: 'active' });
    });

    it('unlocks the VPN account when asked', async () => {
      const res = await runTool(tool('it_unlock_account'), { employeeId: 'E10457', system: 'vpn' }, await verified(SAMIRA));
      expect(res.result).toMatchObject({ unlocked: true, system: 'vpn' });
    });

    it('refuses an unverified caller, another employee, a missing account and a disabled one', async () => {
      expect((await runTool(tool('it_unlock_account'), { employeeId: 'E10234' }, newCall())).errorCode).toBe('IDENTITY_NOT_VERIFIED');
      const samira = await verified(SAMIRA);
      expect((await runTool(tool('it_unlock_account'), { employeeId: 'E10234' }, samira)).errorCode).toBe('IDENTITY_NOT_VERIFIED');
      expect((await runTool(tool('it_unlock_account'), { employeeId: 'E10457', system: 'erp' }, samira)).errorCode).toBe('NO_ACCOUNT');
      await t.exec(`UPDATE accounts SET status = 'disabled' WHERE employee_id = 'E10589' AND system = 'email'`);
      const leo = await verified(LEO);
      expect((await runTool(tool('it_unlock_account'), { employeeId: 'E10589', system: 'email' }, leo)).errorCode).toBe('ACCOUNT_DISABLED');
    });
  });

  describe('it_reset_password', () => {
    it('texts a one-time link to the mobile on file and stores only a hash of it', async () => {
      const call = await verified(SAMIRA);
      const res = await runTool(tool('it_reset_password'), { employeeId: 'E10457' }, call);
      expect(res.result).toEqual({ sent: true, to: 'ending in 5457', validForMinutes: 15, accountLocked: false });
      expect(call.sms.sent).toHaveLength(1);
      expect(call.sms.sent[0]!.to).toBe('+15550155457');
      const token = /https:\/\/passwords\.bluefin\.example\/r\/([A-Za-z0-9_-]+)/.exec(call.sms.sent[0]!.body)?.[1];
      expect(token).toBeDefined();
      expect(res.output).not.toContain(token!);
      const { rows } = await t.db.query<{ token_hash: string; sms_id: string }>('SELECT token_hash, sms_id FROM password_resets WHERE call_id = $1', [call.callId]);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.token_hash).not.toContain(token!);
      expect(rows[0]!.sms_id).toBe(call.sms.sent[0]!.id);
    });

    it('stops after the daily limit', async () => {
      const call = await verified(JORDAN);
      for (let i = 0; i < 3; i += 1) expect((await runTool(tool('it_reset_password'), { employeeId: 'E10234' }, call)).status).toBe('ok');
      expect((await runTool(tool('it_reset_password'), { employeeId: 'E10234' }, call)).errorCode).toBe('RESET_LIMIT');
      expect(call.sms.sent).toHaveLength(3);
    });

    it('refuses privileged accounts, no mobile on file, no SMS service, and unverified callers', async () => {
      expect((await runTool(tool('it_reset_password'), { employeeId: 'E10001' }, await verified(PATRICIA))).errorCode).toBe('PRIVILEGED_ACCOUNT');
      expect((await runTool(tool('it_reset_password'), { employeeId: 'E10589' }, await verified(LEO))).errorCode).toBe('NO_MOBILE_ON_FILE');
      const noSms = await verified(SAMIRA, { sms: false });
      expect((await runTool(tool('it_reset_password'), { employeeId: 'E10457' }, noSms)).errorCode).toBe('SMS_UNAVAILABLE');
      expect((await runTool(tool('it_reset_password'), { employeeId: 'E10457' }, newCall())).errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });
  });

  describe('it_service_status', () => {
    it('lists every service, problems first', async () => {
      const res = await runTool<{ allOperational: boolean; services: { service: string; status: string }[] }>(tool('it_service_status'), {}, newCall());
      expect(res.result.allOperational).toBe(false);
      expect(res.result.services.slice(0, 2).map((s) => s.service)).toEqual(['vpn', 'erp']);
      expect(res.result.services).toHaveLength(8);
    });

    it('finds one service by name, and falls back to all when it does not know the name', async () => {
      const vpn = await runTool<{ matched: boolean; services: { status: string; message: string }[] }>(tool('it_service_status'), { service: 'VPN' }, newCall());
      expect(vpn.result.matched).toBe(true);
      expect(vpn.result.services).toEqual([expect.objectContaining({ status: 'degraded', message: expect.stringMatching(/gateway/) })]);
      const email = await runTool<{ services: { service: string }[] }>(tool('it_service_status'), { service: 'Email and calendar' }, newCall());
      expect(email.result.services.map((s) => s.service)).toEqual(['email']);
      const unknown = await runTool<{ matched: boolean; services: unknown[] }>(tool('it_service_status'), { service: 'mainframe' }, newCall());
      expect(unknown.result.matched).toBe(false);
      expect(unknown.result.services).toHaveLength(8);
    });

    it('refuses a one-letter service name', async () => {
      expect((await runTool(tool('it_service_status'), { service: 'x' }, newCall())).status).toBe('invalid_arguments');
    });
  });

  describe('it_device_lookup', () => {
    it("lists the verified employee's devices with warranty and compliance", async () => {
      const res = await runTool<{ devices: { assetTag: string; underWarranty: boolean; compliance: string }[] }>(
        tool('it_device_lookup'), { employeeId: 'E10457' }, await verified(SAMIRA),
      );
      expect(res.result.devices).toEqual([expect.objectContaining({ assetTag: 'LT-20388', underWarranty: false, compliance: 'noncompliant' })]);
      const one = await runTool<{ devices: { assetTag: string; underWarranty: boolean }[] }>(
        tool('it_device_lookup'), { employeeId: 'E10234', assetTag: 'lt-20411' }, await verified(JORDAN, undefined, DEC_2026),
      );
      expect(one.result.devices).toEqual([expect.objectContaining({ assetTag: 'LT-20411', underWarranty: true })]);
    });

    it("refuses someone else's device and an unverified caller", async () => {
      expect((await runTool(tool('it_device_lookup'), { employeeId: 'E10234', assetTag: 'LT-20388' }, await verified(JORDAN))).errorCode).toBe('DEVICE_NOT_FOUND');
      expect((await runTool(tool('it_device_lookup'), { employeeId: 'E10234' }, newCall())).errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });
  });

  describe('tickets', () => {
    const problem = {
      summary: 'Laptop will not charge', description: 'Charger light is off; tried a wall socket (KB-0012).', category: 'hardware',
    };

    it('creates, looks up, notes, resolves and reopens a ticket', async () => {
      await t.exec(`INSERT INTO kb_articles (id, title, category, body, source_file, content_hash, search)
                    VALUES ('KB-0012', 'Laptop will not turn on', 'hardware', 'body', 'KB-0012.md', 'x', to_tsvector('english', 'laptop'))
                    ON CONFLICT DO NOTHING`);
      const call = await verified(JORDAN);
      const created = await runTool<{ ticketId: number; status: string; priority: string }>(
        tool('it_create_ticket'), { employeeId: 'E10234', ...problem, assetTag: 'LT-20411', kbArticleIds: ['KB-0012'] }, call,
      );
      expect(created.result).toMatchObject({ status: 'new', priority: 'medium' });
      const id = created.result.ticketId;
      expect(id).toBeGreaterThanOrEqual(20000);

      const open = await runTool<{ tickets: { ticketId: number }[] }>(tool('it_lookup_ticket'), { employeeId: 'E10234' }, call);
      expect(open.result.tickets.map((x) => x.ticketId)).toEqual([id, 10001]);

      const noted = await runTool<{ latestNote: string }>(tool('it_update_ticket'), { employeeId: 'E10234', ticketId: id, action: 'add_note', note: 'Also tried another charger.' }, call);
      expect(noted.result.latestNote).toBe('Also tried another charger.');
      const resolved = await runTool<{ status: string }>(tool('it_update_ticket'), { employeeId: 'E10234', ticketId: id, action: 'resolve' }, call);
      expect(resolved.result.status).toBe('resolved');
      expect((await runTool(tool('it_update_ticket'), { employeeId: 'E10234', ticketId: id, action: 'add_note', note: 'hello again' }, call)).errorCode).toBe('TICKET_RESOLVED');
      const reopened = await runTool<{ status: string; latestNote: string }>(tool('it_update_ticket'), { employeeId: 'E10234', ticketId: id, action: 'reopen', note: 'It stopped charging again.' }, call);
      expect(reopened.result).toMatchObject({ status: 'in progress', latestNote: 'Reopened: It stopped charging again.' });
      const { rows } = await t.db.query('SELECT resolved_at FROM tickets WHERE id = $1', [id]);
      expect(rows).toEqual([{ resolved_at: null }]);
    });

    it('moves a ticket waiting on the caller back to the queue when they add a note', async () => {
      const call = await verified(SAMIRA);
      const res = await runTool<{ status: string }>(tool('it_update_ticket'), { employeeId: 'E10457', ticketId: 10002, action: 'add_note', note: 'Manager approved the licence.' }, call);
      expect(res.result.status).toBe('in progress');
    });

    it('refuses bad creations: unverified, foreign device, unknown article', async () => {
      expect((await runTool(tool('it_create_ticket'), { employeeId: 'E10234', ...problem }, newCall())).errorCode).toBe('IDENTITY_NOT_VERIFIED');
      const call = await verified(JORDAN);
      expect((await runTool(tool('it_create_ticket'), { employeeId: 'E10234', ...problem, assetTag: 'LT-20388' }, call)).errorCode).toBe('DEVICE_NOT_FOUND');
      expect((await runTool(tool('it_create_ticket'), { employeeId: 'E10234', ...problem, kbArticleIds: ['KB-0999'] }, call)).errorCode).toBe('UNKNOWN_ARTICLE');
      expect((await runTool(tool('it_create_ticket'), { employeeId: 'E10234', ...problem, category: 'coffee' }, call)).status).toBe('invalid_arguments');
    });

    it("refuses someone else's ticket, notes without text, and closed tickets", async () => {
      const call = await verified(JORDAN);
      expect((await runTool(tool('it_lookup_ticket'), { employeeId: 'E10234', ticketId: 10002 }, call)).errorCode).toBe('TICKET_NOT_FOUND');
      expect((await runTool(tool('it_update_ticket'), { employeeId: 'E10234', ticketId: 10002, action: 'resolve' }, call)).errorCode).toBe('TICKET_NOT_FOUND');
      expect((await runTool(tool('it_update_ticket'), { employeeId: 'E10234', ticketId: 10001, action: 'add_note' }, call)).errorCode).toBe('NOTE_REQUIRED');
      expect((await runTool(tool('it_update_ticket'), { employeeId: 'E10234', ticketId: 10001, action: 'reopen', note: 'why' }, call)).errorCode).toBe('TICKET_NOT_RESOLVED');
      await t.exec(`UPDATE tickets SET status = 'closed' WHERE id = 10003`);
      const leo = await verified(LEO);
      expect((await runTool(tool('it_update_ticket'), { employeeId: 'E10589', ticketId: 10003, action: 'reopen', note: 'back again' }, leo)).errorCode).toBe('TICKET_CLOSED');
      expect((await runTool(tool('it_lookup_ticket'), { employeeId: 'E10234' }, newCall())).errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });
  });

  describe('it_escalate_to_tier2', () => {
    async function newTicket(call: TestCall, employeeId: string, category = 'software'): Promise<number> {
      const res = await runTool<{ ticketId: number }>(tool('it_create_ticket'), {
        employeeId, summary: 'Needs a driver only admins can install', description: 'Scanner driver install blocked.', category,
      }, call);
      expect(res.status).toBe('ok');
      return res.result.ticketId;
    }

    it('escalates and warm-transfers to tier 2 while it is staffed', async () => {
      const call = await verified(JORDAN);
      const id = await newTicket(call, 'E10234');
      const res = await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10234', ticketId: id, reason: 'Needs admin rights', transferNow: true }, call);
      expect(res.result).toMatchObject({ escalated: true, ticketId: id, team: 'Tier 2 support', transferred: true, callbackWithinHours: null });
      expect(call.call.transfers).toEqual([expect.objectContaining({ to: '+15550100501', reason: 'Needs admin rights' })]);
      const { rows } = await t.db.query('SELECT status, tier FROM tickets WHERE id = $1', [id]);
      expect(rows).toEqual([{ status: 'escalated', tier: 2 }]);
      expect((await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10234', ticketId: id, reason: 'again please' }, call)).errorCode).toBe('ALREADY_ESCALATED');
    });

    it('promises a call back when tier 2 is closed, and sends security tickets to security operations around the clock', async () => {
      const call = await verified(SAMIRA, undefined, SATURDAY);
      const id = await newTicket(call, 'E10457');
      const res = await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10457', ticketId: id, reason: 'Needs admin rights', transferNow: true }, call);
      expect(res.result).toMatchObject({ transferred: false, callbackWithinHours: 4, teamHours: 'Monday, Tuesday, Wednesday, Thursday, Friday, 07:00 to 19:00' });
      expect(call.call.transfers).toHaveLength(0);
      const sec = await newTicket(call, 'E10457', 'security');
      const secRes = await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10457', ticketId: sec, reason: 'Laptop stolen from car', transferNow: true }, call);
      expect(secRes.result).toMatchObject({ team: 'Security operations', transferred: true, teamHours: 'around the clock' });
      expect(call.call.transfers[0]!.to).toBe('+15550100502');
    });

    it('escalates the ticket opened on this call when no number is given', async () => {
      const call = await verified(LEO);
      expect((await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10589', reason: 'Needs admin rights' }, call)).errorCode).toBe('MISSING_TICKET');
      const id = await newTicket(call, 'E10589');
      const res = await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10589', reason: 'Needs admin rights' }, call);
      expect(res.result).toMatchObject({ escalated: true, ticketId: id, transferred: false, callbackWithinHours: 4 });
    });

    it('keeps the escalation when the transfer fails, and says tier 2 will call back', async () => {
      const call = await verified(JORDAN);
      call.call.transfer = async () => { throw new Error('carrier refused'); };
      const id = await newTicket(call, 'E10234');
      const res = await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10234', ticketId: id, reason: 'Needs admin rights', transferNow: true }, call);
      expect(res.result).toMatchObject({ escalated: true, transferred: false, callbackWithinHours: 4 });
      const { rows } = await t.db.query('SELECT transferred FROM escalations WHERE ticket_id = $1', [id]);
      expect(rows).toEqual([{ transferred: false }]);
    });

    it('refuses resolved tickets, tickets of others and unverified callers', async () => {
      const leo = await verified(LEO);
      await t.exec(`UPDATE tickets SET status = 'resolved', resolved_at = now() WHERE id = 10003`);
      expect((await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10589', ticketId: 10003, reason: 'still broken' }, leo)).errorCode).toBe('TICKET_NOT_OPEN');
      expect((await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10589', ticketId: 10001, reason: 'not mine' }, leo)).errorCode).toBe('TICKET_NOT_FOUND');
      expect((await runTool(tool('it_escalate_to_tier2'), { employeeId: 'E10234', ticketId: 10001, reason: 'please help me' }, newCall())).errorCode).toBe('IDENTITY_NOT_VERIFIED');
    });
  });
});
