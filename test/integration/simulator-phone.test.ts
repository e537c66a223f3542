/**
 * The simulated phone behaves like Twilio's side of a Media Stream: continuous 20 ms frames,
 * marks acknowledged only once the audio before them has played, `clear` drops unplayed audio
 * and returns pending marks at once, `stop` and the status callback at the end, signatures on
 * every request. Driven through the real gateway by a scripted call handler.
 */
import { SpeechSynthesizer } from '../../src/audio/index.js';
import { parseScenario } from '../../src/scenarios/index.js';
import { createGateway, type Gateway } from '../../src/server/index.js';
import { simulateCall, runScenarios } from '../../src/simulator/index.js';
import type { CallHandler, CallStatusReport, PrepareInput } from '../../src/realtime/types.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import type { CallEvent, CarrierConnection } from '../../src/telephony/types.js';
import { DEMO_NUMBER, fixtureCatalog, type FixtureCatalog } from './serverHelpers.js';

const SILENCE = Buffer.alloc(160, 0xff).toString('base64');
const TONE = Buffer.alloc(160, 0x20).toString('base64');
const TOKEN = 'phone-test-token';
const PUBLIC_URL = 'https://phone-gw.example.test';

interface Seen {
  /** Phone clock (timestamp of the last inbound frame) when each mark came back. */
  acks: Array<{ name: string; phoneMs: number }>;
  timestamps: number[];
  seqs: number[];
  clearSentAtMs: number | null;
  stopped: boolean;
  errors: string[];
}

/** Greets with two marked stretches of audio; after the caller has spoken, answers and clears at once. */
class ScriptedHandler implements CallHandler {
  readonly seen: Seen = { acks: [], timestamps: [], seqs: [], clearSentAtMs: null, stopped: false, errors: [] };
  readonly prepared: PrepareInput[] = [];
  readonly statuses: CallStatusReport[] = [];

  prepare(input: PrepareInput): void {
    this.prepared.push(input);
  }

  attach(conn: CarrierConnection): void {
    const s = this.seen;
    let phoneMs = 0;
    let heardSpeech = false;
    let silentAfter = 0;
    let answered = false;
    const burst = (n: number) => {
      for (let i = 0; i < n; i++) conn.sendAudioFrame(TONE);
    };
    conn.on('error', (e) => s.errors.push(e.code));
    conn.on('event', (e: CallEvent) => {
      if (e.type === 'audio') {
        phoneMs = e.timestampMs ?? phoneMs;
        s.timestamps.push(e.timestampMs ?? -1);
        s.seqs.push(e.seq ?? -1);
        if (e.payloadBase64 !== SILENCE) {
          heardSpeech = true;
          silentAfter = 0;
        } else if (heardSpeech && !answered && ++silentAfter === 10) {
          answered = true;
          burst(100);
          conn.sendMark('m3');
          conn.clear();
          s.clearSentAtMs = phoneMs;
        }
      } else if (e.type === 'mark') {
        s.acks.push({ name: e.name, phoneMs });
      } else if (e.type === 'stop') {
        s.stopped = true;
      }
    });
    void conn.started.then(() => {
      burst(50);
      conn.sendMark('m1');
      burst(50);
      conn.sendMark('m2');
    });
  }

  async statusChanged(report: CallStatusReport): Promise<void> {
    this.statuses.push(report);
  }

  stats() {
    return { active: 0, byVertical: {} };
  }

  async shutdown(): Promise<void> {}
}

let fixture: FixtureCatalog;
let handler: ScriptedHandler;
let gateway: Gateway;
let url: string;

beforeAll(async () => {
  fixture = fixtureCatalog();
  handler = new ScriptedHandler();
  gateway = createGateway({ catalog: fixture.catalog, handler, carriers: [createTwilioCarrier({ publicUrl: PUBLIC_URL, authToken: TOKEN })] });
  const { port } = await gateway.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await gateway.close();
  fixture.cleanup();
});

const synth = new SpeechSynthesizer({ engine: 'synthetic' });

describe('the simulated phone', () => {
  it('plays, acknowledges, clears and hangs up like Twilio', async () => {
    const scenario = parseScenario(`
brain: rules
turns:
  - caller: Hello there, I have a question.
    pauseMs: 0
hangUpAfterMs: 400
`, { vertical: 'demo', name: 'phone' });
    const call = await simulateCall(scenario, { gatewayUrl: url, publicUrl: PUBLIC_URL, authToken: TOKEN, to: DEMO_NUMBER, synth, speed: 4 });
    const s = handler.seen;

    expect(call.answered).toBe(true);
    expect(call.problems).toEqual([]);
    expect(s.errors).toEqual([]);
    expect(handler.prepared[0]).toMatchObject({ callSid: call.callSid, scenario: 'demo/phone' });

    // Continuous 20 ms frames with increasing sequence numbers, speech or silence, for the whole call.
    expect(s.timestamps.length).toBe(call.framesSent);
    expect(s.timestamps.every((t, i) => t === i * 20)).toBe(true);
    expect(s.seqs.every((q, i) => i === 0 || q > s.seqs[i - 1]!)).toBe(true);

    // A mark comes back once the audio queued before it has played: 50 frames = 1 s, 100 = 2 s.
    const m1 = s.acks.find((a) => a.name === 'm1')!;
    const m2 = s.acks.find((a) => a.name === 'm2')!;
    expect(m1.phoneMs).toBeGreaterThanOrEqual(980);
    expect(m2.phoneMs).toBeGreaterThanOrEqual(1980);
    expect(m2.phoneMs).toBeGreaterThan(m1.phoneMs);

    // clear drops the 2 s of audio queued behind it and returns its mark at once.
    const m3 = s.acks.find((a) => a.name === 'm3')!;
    expect(s.clearSentAtMs).not.toBeNull();
    expect(m3.phoneMs - s.clearSentAtMs!).toBeLessThan(500);
    expect(call.clears).toBe(1);
    const clear = call.timeline.find((e) => e.kind === 'clear');
    expect(clear && clear.kind === 'clear' && clear.droppedMs).toBeGreaterThan(1500);

    // The caller hung up: stop on the stream, then Twilio's status callback.
    expect(call.endedBy).toBe('caller');
    expect(s.stopped).toBe(true);
    expect(handler.statuses).toContainEqual(expect.objectContaining({ carrier: 'twilio', callSid: call.callSid, status: 'completed', ended: true, outcome: 'completed' }));
    expect(call.timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['answered', 'agent', 'caller', 'clear', 'hangup']));
  }, 60_000);

  it('reports a number the gateway does not serve as an unanswered call', async () => {
    const scenario = parseScenario(`
caller: { to: "+15550009999" }
brain: rules
turns:
  - caller: Hello?
`, { vertical: 'demo', name: 'nowhere' });
    const [run] = await runScenarios([scenario], { gatewayUrl: url, publicUrl: PUBLIC_URL, authToken: TOKEN, verticalsDir: '.', agentsDir: '.' });
    expect(run!.ok).toBe(false);
    expect(run!.call?.answered).toBe(false);
    expect(run!.call?.apology).toMatch(/not in service/);
  });

  it('is refused when it signs with the wrong token', async () => {
    const scenario = parseScenario('brain: rules\nturns:\n  - caller: Hello?\n', { vertical: 'demo', name: 'badsig' });
    await expect(simulateCall(scenario, { gatewayUrl: url, publicUrl: PUBLIC_URL, authToken: 'wrong', to: DEMO_NUMBER, synth })).rejects.toMatchObject({ code: 'SIMULATOR_WEBHOOK_REFUSED' });
  });
});
