import { CallFeed, feedingStore, type CallFeedEvent, type FeedableStore } from '../../../src/realtime/index.js';
import type { NewCall } from '../../../src/store/index.js';
import { recordingLogger } from '../../fakes/logger.js';

/** A store that keeps what it was asked to write; `failTranscripts` makes transcript writes fail. */
function memoryStore(failTranscripts = false) {
  const writes: string[] = [];
  const store: FeedableStore = {
    dbForVertical: () => { throw new Error('not used'); },
    calls: {
      create: async (call: NewCall) => { writes.push(`call ${call.id}`); return {} as never; },
      getBySid: async () => null,
      setEngine: async () => undefined,
      mergeMetadata: async () => undefined,
      finalize: async () => { writes.push('finalize'); return true; },
    },
    transcripts: {
      append: async (_id, item) => {
        if (failTranscripts) throw new Error('db down');
        writes.push(`transcript ${item.text}`);
        return {} as never;
      },
    },
    handoffs: { record: async (_id, from, to) => { writes.push(`handoff ${from}>${to}`); } },
    latency: { record: async () => 0 },
    toolInvocations: {
      begin: async () => ({ kind: 'new' }),
      finish: async () => { writes.push('tool finish'); },
    },
  };
  return { store, writes };
}

describe('the call feed', () => {
  it('tells watchers each record once it is written, with when it happened', async () => {
    const feed = new CallFeed(recordingLogger());
    const seen: CallFeedEvent[] = [];
    const stop = feed.subscribe((e) => seen.push(e));
    const { store, writes } = memoryStore();
    const s = feedingStore(store, feed);
    await s.calls.create({ id: 'c1', callSid: 'CH1', vertical: 'salon', manifestVersion: 'v', startedAt: new Date(Date.now() - 1000) });
    await s.transcripts.append('c1', { role: 'caller', agent: null, text: 'hello', interrupted: false });
    await s.handoffs.record('c1', 'Front', 'Booking', 900);
    await s.toolInvocations.begin({ callId: 'c1', toolCallId: 't1', toolName: 'book', agent: 'Booking', idempotencyKey: 'k1', arguments: { day: 'mon' } });
    await s.toolInvocations.finish('k1', { status: 'ok', durationMs: 12.6 });
    await s.calls.finalize('c1', { status: 'completed', endReason: 'caller_hangup' });
    expect(writes).toEqual(['call c1', 'transcript hello', 'handoff Front>Booking', 'tool finish', 'finalize']);
    expect(seen).toEqual([
      { type: 'transcript', role: 'caller', agent: null, text: 'hello', interrupted: false },
      { type: 'handoff', from: 'Front', to: 'Booking', offsetMs: 900 },
      { type: 'tool', name: 'book', agent: 'Booking', status: 'running', offsetMs: expect.any(Number), arguments: { day: 'mon' } },
      { type: 'tool', name: 'book', agent: 'Booking', status: 'ok', offsetMs: expect.any(Number), durationMs: 13 },
      { type: 'ended', status: 'completed', endReason: 'caller_hangup' },
    ]);
    expect((seen[2] as { offsetMs: number }).offsetMs).toBeGreaterThanOrEqual(1000);
    expect(feed.watched).toBe(false);
    stop();
  });

  it('reports nothing that was not written, and a listener that throws is dropped without reaching the call', async () => {
    const log = recordingLogger();
    const feed = new CallFeed(log);
    const seen: CallFeedEvent[] = [];
    feed.subscribe(() => { throw new Error('page bug'); });
    feed.subscribe((e) => seen.push(e));
    const s = feedingStore(memoryStore(true).store, feed);
    await expect(s.transcripts.append('c1', { role: 'caller', agent: null, text: 'lost', interrupted: false })).rejects.toThrow('db down');
    await s.handoffs.record('c1', 'A', 'B', null);
    await s.handoffs.record('c1', 'B', 'A', null);
    expect(seen.map((e) => e.type)).toEqual(['handoff', 'handoff']);
    expect(log.warnings).toEqual(['call feed listener threw; dropped']);
  });
});
