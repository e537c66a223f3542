/**
 * Flow control on the call path, through the real gateway, emulator and Postgres: caller audio
 * that arrives before the model is ready is held (at most 2 s) and heard; a carrier or model
 * socket whose peer stops reading (its reader paused on loopback) has that call's audio dropped
 * oldest first within fixed bounds and the call ended with a clear reason, while a neighbouring
 * call goes on untouched.
 */
import { PCMU8K, SpeechSynthesizer } from '../../src/audio/index.js';
import { snapshotEdgeStats } from '../../src/realtime/index.js';
import { eventually, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const scenarios = [
  rtScenario('early', `
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: Book a table please.
    agent:
      - say: Certainly, for how many?
`),
  rtScenario('tour', `
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: When are you open on monday?
    agent:
      - say: We are open nine to five.
`),
];

/** Bounds small enough to reach on loopback within a test. */
const LIMITS = {
  maxCarrierBufferedBytes: 64 * 1024,
  maxModelBufferedBytes: 64 * 1024,
  maxHeldPlaybackMs: 1000,
  maxHeldCallerAudioMs: 2000,
  stallTimeoutMs: 1500,
};

async function endedRow(h: Harness, callSid: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const r = await h.store.calls.getBySid(callSid);
    return r?.endedAt ? r : undefined;
  }, 'finalised call row', timeoutMs);
}

/** The phone stops reading its socket for good (`ws` would resume a merely paused one). */
function pauseReading(caller: TwilioCaller): void {
  const socket = (caller.ws as unknown as { _socket: { pause(): void; resume(): unknown } })._socket;
  socket.pause();
  socket.resume = () => socket;
}

describe('caller audio before the model is ready', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenarios, session: { connectTimeoutMs: 6000 } });
    // The caller's voice is ready before the call (the resampler compiles on first use).
    await new SpeechSynthesizer({ engine: 'synthetic' }).clip('Book a table please.', PCMU8K);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is held and sent once the session is up, so the caller is heard', async () => {
    const before = snapshotEdgeStats();
    h.proxy.upgradeDelayMs = 2000;
    // Real-time pace: the caller talks straight away, while the model is still connecting.
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/early', speed: 1 });
    await caller.say('Book a table please.', 400);
    const row0 = await eventually(() => h.store.calls.getBySid(caller.callSid), 'call row');
    await eventually(async () => (await h.store.transcripts.list(row0.id)).some((t) => t.role === 'caller'), 'the caller transcribed', 20_000);
    h.proxy.upgradeDelayMs = 0;
    await caller.hangUp();
    const row = await endedRow(h, caller.callSid);
    const lines = (await h.store.transcripts.list(row.id)).map((t) => `${t.role}: ${t.text}`);
    expect(lines).toContain('caller: Book a table please.');
    const flow = (row.metadata as { audioFlow?: { callerAudio?: { held: number; flushed: number; droppedOldest: number } } }).audioFlow;
    // The caller's first frames waited for the model (how many depends on how fast this loaded
    // process sends them; at real time about 100 over the 2 s).
    expect(flow?.callerAudio?.held).toBeGreaterThan(0);
    expect(flow!.callerAudio!.flushed + flow!.callerAudio!.droppedOldest).toBe(flow?.callerAudio?.held);
    const after = snapshotEdgeStats();
    expect(after.framesHeld - before.framesHeld).toBe(flow?.callerAudio?.held);
  }, 30_000);
});

describe('a model socket that stops reading', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenarios, session: LIMITS });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('holds at most 2 s of caller audio, ends that call model_stalled and leaves the neighbour alone', async () => {
    const neighbour = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/tour', speed: 4 });
    await neighbour.waitFor(() => neighbour.media().length > 20, 'neighbour greeting');
    await neighbour.waitPlayed();

    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/tour', speed: 4 });
    await caller.waitFor(() => caller.media().length > 20, 'greeting');
    const session = h.manager.get(caller.callSid)!;
    // The model side of this call (the proxy's newest connection) stops reading.
    h.proxy.pauseReading(h.proxy.connections - 1);
    const before = snapshotEdgeStats();
    const frame = Buffer.alloc(160, 0x7f).toString('base64');
    let maxModelBuffered = 0;
    let maxHeld = 0;
    // Far more than the kernel's socket buffers hold, sent as fast as the gateway reads it.
    for (let i = 0; i < 40_000 && !session.ended; i++) {
      caller.send({ event: 'media', streamSid: caller.streamSid, sequenceNumber: String(i + 10), media: { track: 'inbound', chunk: String(i), timestamp: String(i * 20), payload: frame } });
      if (i % 200 === 0) {
        await new Promise((r) => setImmediate(r));
        const b = session.backlog;
        maxModelBuffered = Math.max(maxModelBuffered, b.modelBufferedBytes);
        maxHeld = Math.max(maxHeld, b.heldCallerFrames);
      }
    }
    const row = await endedRow(h, caller.callSid);
    expect(row.endReason).toBe('model_stalled');
    expect(row.status).toBe('failed');
    // Bounded: the send buffer never passes the bound by more than one append; 2 s of frames held at most.
    expect(maxModelBuffered).toBeLessThanOrEqual(LIMITS.maxModelBufferedBytes + 1024);
    expect(maxHeld).toBeLessThanOrEqual(100);
    const after = snapshotEdgeStats();
    expect(after.framesDroppedHeldFull).toBeGreaterThan(before.framesDroppedHeldFull);
    expect(after.callsEndedModelStalled).toBe(before.callsEndedModelStalled + 1);
    const flow = (row.metadata as { audioFlow?: { callerAudio?: { droppedOldest: number } } }).audioFlow;
    expect(flow?.callerAudio?.droppedOldest).toBeGreaterThan(0);

    expect(h.manager.get(neighbour.callSid)?.ended).toBe(false);
    expect((await h.store.calls.getBySid(neighbour.callSid))?.endedAt).toBeNull();
    await caller.close();
    // The neighbour's model still hears it and answers.
    const heard = neighbour.media().length;
    await neighbour.say('When are you open on monday?');
    await neighbour.waitFor(() => neighbour.media().length > heard + 20, 'neighbour answer');
    await neighbour.hangUp();
    expect((await endedRow(h, neighbour.callSid)).endReason).toBe('caller_hangup');
  }, 60_000);
});

describe('a carrier socket that stops reading', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenarios, session: LIMITS });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('drops playback oldest first within a bound, ends that call carrier_stalled and leaves the neighbour alone', async () => {
    const neighbour = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/tour', speed: 4 });
    await neighbour.waitFor(() => neighbour.media().length > 20, 'neighbour greeting');
    await neighbour.waitPlayed();

    // The phone never reads, and the model's first audio delta carries minutes of audio (several
    // megabytes: more than the kernel's socket buffers absorb), the rest of the greeting as usual.
    let amplified = false;
    h.proxy.rewriteServer = (e) => {
      if (e.type !== 'response.output_audio.delta' || amplified) return e;
      amplified = true;
      const one = Buffer.from(String(e.delta), 'base64');
      return { ...e, delta: Buffer.concat(Array.from({ length: 2500 }, () => one)).toString('base64') };
    };
    const before = snapshotEdgeStats();
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/tour', speed: 4 });
    pauseReading(caller);
    const session = h.manager.get(caller.callSid)!;
    let maxCarrierBuffered = 0;
    let maxHeldOps = 0;
    let largestDelta = 0;
    const sample = setInterval(() => {
      const b = session.backlog;
      maxCarrierBuffered = Math.max(maxCarrierBuffered, b.carrierBufferedBytes);
      maxHeldOps = Math.max(maxHeldOps, b.heldPlaybackOps);
    }, 5);
    try {
      const row = await endedRow(h, caller.callSid, 30_000);
      expect(row.endReason).toBe('carrier_stalled');
      expect(row.status).toBe('failed');
    } finally {
      clearInterval(sample);
      h.proxy.rewriteServer = undefined;
    }
    for (const e of h.proxy.events) if (e.type === 'response.output_audio.delta') largestDelta = Math.max(largestDelta, Buffer.from(String(e.event.delta), 'base64').length);
    // One delta's frames are written in one batch (the bound is checked before it): past the
    // bound the send buffer holds at most that one batch of Twilio media messages.
    // A media message (~300 bytes with its base64), a fifth of a mark message, the WebSocket header.
    const perFrameJson = 360;
    expect(maxCarrierBuffered).toBeLessThanOrEqual(LIMITS.maxCarrierBufferedBytes + Math.ceil(largestDelta / 160) * perFrameJson + 64 * 1024);
    // 1 s of frames (50) and their marks.
    expect(maxHeldOps).toBeLessThanOrEqual(50 + 20);
    const after = snapshotEdgeStats();
    expect(after.framesDroppedSlowCarrier).toBeGreaterThan(before.framesDroppedSlowCarrier);
    expect(after.callsEndedCarrierStalled).toBe(before.callsEndedCarrierStalled + 1);

    // The neighbour is untouched: still live, and it still gets its answer.
    expect(h.manager.get(neighbour.callSid)?.ended).toBe(false);
    const heard = neighbour.media().length;
    await neighbour.say('When are you open on monday?');
    await neighbour.waitFor(() => neighbour.media().length > heard + 20, 'neighbour answer');
    await neighbour.hangUp();
    expect((await endedRow(h, neighbour.callSid)).endReason).toBe('caller_hangup');
    (caller.ws as unknown as { terminate(): void }).terminate();
  }, 60_000);
});
