import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { newCall, pgliteTarget, postgresTarget, type StoreTarget } from './storeSuite.js';
import type { Store } from '../../src/store/index.js';

// Opening PGlite runs initdb in WebAssembly: slow when the machine is busy.
jest.setTimeout(120_000);

describe.each<StoreTarget>([postgresTarget, pgliteTarget])('store on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await target.open());
    const first = await store.migrate();
    expect(first.applied).toContain('0001_core.sql');
  });
  afterAll(async () => {
    await cleanup();
  });

  it('applies core migrations once', async () => {
    const again = await store.migrate();
    expect(again.applied).toEqual([]);
    expect(again.skipped).toContain('0001_core.sql');
  });

  it('creates, reads and lists calls with typed fields', async () => {
    const input = newCall({ traceId: 'trace-1', metadata: { campaign: 'spring' } });
    const created = await store.calls.create(input);
    expect(created).toMatchObject({
      id: input.id, callSid: input.callSid, vertical: 'salon', status: 'in_progress', direction: 'inbound',
      fromNumber: '+15550100199', toNumber: '+15550100100', traceId: 'trace-1', engine: null, endedAt: null,
      metadata: { campaign: 'spring' },
    });
    expect(created.startedAt).toBeInstanceOf(Date);
    expect((await store.calls.get(input.id))?.callSid).toBe(input.callSid);
    expect((await store.calls.getBySid(input.callSid))?.id).toBe(input.id);
    expect(await store.calls.get(randomUUID())).toBeNull();
    await store.calls.setEngine(input.id, 'emulator');
    expect((await store.calls.get(input.id))?.engine).toBe('emulator');
    const other = await store.calls.create(newCall({ vertical: 'healthcare' }));
    const salon = await store.calls.list({ limit: 50, vertical: 'salon' });
    expect(salon.map((c) => c.id)).toContain(input.id);
    expect(salon.map((c) => c.id)).not.toContain(other.id);
    expect((await store.calls.list({ limit: 1 })).length).toBe(1);
  });

  it('lets a call swept as instance_lost while still served be corrected by its own end, once', async () => {
    const call = await store.calls.create(newCall({}));
    expect(await store.calls.finalize(call.id, { status: 'failed', endReason: 'instance_lost' })).toBe(true);
    expect(await store.calls.finalize(call.id, { status: 'completed', endReason: 'caller_hangup' })).toBe(true);
    const row = await store.calls.get(call.id);
    expect(row).toMatchObject({ status: 'completed', endReason: 'caller_hangup', metadata: expect.objectContaining({ sweptAsLost: true }) });
    expect(await store.calls.finalize(call.id, { status: 'completed', endReason: 'again' })).toBe(false);
    expect(await store.calls.finalize(call.id, { status: 'failed', endReason: 'instance_lost' })).toBe(false);
    expect((await store.outbox.pending(1000)).filter((e) => e.callId === call.id)).toHaveLength(1);
  });

  it('finalises a call once, with exactly one outbox row', async () => {
    const startedAt = new Date(Date.now() - 65_000);
    const call = await store.calls.create(newCall({ startedAt }));
    const endedAt = new Date(startedAt.getTime() + 61_500);
    const results = await Promise.all([
      store.calls.finalize(call.id, { status: 'completed', endReason: 'caller_hangup', endedAt }),
      store.calls.finalize(call.id, { status: 'failed', endReason: 'duplicate' }),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.calls.finalize(call.id, { status: 'completed', endReason: 'again' })).toBe(false);
    const done = await store.calls.get(call.id);
    expect(done?.endedAt).toBeInstanceOf(Date);
    expect(['completed', 'failed']).toContain(done?.status);
    const pending = (await store.outbox.pending(1000)).filter((e) => e.callId === call.id);
    expect(pending).toHaveLength(1);
    const check = await store.db.query('SELECT count(*)::int AS n FROM post_call_outbox WHERE call_id = $1', [call.id]);
    expect(check.rows[0]?.n).toBe(1);
    if (done?.endReason === 'caller_hangup') expect(done.durationMs).toBe(61_500);
  });

  it('appends transcript items with atomic sequence numbers and updates by item id', async () => {
    const call = await store.calls.create(newCall());
    const items = await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.transcripts.append(call.id, { role: i % 2 ? 'assistant' : 'caller', text: `turn ${i}`, itemId: `item_${i}` })),
    );
    expect(items.map((i) => i.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(await store.transcripts.updateByItemId(call.id, 'item_3', { text: 'turn 3 (cut)', interrupted: true, endedMs: 1234 })).toBe(true);
    expect(await store.transcripts.updateByItemId(call.id, 'missing', { text: 'x' })).toBe(false);
    const list = await store.transcripts.list(call.id);
    expect(list).toHaveLength(12);
    const cut = list.find((i) => i.itemId === 'item_3');
    expect(cut).toMatchObject({ text: 'turn 3 (cut)', interrupted: true, endedMs: 1234, role: 'assistant' });
    expect(typeof cut?.id).toBe('number');
  });

  it('records tool invocations and replays a finished key instead of re-running it', async () => {
    const call = await store.calls.create(newCall());
    const start = { callId: call.id, toolCallId: 'call_1', toolName: 'salon_book_appointment', agent: 'Booking', idempotencyKey: `${call.id}:call_1`, arguments: { a: 1 } };
    expect(await store.toolInvocations.begin(start)).toEqual({ kind: 'new' });
    // still running (a crash mid-execution): the retry runs again
    expect(await store.toolInvocations.begin(start)).toEqual({ kind: 'new' });
    await store.toolInvocations.finish(start.idempotencyKey, { status: 'error', errorCode: 'X', durationMs: 12 });
    expect(await store.toolInvocations.begin(start)).toEqual({ kind: 'new' });
    await store.toolInvocations.finish(start.idempotencyKey, { status: 'ok', result: { booked: true, id: 'a1' }, durationMs: 40.4 });
    expect(await store.toolInvocations.begin(start)).toEqual({ kind: 'replay', result: { booked: true, id: 'a1' } });
    const rows = await store.toolInvocations.list(call.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'ok', durationMs: 40, arguments: { a: 1 }, errorCode: null, toolName: 'salon_book_appointment', agent: 'Booking' });
    expect(rows[0]?.endedAt).toBeInstanceOf(Date);
  });

  it('never re-opens a non-idempotent key whose attempt finished with a failure: that outcome settles it', async () => {
    const call = await store.calls.create(newCall());
    const start = { callId: call.id, toolCallId: 'call_n', toolName: 'salon_book_appointment', idempotencyKey: `${call.id}:call_n`, arguments: { a: 1 }, idempotent: false };
    expect(await store.toolInvocations.begin(start)).toEqual({ kind: 'new' });
    await store.toolInvocations.finish(start.idempotencyKey, { status: 'invalid_arguments', errorCode: 'INVALID_ARGUMENTS', durationMs: 1 });
    // invalid arguments never reached the tool: the corrected call runs
    expect(await store.toolInvocations.begin(start)).toEqual({ kind: 'new' });
    // left running (a crash mid-execution): the retry runs again and finds its side effect by the key
    expect(await store.toolInvocations.begin(start)).toEqual({ kind: 'new' });
    await store.toolInvocations.finish(start.idempotencyKey, { status: 'timeout', errorCode: 'TIMEOUT', result: { error: 'TIMEOUT' }, durationMs: 8000 });
    expect(await store.toolInvocations.begin(start)).toEqual({ kind: 'settled', status: 'timeout', errorCode: 'TIMEOUT', result: { error: 'TIMEOUT' } });
    expect(await store.toolInvocations.get(start.idempotencyKey)).toMatchObject({ status: 'timeout', durationMs: 8000 });
  });

  it('stores a string result as JSON, not double-encoded', async () => {
    const call = await store.calls.create(newCall());
    const key = `${call.id}:s`;
    await store.toolInvocations.begin({ callId: call.id, toolCallId: 's', toolName: 't', idempotencyKey: key, arguments: 'raw {not json' });
    await store.toolInvocations.finish(key, { status: 'ok', result: 'plain text', durationMs: 1 });
    const row = await store.toolInvocations.get(key);
    expect(row).toMatchObject({ arguments: 'raw {not json', result: 'plain text' });
  });

  it('records handoffs and latency samples in batches', async () => {
    const call = await store.calls.create(newCall());
    await store.handoffs.record(call.id, 'Front Desk', 'Booking', 4200);
    await store.handoffs.record(call.id, 'Booking', 'Front Desk', null);
    expect((await store.handoffs.list(call.id)).map((h) => [h.fromAgent, h.toAgent, h.offsetMs])).toEqual([
      ['Front Desk', 'Booking', 4200], ['Booking', 'Front Desk', null],
    ]);
    const samples = Array.from({ length: 1201 }, (_, i) => ({ metric: 'model.first_delta', valueMs: i + 0.5, turn: i % 3 === 0 ? null : i }));
    expect(await store.latency.record(call.id, samples)).toBe(1201);
    const stored = await store.latency.list(call.id);
    expect(stored).toHaveLength(1201);
    expect(stored[1]).toMatchObject({ metric: 'model.first_delta', valueMs: 1.5, turn: 1 });
    expect(stored[0]?.turn).toBeNull();
  });

  it('marks outbox rows sent or failed', async () => {
    const a = await store.calls.create(newCall());
    const b = await store.calls.create(newCall());
    await store.calls.finalize(a.id, { status: 'completed', endReason: 'hangup' });
    await store.calls.finalize(b.id, { status: 'completed', endReason: 'hangup' });
    await store.outbox.markFailed(b.id, 'redis down');
    const failed = (await store.outbox.pending(1000)).find((e) => e.callId === b.id);
    expect(failed).toMatchObject({ attempts: 1, lastError: 'redis down' });
    expect(await store.outbox.markSent([a.id, b.id])).toBe(2);
    const ids = (await store.outbox.pending(1000)).map((e) => e.callId);
    expect(ids).not.toContain(a.id);
    expect(ids).not.toContain(b.id);
    expect(await store.outbox.markSent([])).toBe(0);
  });

  it('rolls a transaction back when its function throws', async () => {
    const call = newCall();
    await expect(store.db.transaction(async (tx) => {
      await tx.query('INSERT INTO calls (id, call_sid, vertical, manifest_version) VALUES ($1, $2, $3, $4)', [call.id, call.callSid, 'salon', 'v']);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await store.calls.get(call.id)).toBeNull();
  });

  it('resolves unqualified names in a schema view first, then public', async () => {
    const schema = `w_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    await store.db.query(`CREATE SCHEMA "${schema}"`);
    try {
      const view = store.db.withSchema(schema);
      await view.query('CREATE TABLE widgets (id int PRIMARY KEY)');
      await view.query('INSERT INTO widgets VALUES ($1)', [7]);
      const both = await view.transaction(async (tx) => {
        const w = await tx.query<{ id: number }>('SELECT id FROM widgets');
        const c = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM calls');
        return { w: w.rows[0]?.id, n: c.rows[0]?.n };
      });
      expect(both.w).toBe(7);
      expect(typeof both.n).toBe('number');
      const q = await store.db.query(`SELECT count(*)::int AS n FROM "${schema}".widgets`);
      expect(q.rows[0]?.n).toBe(1);
      expect(() => store.db.withSchema('bad"; drop')).toThrow(/identifier/);
    } finally {
      await store.db.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  });
});

describe('embedded PGlite Db', () => {
  it('refuses use of the Db inside its own transaction instead of stalling every caller', async () => {
    const { store, cleanup } = await pgliteTarget.open();
    try {
      await expect(store.db.transaction(async () => {
        await store.db.query('SELECT 1');
      })).rejects.toMatchObject({ code: 'STORE_REENTRANT' });
      // the queue is free afterwards
      expect((await store.db.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    } finally {
      await cleanup();
    }
  });
});
