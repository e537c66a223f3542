import { createLogger } from '../../../../src/observability/logger.js';
import { executeTool, MemoryToolInvocationRecorder, type CallToolEnv, type ToolServices } from '../../../../src/toolkit/index.js';
import type { Db } from '../../../../src/store/types.js';
import { normalizePhone, isoDate, isoDateTime, localDate, priceText, endCall, transferToHuman } from '../../../../tools/common/index.js';
import { registry } from '../../../../tools/index.js';

const noDb = { kind: 'pglite', query: async () => { throw new Error('no db'); } } as unknown as Db;

class FakeCall {
  readonly transfers: { to: string; options: unknown }[] = [];
  readonly hangUps: unknown[] = [];
  async transfer(to: string, options?: unknown) { this.transfers.push({ to, options }); }
  async hangUp(options?: unknown) { this.hangUps.push(options); }
}

const env = (services: Partial<ToolServices>): CallToolEnv => ({
  callId: 'b1c9b1a2-0d4e-4f7a-9a53-2f1f8c0b7e11', vertical: 'salon', db: noDb, logger: createLogger('test'),
  services: { now: () => new Date(), ...services }, callSignal: new AbortController().signal,
  recorder: new MemoryToolInvocationRecorder(), currentAgent: () => 'Front Desk',
});

describe('transfer_to_human', () => {
  it("transfers to the vertical's configured human number", async () => {
    const call = new FakeCall();
    const out = await executeTool(transferToHuman, { reason: 'wants a manager', announce: 'Connecting you now.' }, env({ call, humanNumber: '+15550100101' }), 't1');
    expect(out.status).toBe('ok');
    expect(call.transfers).toEqual([{ to: '+15550100101', options: { reason: 'wants a manager', announce: 'Connecting you now.' } }]);
  });

  it('does not accept a number from the model', async () => {
    const call = new FakeCall();
    const out = await executeTool(transferToHuman, { reason: 'x', number: '+19005550100' }, env({ call, humanNumber: '+15550100101' }), 't2');
    expect(call.transfers.map((t) => t.to)).toEqual(['+15550100101']);
    expect(out.status).toBe('ok');
  });

  it('explains when there is no live call or no human number', async () => {
    const noCall = await executeTool(transferToHuman, { reason: 'x' }, env({ humanNumber: '+15550100101' }), 't3');
    expect(noCall).toMatchObject({ status: 'error', errorCode: 'NO_LIVE_CALL' });
    const noHuman = await executeTool(transferToHuman, { reason: 'x' }, env({ call: new FakeCall() }), 't4');
    expect(noHuman).toMatchObject({ status: 'error', errorCode: 'NO_HUMAN_AVAILABLE' });
  });
});

describe('end_call', () => {
  it('hangs up with the goodbye, and needs a live call', async () => {
    const call = new FakeCall();
    const out = await executeTool(endCall, { goodbye: 'Bye now!' }, env({ call }), 'e1');
    expect(out.status).toBe('ok');
    expect(call.hangUps).toEqual([{ goodbye: 'Bye now!', reason: 'agent_ended' }]);
    expect((await executeTool(endCall, {}, env({}), 'e2')).errorCode).toBe('NO_LIVE_CALL');
  });
});

describe('common helpers', () => {
  it('normalises phone numbers to E.164', () => {
    expect(normalizePhone('(555) 010-0142')).toBe('+15550100142');
    expect(normalizePhone('1 555 010 0142')).toBe('+15550100142');
    expect(normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
    expect(normalizePhone('0044 20 7946 0958')).toBe('+442079460958');
    expect(() => normalizePhone('555-0101')).toThrow(/digit by digit/);
  });

  it('validates ISO dates and date-times', () => {
    expect(isoDate.safeParse('2030-06-04').success).toBe(true);
    expect(isoDate.safeParse('2030-02-30').success).toBe(false);
    expect(isoDate.safeParse('June 4').success).toBe(false);
    for (const ok of ['2030-06-04T14:30', '2030-06-04T14:30:00Z', '2030-06-04T14:30:00-04:00', '2030-06-04T14:30:00.000+0100']) {
      expect(isoDateTime.safeParse(ok).success).toBe(true);
    }
    for (const bad of ['2030-06-04', '2030-06-31T10:00', '2030-06-04T25:00', 'tomorrow at 3']) {
      expect(isoDateTime.safeParse(bad).success).toBe(false);
    }
  });

  it('gives the local date in a time zone and prices in words-friendly text', () => {
    expect(localDate(new Date('2030-06-04T02:00:00Z'), 'America/New_York')).toBe('2030-06-03');
    expect(priceText(6500)).toBe('$65');
    expect(priceText(1250)).toBe('$12.50');
  });
});

describe('tool registry', () => {
  it('holds the common and salon tools', () => {
    for (const name of ['transfer_to_human', 'end_call', 'salon_list_services', 'salon_list_stylists', 'salon_check_availability',
      'salon_book_appointment', 'salon_find_appointment', 'salon_reschedule_appointment', 'salon_cancel_appointment', 'salon_get_business_info']) {
      expect(registry.has(name)).toBe(true);
    }
    expect(registry.get('salon_book_appointment')?.idempotent).toBe(false);
    expect(registry.get('salon_list_services')?.idempotent).toBe(true);
  });
});
