import { jest } from '@jest/globals';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { manifestSchema, type Manifest } from '../../src/manifest/schema.js';
import { createLogger } from '../../src/observability/logger.js';
import type { Db } from '../../src/store/index.js';
import { RunContext } from '@openai/agents';
import { executeTool, toSdkTool, type AnyToolDefinition, type CallToolEnv } from '../../src/toolkit/index.js';
import { registry } from '../../tools/index.js';
import { newCall, pgliteTarget, postgresTarget, randomSchema, type StoreTarget } from './storeSuite.js';
import type { Store } from '../../src/store/index.js';

const SALON_DIR = join(process.cwd(), 'verticals', 'salon');
// Monday 2030-06-03, 09:00 in New York.
const NOW = new Date('2030-06-03T13:00:00Z');

function salonManifest(schema: string): Manifest {
  const raw = parse(readFileSync(join(SALON_DIR, 'vertical.yaml'), 'utf8')) as Record<string, unknown>;
  const manifest = manifestSchema.parse(raw);
  return { ...manifest, storage: { ...manifest.storage, schema } };
}

const tool = (name: string): AnyToolDefinition => {
  const def = registry.get(name);
  if (!def) throw new Error(`no tool ${name}`);
  return def;
};

// Opening PGlite runs initdb in WebAssembly: slow when the machine is busy.
jest.setTimeout(120_000);

describe.each<StoreTarget>([postgresTarget, pgliteTarget])('salon tools on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let db: Db;
  let schema: string;
  let callId: string;
  let seq = 0;

  const env = (overrides: Partial<CallToolEnv> = {}): CallToolEnv => ({
    callId, vertical: 'salon', db, logger: createLogger('test'),
    services: { now: () => NOW }, callSignal: new AbortController().signal,
    recorder: store.toolInvocations, currentAgent: () => 'Booking', ...overrides,
  });
  const run = (name: string, args: unknown, toolCallId = `call_${++seq}`) => executeTool(tool(name), JSON.stringify(args), env(), toolCallId);
  const ok = async (name: string, args: unknown): Promise<any> => {
    const out = await run(name, args);
    if (out.status !== 'ok') throw new Error(`${name} → ${out.status}: ${out.output}`);
    return out.result;
  };

  beforeAll(async () => {
    ({ store, cleanup } = await target.open());
    await store.migrate();
    schema = randomSchema('salon');
    const manifest = salonManifest(schema);
    const first = await store.seedVertical(manifest, SALON_DIR);
    expect(first.migrations.applied).toContain('0001_domain.sql');
    expect(first.migrations.applied.at(-1)).toBe('0001_domain.sql'); // framework files first
    expect(first.seedFile).toMatch(/seed\.sql$/);
    const again = await store.seedVertical(manifest, SALON_DIR); // seeds are idempotent
    expect(again.migrations.applied).toEqual([]);
    db = store.dbForVertical(manifest);
    callId = (await store.calls.create(newCall())).id;
  });
  afterAll(async () => {
    await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await store.db.query('DELETE FROM public.schema_migrations WHERE scope LIKE $1', [`%${schema}`]);
    await cleanup();
  });

  it('runs through the Agents SDK tool with the audit row in the real repository', async () => {
    const sdkTool = toSdkTool(tool('salon_list_services'));
    const out = await sdkTool.invoke(new RunContext({ switchboard: env() }), '{}', {
      toolCall: { type: 'function_call', callId: 'call_sdk', name: 'salon_list_services', arguments: '{}' },
    });
    expect(JSON.parse(String(out)).services).toHaveLength(7);
    const row = (await store.toolInvocations.list(callId)).find((r) => r.toolCallId === 'call_sdk');
    expect(row).toMatchObject({ toolName: 'salon_list_services', status: 'ok', agent: 'Booking', arguments: {} });
    expect(typeof row?.durationMs).toBe('number');
  });

  it('answers business facts from the database', async () => {
    const info = await ok('salon_get_business_info', {});
    expect(info).toMatchObject({ name: 'Luna Hair Studio', timezone: 'America/New_York' });
    expect(info.closedDays).toEqual(['Monday', 'Sunday']);
    expect(info.openingHours[0]).toEqual({ day: 'Tuesday', opens: '09:00', closes: '18:00' });
  });

  it('lists services with prices and stylists, and stylists by service', async () => {
    const { services } = await ok('salon_list_services', {});
    expect(services).toHaveLength(7);
    expect(services.find((s: any) => s.serviceId === 'highlights')).toMatchObject({ durationMinutes: 150, priceCents: 18000, price: '$180', stylists: ['Maya', 'Priya'] });
    const { stylists } = await ok('salon_list_stylists', { serviceId: 'beard-trim' });
    expect(stylists.map((s: any) => s.name)).toEqual(['Jordan', 'Sam']);
    expect(stylists[1].workingDays).toEqual(['Saturday']);
    const all = await ok('salon_list_stylists', { serviceId: null });
    expect(all.stylists).toHaveLength(4);
  });

  it('computes free slots from working hours and refuses past or impossible dates', async () => {
    const avail = await ok('salon_check_availability', { serviceId: 'womens-cut', date: '2030-06-04' });
    expect(avail.slots).toHaveLength(12);
    expect(avail.slots[0]).toMatchObject({ stylistId: 'maya', localTime: '2030-06-04T09:00', startsAt: '2030-06-04T13:00:00.000Z', spoken: 'Tuesday, June 4 at 9:00 AM' });
    const jordan = await ok('salon_check_availability', { serviceId: 'womens-cut', date: '2030-06-06', stylistId: 'jordan', afterTime: '12:00' });
    // Thursday split shift 09–13 and 14–18: a 60-minute cut can start 12:00, then 14:00 at the earliest.
    expect(jordan.slots.slice(0, 2).map((s: any) => s.localTime)).toEqual(['2030-06-06T12:00', '2030-06-06T14:00']);
    const closed = await ok('salon_check_availability', { serviceId: 'womens-cut', date: '2030-06-03' });
    expect(closed.slots).toEqual([]);
    expect(closed.note).toMatch(/another day/);
    const past = await run('salon_check_availability', { serviceId: 'womens-cut', date: '2030-06-02' });
    expect(past).toMatchObject({ status: 'error', errorCode: 'DATE_IN_PAST' });
    const bogus = await run('salon_check_availability', { serviceId: 'womens-cut', date: '2030-02-30' });
    expect(bogus.status).toBe('invalid_arguments');
    const wrong = await run('salon_check_availability', { serviceId: 'beard-trim', date: '2030-06-04', stylistId: 'maya' });
    expect(wrong.errorCode).toBe('STYLIST_DOES_NOT_OFFER');
  });

  const booking = (startsAt: string, extra: Record<string, unknown> = {}) => ({
    serviceId: 'womens-cut', stylistId: 'maya', startsAt, customerName: 'Dana Whitfield', customerPhone: '(555) 010-0142', ...extra,
  });

  it('books an appointment and removes the slot from availability', async () => {
    const booked = await ok('salon_book_appointment', booking('2030-06-05T10:00', { notes: 'patch test done' }));
    expect(booked).toMatchObject({ status: 'booked', service: "Women's cut and style", stylist: 'Maya', localTime: '2030-06-05T10:00', price: '$65', customerName: 'Dana Whitfield' });
    expect(booked.reference).toMatch(/^[A-Z0-9]{6}$/);
    const avail = await ok('salon_check_availability', { serviceId: 'womens-cut', date: '2030-06-05', stylistId: 'maya' });
    const times = avail.slots.map((s: any) => s.localTime);
    expect(times).toContain('2030-06-05T09:00');
    expect(times).not.toContain('2030-06-05T09:30');
    expect(times).not.toContain('2030-06-05T10:45');
    expect(times).toContain('2030-06-05T11:00');
  });

  it('refuses a double booking through the database constraint: of two concurrent bookings exactly one succeeds', async () => {
    const [a, b] = await Promise.all([
      run('salon_book_appointment', booking('2030-06-12T13:00', { customerName: 'Ari', customerPhone: '+15550100150' })),
      run('salon_book_appointment', booking('2030-06-12T13:30', { customerName: 'Bo', customerPhone: '+15550100151' })),
    ]);
    expect([a.status, b.status].sort()).toEqual(['error', 'ok']);
    const refused = a.status === 'ok' ? b : a;
    expect(refused.errorCode).toBe('SLOT_TAKEN');
    expect(JSON.parse(refused.output).message).toMatch(/just taken/);
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM appointments WHERE stylist_id = 'maya' AND status <> 'cancelled'
         AND starts_at >= '2030-06-12T00:00Z' AND starts_at < '2030-06-13T00:00Z'`,
    );
    expect(rows[0]?.n).toBe(1);
    // The refusal is the database's own: a raw overlapping insert fails too.
    const cust = await db.query<{ id: string }>('SELECT id FROM customers LIMIT 1');
    await expect(db.query(
      `INSERT INTO appointments (reference, customer_id, stylist_id, service_id, starts_at, ends_at)
       VALUES ('RAW001', $1, 'maya', 'womens-cut', '2030-06-12T17:15Z', '2030-06-12T18:15Z')`, [cust.rows[0]!.id],
    )).rejects.toMatchObject({ code: '23P01' });
  });

  it('executes a retried tool call once: same call id and tool call id → one appointment row', async () => {
    const args = booking('2030-06-19T09:00', { customerName: 'Cy', customerPhone: '+15550100160' });
    const first = await run('salon_book_appointment', args, 'call_retry');
    const second = await run('salon_book_appointment', args, 'call_retry');
    expect(first.status).toBe('ok');
    expect(second).toMatchObject({ status: 'ok', replayed: true });
    expect(JSON.parse(second.output)).toEqual(JSON.parse(first.output));
    // A crash after the insert but before the outcome was recorded: the re-run finds its own row.
    const key = `${callId}:call_retry`;
    await store.db.query(`UPDATE tool_invocations SET status = 'running' WHERE idempotency_key = $1`, [key]);
    const third = await run('salon_book_appointment', args, 'call_retry');
    expect(third.status).toBe('ok');
    expect(third.replayed).toBe(false);
    expect(JSON.parse(third.output).appointmentId).toBe(JSON.parse(first.output).appointmentId);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM appointments WHERE booking_key = $1`, [key]);
    expect(rows[0]?.n).toBe(1);
    const audit = (await store.toolInvocations.list(callId)).filter((r) => r.toolCallId === 'call_retry');
    expect(audit).toHaveLength(1);
  });

  it('refuses bookings in the past, outside working hours, or with a bad phone number', async () => {
    expect((await run('salon_book_appointment', booking('2030-06-03T08:00'))).errorCode).toBe('TIME_IN_PAST');
    expect((await run('salon_book_appointment', booking('2030-06-04T16:30'))).errorCode).toBe('OUTSIDE_HOURS');
    expect((await run('salon_book_appointment', booking('2030-06-08T10:00'))).errorCode).toBe('OUTSIDE_HOURS');
    expect((await run('salon_book_appointment', booking('2030-06-04T11:00', { customerPhone: '555-0101' }))).errorCode).toBe('INVALID_PHONE');
    expect((await run('salon_book_appointment', booking('June 4th at 11'))).status).toBe('invalid_arguments');
  });

  it('finds, reschedules and cancels an appointment', async () => {
    const made = await ok('salon_book_appointment', booking('2030-06-26T11:00', { customerName: 'Eli Novak', customerPhone: '555-010-0177' }));
    const byPhone = await ok('salon_find_appointment', { phone: '+1 555 010 0177' });
    expect(byPhone.appointments.map((a: any) => a.appointmentId)).toEqual([made.appointmentId]);
    const byName = await ok('salon_find_appointment', { name: 'novak' });
    expect(byName.appointments[0].reference).toBe(made.reference);
    expect((await run('salon_find_appointment', {})).status).toBe('invalid_arguments');

    const other = await ok('salon_book_appointment', booking('2030-06-26T14:00', { customerName: 'Fay', customerPhone: '+15550100178' }));
    const clash = await run('salon_reschedule_appointment', { appointmentId: made.appointmentId, newStartsAt: '2030-06-26T14:30' });
    expect(clash.errorCode).toBe('SLOT_TAKEN');
    const moved = await ok('salon_reschedule_appointment', { appointmentId: made.reference.toLowerCase(), newStartsAt: '2030-06-27T15:00', stylistId: 'priya' });
    expect(moved).toMatchObject({ appointmentId: made.appointmentId, localTime: '2030-06-27T15:00', stylist: 'Priya', previousSpoken: 'Wednesday, June 26 at 11:00 AM' });

    const cancelled = await ok('salon_cancel_appointment', { appointmentId: other.appointmentId, reason: 'travelling' });
    expect(cancelled.status).toBe('cancelled');
    const again = await run('salon_cancel_appointment', { appointmentId: other.appointmentId });
    expect(again.errorCode).toBe('APPOINTMENT_CANCELLED');
    expect((await run('salon_cancel_appointment', { appointmentId: 'ZZZZZZ' })).errorCode).toBe('APPOINTMENT_NOT_FOUND');
    // the cancelled slot is bookable again
    expect((await run('salon_book_appointment', booking('2030-06-26T14:00', { customerName: 'Gus', customerPhone: '+15550100179' }))).status).toBe('ok');
  });

  it('points at an appointment by the phone it was booked under and its current time', async () => {
    const made = await ok('salon_book_appointment', booking('2030-06-19T10:00', { customerName: 'Hana Ito', customerPhone: '+15550100190' }));
    // neither an id nor phone + time: refused before anything runs
    expect((await run('salon_reschedule_appointment', { phone: '+15550100190', newStartsAt: '2030-06-19T13:00' })).status).toBe('invalid_arguments');
    expect((await run('salon_cancel_appointment', { startsAt: '2030-06-19T10:00' })).status).toBe('invalid_arguments');
    // the wrong time, or someone else's phone, finds nothing
    expect((await run('salon_reschedule_appointment', { phone: '555 010 0190', startsAt: '2030-06-19T11:00', newStartsAt: '2030-06-19T13:00' })).errorCode).toBe('APPOINTMENT_NOT_FOUND');
    expect((await run('salon_cancel_appointment', { phone: '+15550100191', startsAt: '2030-06-19T10:00' })).errorCode).toBe('APPOINTMENT_NOT_FOUND');

    const moved = await ok('salon_reschedule_appointment', { phone: '555 010 0190', startsAt: '2030-06-19T10:00', newStartsAt: '2030-06-19T13:00' });
    expect(moved).toMatchObject({ appointmentId: made.appointmentId, localTime: '2030-06-19T13:00' });
    const cancelled = await ok('salon_cancel_appointment', { phone: '+15550100190', startsAt: '2030-06-19T13:00' });
    expect(cancelled).toMatchObject({ appointmentId: made.appointmentId, status: 'cancelled' });
    // a cancelled appointment is no longer there to point at
    expect((await run('salon_cancel_appointment', { phone: '+15550100190', startsAt: '2030-06-19T13:00' })).errorCode).toBe('APPOINTMENT_NOT_FOUND');
  });
});
