import { createLogger } from '../../../src/observability/logger.js';
import { CallRecorder, cutToHeard } from '../../../src/realtime/records.js';
import type { NewCall } from '../../../src/store/index.js';
import { FakeCallStore } from '../../fakes/callStore.js';

const log = createLogger('test');
const call = (id: string, callSid = 'CA1'): NewCall => ({ id, callSid, vertical: 'v', manifestVersion: '1' });

describe('call records', () => {
  it('writes the call row first and nothing waits for the database', async () => {
    const store = new FakeCallStore();
    store.hold();
    const rec = new CallRecorder(store, 'c1', log);
    rec.start(call('c1'));
    rec.setEngine('emulator');
    rec.handoff('A', 'B', 10);
    // All of that was queued synchronously while the database was "slow".
    expect(store.writes).toEqual([]);
    store.unhold();
    await rec.flush();
    expect(store.writes).toEqual(['create', 'engine:emulator', 'handoff:A>B']);
  });

  it('writes transcript items in conversation order, each once its text is final', async () => {
    const store = new FakeCallStore();
    const rec = new CallRecorder(store, 'c1', log);
    rec.start(call('c1'));
    rec.openItem('a1', { role: 'assistant' });
    rec.openItem('u1', { role: 'caller' });
    rec.openItem('a2', { role: 'assistant' });
    rec.completeItem('a2', { text: 'second answer' });
    rec.completeItem('u1', { text: 'a question' });
    await rec.flush();
    expect(store.transcript).toEqual([]);
    rec.completeItem('a1', { text: 'greeting' });
    await rec.flush();
    expect(store.transcript.map((t) => t.text)).toEqual(['greeting', 'a question', 'second answer']);
  });

  it('finalises once, after everything else, writing unfinished items as far as they got', async () => {
    const store = new FakeCallStore();
    const rec = new CallRecorder(store, 'c1', log);
    rec.start(call('c1'));
    rec.openItem('u1', { role: 'caller' });
    rec.updateItem('u1', { text: 'half a' });
    rec.openItem('u2', { role: 'caller' });
    rec.latency('turn.x', 12.5, 1);
    rec.latency('bad', Number.NaN);
    expect(await rec.finalize({ status: 'completed', endReason: 'caller_hangup' })).toBe(true);
    expect(await rec.finalize({ status: 'failed', endReason: 'error' })).toBe(true);
    expect(store.writes).toEqual(['create', 'transcript:half a', 'latency:1', 'finalize:caller_hangup']);
    expect(store.samples).toEqual([{ metric: 'turn.x', valueMs: 12.5, turn: 1 }]);
  });

  it('waits at the end for tool invocations in flight to record their outcome', async () => {
    const store = new FakeCallStore();
    const rec = new CallRecorder(store, 'c1', log);
    rec.start(call('c1'));
    const recorder = rec.toolRecorder();
    await recorder.begin({ callId: 'c1', toolCallId: 't1', toolName: 'slow', idempotencyKey: 'c1:t1', arguments: {} });
    expect(rec.toolsRunning).toBe(1);
    const done = rec.finalize({ status: 'completed', endReason: 'caller_hangup' });
    void recorder.finish('c1:t1', { status: 'cancelled', durationMs: 5 });
    await done;
    expect(store.tools.get('c1:t1')).toEqual({ status: 'cancelled' });
    expect(store.writes.at(-1)).toBe('finalize:caller_hangup');
  });

  it('continues the existing row when the CallSid was already recorded', async () => {
    const store = new FakeCallStore();
    store.duplicateSid = true;
    const rec = new CallRecorder(store, 'new-id', log);
    rec.start(call('new-id', 'CA-existing'));
    await rec.flush();
    expect(rec.callId).toBe('existing-id');
  });
});

describe('cutting the assistant text to what was heard', () => {
  const text = 'We are open nine to five on weekdays';
  it('keeps the same share of the words as of the audio, ending on a whole word', () => {
    expect(cutToHeard(text, 1000, 1000)).toBe(text);
    expect(cutToHeard(text, 0, 1000)).toBe('');
    expect(cutToHeard(text, 500, 1000)).toBe('We are open nine');
    expect(text.startsWith(cutToHeard(text, 333, 1000))).toBe(true);
    expect(cutToHeard(text, 10, 1000)).toBe('');
  });
});
