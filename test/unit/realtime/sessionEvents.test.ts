/**
 * Model events driven by hand into the call's session events, with the real playback, audio path
 * and recorder: what the transcript keeps of an answer the call ended in the middle of.
 */
import type { ModelEvent, ReplayItem } from '../../../src/engines/index.js';
import { NO_CALL_TELEMETRY } from '../../../src/observability/index.js';
import { createLogger } from '../../../src/observability/logger.js';
import { PassthroughAudio } from '../../../src/realtime/audioPath.js';
import type { CallPort } from '../../../src/realtime/callPort.js';
import { Playback, type CarrierOut } from '../../../src/realtime/playback.js';
import { CallRecorder, cutToHeard } from '../../../src/realtime/records.js';
import { SessionEvents } from '../../../src/realtime/sessionEvents.js';
import { FakeCallStore } from '../../fakes/callStore.js';

const GREETING = 'Thanks for calling Luna Hair Studio, how can I help you today?';

/** A carrier that plays nothing by itself: marks are acknowledged when the test says so. */
class Carrier implements CarrierOut {
  frames = 0;
  readonly marks: string[] = [];
  audio(): void {
    this.frames++;
  }
  mark(name: string): void {
    this.marks.push(name);
  }
  clear(): void {}
}

function harness() {
  const store = new FakeCallStore();
  const log = createLogger('test');
  const rec = new CallRecorder(store, 'c1', log);
  rec.start({ id: 'c1', callSid: 'CA1', vertical: 'salon', manifestVersion: '1' });
  const carrier = new Carrier();
  const path = new PassthroughAudio();
  const remembered: ReplayItem[] = [];
  let ended = false;
  let events!: SessionEvents;
  const playback = new Playback(carrier, { onItemPlayed: (itemId, ms) => events.onItemPlayed(itemId, ms) }, { markEveryFrames: 5 });
  const port: CallPort = {
    callId: 'c1', vertical: 'salon', log, telemetry: NO_CALL_TELEMETRY, rec, playback, toolRecorder: rec.toolRecorder(),
    ended: () => ended, audio: () => path, offsetMs: () => 0, currentAgent: () => 'receptionist', setAgent: () => undefined,
    remember: (item) => void remembered.push(item), batchCarrier: (fn) => fn(), itemCut: () => undefined,
    busy: () => undefined, callerSpoke: () => undefined, maybeQuiet: () => undefined,
    responseCreated: () => undefined, responseDone: () => undefined,
  };
  events = new SessionEvents(port);
  const send = (e: ModelEvent): void => events.onModelEvent(e, undefined);
  /** `ms` of the answer's audio arrives with the words it covers (as the realtime engines stream them). */
  const speak = (itemId: string, ms: number, words: string): void => {
    send({ type: 'audio_delta', itemId, responseId: 'r1', contentIndex: 0, delta: Buffer.alloc(ms * 8, 0x55).toString('base64'), receivedAtMs: performance.now() });
    send({ type: 'assistant_transcript_delta', itemId, delta: words });
  };
  /** The caller has heard the answer up to the mark sent after `ms` of it. */
  const heard = (ms: number): void => playback.acknowledge(carrier.marks[ms / 100 - 1]!);
  const heardAll = (): void => playback.acknowledge(carrier.marks.at(-1)!);
  /** The call is over: nothing more reaches the caller. */
  const hangUp = (): void => {
    ended = true;
  };
  /** The call ends here: open items are written, the row finalised. */
  const end = async () => {
    ended = true;
    events.callEnded();
    await rec.finalize({ status: 'completed', endReason: 'caller_hangup' });
    return store.transcript.map(({ role, text, interrupted }) => ({ role, text, interrupted }));
  };
  return { send, speak, heard, heardAll, hangUp, end, remembered, carrier };
}

describe('session events: a call that ends in the middle of an answer', () => {
  it('records the words of a greeting still being generated, cut to what the caller heard and marked interrupted', async () => {
    const h = harness();
    h.send({ type: 'response_created', responseId: 'r1' });
    h.send({ type: 'assistant_item_added', itemId: 'i1', responseId: 'r1' });
    // Two of four seconds generated (the model runs behind), 900 ms heard when the caller hangs up.
    h.speak('i1', 1000, 'Thanks for calling Luna ');
    h.speak('i1', 1000, 'Hair Studio, how ');
    h.heard(900);
    const transcript = await h.end();
    const said = cutToHeard('Thanks for calling Luna Hair Studio, how ', 900, 2000);
    expect(said).not.toBe('');
    expect(GREETING.startsWith(said)).toBe(true);
    expect(transcript).toEqual([{ role: 'assistant', text: said, interrupted: true }]);
  });

  it('writes the greeting before a caller turn still waiting for its transcript, and that turn as far as it got', async () => {
    const h = harness();
    h.send({ type: 'response_created', responseId: 'r1' });
    h.send({ type: 'assistant_item_added', itemId: 'i1', responseId: 'r1' });
    h.speak('i1', 1000, 'Thanks for calling Luna ');
    h.heard(1000);
    h.send({ type: 'caller_item_added', itemId: 'u1', audio: true, text: undefined });
    h.send({ type: 'caller_transcript_partial', itemId: 'u1', text: "I'd like" });
    h.speak('i1', 1000, 'Hair Studio, how ');
    h.heard(2000);
    const transcript = await h.end();
    expect(transcript).toEqual([
      // All the audio that came was heard, but the answer was not finished: it was cut.
      { role: 'assistant', text: 'Thanks for calling Luna Hair Studio, how ', interrupted: true },
      { role: 'caller', text: "I'd like", interrupted: false },
    ]);
  });

  it('keeps a whole answer that was generated and heard to its end, not interrupted', async () => {
    const h = harness();
    h.send({ type: 'response_created', responseId: 'r1' });
    h.send({ type: 'assistant_item_added', itemId: 'i1', responseId: 'r1' });
    h.speak('i1', 1000, 'Thanks for calling Luna ');
    h.speak('i1', 1000, 'Hair Studio, how can I help you today?');
    h.send({ type: 'output_audio_done', itemId: 'i1', responseId: 'r1' });
    h.send({ type: 'assistant_transcript_done', itemId: 'i1', transcript: GREETING });
    h.send({ type: 'assistant_item_done', itemId: 'i1', responseId: 'r1', transcript: GREETING });
    h.heardAll();
    const transcript = await h.end();
    expect(transcript).toEqual([{ role: 'assistant', text: GREETING, interrupted: false }]);
  });

  it('does not record as said an answer none of which reached the caller (released after the call ended)', async () => {
    const h = harness();
    h.hangUp();
    // An answer held back (its caller turn being classified) is let go as the call closes.
    h.send({ type: 'response_created', responseId: 'r1' });
    h.send({ type: 'assistant_item_added', itemId: 'i1', responseId: 'r1' });
    h.speak('i1', 1000, GREETING);
    h.send({ type: 'assistant_transcript_done', itemId: 'i1', transcript: GREETING });
    h.send({ type: 'assistant_item_done', itemId: 'i1', responseId: 'r1', transcript: GREETING });
    expect(h.carrier.frames).toBe(0);
    expect(await h.end()).toEqual([]);
  });
});
