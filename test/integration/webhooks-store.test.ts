/** The webhook outbox and delivery outcomes, on real Postgres and on embedded PGlite (the no-config default). */
import { newCall, pgliteTarget, postgresTarget, type StoreTarget } from './storeSuite.js';
import type { Store } from '../../src/store/index.js';

describe.each<StoreTarget>([postgresTarget, pgliteTarget])('webhook outbox on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await target.open());
    await store.migrate();
  });
  afterAll(async () => cleanup());

  it('writes call.started and call.ended with the call row, only when asked, without phone numbers', async () => {
    const quiet = newCall();
    await store.calls.create(quiet);
    await store.calls.finalize(quiet.id, { status: 'completed', endReason: 'caller_hangup' });
    expect(await store.webhookEvents.forCall(quiet.id)).toEqual([]);

    const call = newCall();
    await store.calls.create({ ...call, emitStarted: true });
    expect(await store.calls.finalize(call.id, { status: 'completed', endReason: 'caller_hangup', emitEnded: true })).toBe(true);
    // A second finalise changes nothing and records no second event.
    expect(await store.calls.finalize(call.id, { status: 'failed', endReason: 'error', emitEnded: true })).toBe(false);
    const events = await store.webhookEvents.forCall(call.id);
    expect(events.map((e) => e.type)).toEqual(['call.started', 'call.ended']);
    expect(events[1]!.data).toMatchObject({ callSid: call.callSid, status: 'completed', endReason: 'caller_hangup' });
    expect(typeof events[1]!.data.durationMs).toBe('number');
    expect(JSON.stringify(events)).not.toContain('5550100');
  });

  it('marks events sent, keeps delivery outcomes, and a replay puts a dead-lettered event back', async () => {
    const call = newCall();
    await store.calls.create(call);
    const eventId = await store.webhookEvents.emit({ type: 'transfer.started', callId: call.id, vertical: 'salon', data: { reason: 'transferred' } });
    expect((await store.webhookEvents.pending(10_000)).some((e) => e.eventId === eventId)).toBe(true);
    expect(await store.webhookEvents.markSent([eventId])).toBe(1);
    expect((await store.webhookEvents.pending(10_000)).some((e) => e.eventId === eventId)).toBe(false);

    const ok = `wh-${eventId}-aaaaaaaaaaaa`;
    const bad = `wh-${eventId}-bbbbbbbbbbbb`;
    await store.webhookEvents.recordDelivery({ jobId: ok, eventId, subscription: 'aaaaaaaaaaaa', status: 'delivered', attempts: 1 });
    await store.webhookEvents.recordDelivery({ jobId: bad, eventId, subscription: 'bbbbbbbbbbbb', status: 'failed', attempts: 8, error: 'WEBHOOK_HTTP_500: x answered 500' });
    expect([...await store.webhookEvents.delivered([ok, bad])]).toEqual([ok]);
    expect([...await store.webhookEvents.settled([ok, bad])].sort()).toEqual([ok, bad]);
    expect(await store.webhookEvents.failedDeliveries()).toEqual([
      expect.objectContaining({ jobId: bad, eventId, callId: call.id, type: 'transfer.started', attempts: 8, reason: 'WEBHOOK_HTTP_500: x answered 500' }),
    ]);

    expect(await store.webhookEvents.requeueDelivery(bad)).toBe(true);
    expect(await store.webhookEvents.requeueDelivery(bad)).toBe(false);
    expect(await store.webhookEvents.failedDeliveries()).toEqual([]);
    expect((await store.webhookEvents.pending(10_000)).some((e) => e.eventId === eventId)).toBe(true);
    expect([...await store.webhookEvents.delivered([ok, bad])]).toEqual([ok]);
  });
});
