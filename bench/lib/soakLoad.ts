/**
 * The soak's callers: `calls` simulated Twilio calls at all times, each lasting a random while,
 * then hanging up and replaced by a new one. A share of them carry a fault: a model fault
 * scripted in their scenario (cued by their second turn), or a carrier fault the caller commits
 * itself some seconds in (garbage frames; a stalled reader that stops reading its socket for a
 * while). Callers speak in turns and never talk over the agent, so on a call without faults
 * every frame either way can be accounted for.
 */
import WebSocket from 'ws';
import { PCMU8K, SpeechSynthesizer } from '../../src/audio/index.js';
import type { FaultKind } from '../../src/scenarios/index.js';
import { faultScenarioName } from './soakScenarios.js';

export type SoakFault = FaultKind | 'garbage_frames' | 'stalled_reader';

const SILENCE = Buffer.alloc(160, 0xff).toString('base64');
const PHRASES = ['Hello, I would like to book a haircut for Saturday morning please.', 'How much is a colour treatment?', 'Sorry, could you repeat that?'];
const GARBAGE = [
  'not json at all', '{"event":"media","media":{"payload":"!!!not base64!!!"}}', '{"event":"media"}', '[1,2,3]',
  '{"event":"unknown_event","x":1}', `{"event":"media","streamSid":"MZ0","media":{"payload":"${'A'.repeat(64_000)}"}}`, '{"event":"mark","mark":{}}',
];

export interface SoakOptions {
  baseUrl: string;
  to: string;
  calls: number;
  /** Each call lasts a random time in this range. */
  callMs: [number, number];
  /** Share of calls that carry a fault. */
  faultShare: number;
  kinds: readonly SoakFault[];
  /** When a carrier fault happens, after the stream starts. */
  carrierFaultAtMs: number;
  /** How long a stalled reader stops reading. */
  stallReaderMs: number;
}

export interface SoakCallRecord {
  tag: string;
  callSid: string;
  fault: SoakFault | null;
  /** Caller frames sent after the agent's first audio arrived (the model was up by then). */
  framesSentAfterAudio: number;
  framesReceived: number;
  closedUnexpectedly: boolean;
  placed: boolean;
}

class Call {
  ws: WebSocket | undefined;
  seq = 0;
  speech: string[] = [];
  speechHead = 0;
  playQueue: Array<string | null> = [];
  playHead = 0;
  idleFor = 0;
  sinceSpoke = 0;
  open = false;
  closing = false;
  heardAudio = false;
  faultDone = false;
  /** The caller finished a phrase and no answer has started yet (it does not hang up on a reply in flight). */
  awaitingReplySince = 0;
  readonly startedAt = performance.now();
  constructor(readonly rec: SoakCallRecord, readonly endsAt: number) {}
  get streamSid(): string {
    return 'MZ' + this.rec.callSid.slice(2);
  }
  get speaking(): boolean {
    return this.speechHead < this.speech.length;
  }
  get playbackEmpty(): boolean {
    return this.playHead >= this.playQueue.length;
  }
}

export class SoakLoad {
  readonly records: SoakCallRecord[] = [];
  readonly counters = { placed: 0, webhookFailures: 0, faultsInjected: 0, garbageSent: 0 };
  private readonly live = new Set<Call>();
  private phrases: string[][] = [];
  private ticker: NodeJS.Timeout | undefined;
  private stopping = false;
  private seq = 0;
  /** Where the round of fault kinds starts (so short runs see carrier faults too). */
  private kindTurn = Math.floor(Math.random() * 8);
  private readonly slots: Promise<void>[] = [];

  constructor(private readonly opts: SoakOptions) {}

  async start(): Promise<void> {
    const synth = new SpeechSynthesizer({ engine: 'synthetic' });
    for (const p of PHRASES) {
      const b = Buffer.from((await synth.clip(p, PCMU8K)).bytes);
      const frames: string[] = [];
      for (let i = 0; i + 160 <= b.length; i += 160) frames.push(b.subarray(i, i + 160).toString('base64'));
      for (let i = 0; i < 40; i++) frames.push(SILENCE);
      this.phrases.push(frames);
    }
    this.ticker = setInterval(() => this.tick(), 20);
    for (let i = 0; i < this.opts.calls; i++) {
      this.slots.push(new Promise<void>((r) => setTimeout(r, i * 50)).then(() => this.slot()));
    }
  }

  /** No new calls; every call hangs up politely (after the agent stops talking, at most `graceMs`). */
  async stop(graceMs = 20_000): Promise<void> {
    this.stopping = true;
    const until = performance.now() + graceMs;
    while (this.live.size > 0 && performance.now() < until) await sleep(100);
    await Promise.all([...this.live].map((c) => this.hangUp(c)));
    await Promise.all(this.slots);
    if (this.ticker) clearInterval(this.ticker);
  }

  private async slot(): Promise<void> {
    while (!this.stopping) {
      await this.runCall();
      await sleep(200);
    }
  }

  private nextFault(): SoakFault | null {
    if (Math.random() >= this.opts.faultShare) return null;
    return this.opts.kinds[this.kindTurn++ % this.opts.kinds.length]!;
  }

  private async runCall(): Promise<void> {
    const n = ++this.seq;
    const fault = this.nextFault();
    const scenario = fault && fault !== 'garbage_frames' && fault !== 'stalled_reader' ? faultScenarioName(fault) : 'calm';
    const tag = `soak/${scenario}.${n}`;
    const callSid = `CA${n.toString(16).padStart(8, '0')}${Date.now().toString(16)}`.padEnd(34, '0').slice(0, 34);
    const rec: SoakCallRecord = { tag, callSid, fault, framesSentAfterAudio: 0, framesReceived: 0, closedUnexpectedly: false, placed: false };
    this.records.push(rec);
    const [min, max] = this.opts.callMs;
    const call = new Call(rec, performance.now() + min + Math.random() * (max - min));
    let params: Record<string, string> = {};
    try {
      const res = await fetch(`${this.opts.baseUrl}/twilio/voice`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          CallSid: callSid, AccountSid: 'AC' + '0'.repeat(32), From: `+1555${String(3000000 + (n % 1000000)).padStart(7, '0')}`, To: this.opts.to,
          CallStatus: 'ringing', 'X-Switchboard-Scenario': tag,
        }).toString(),
      });
      const twiml = await res.text();
      for (const m of twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) params[m[1]!] = m[2]!;
      if (!twiml.includes('<Stream')) throw new Error('no stream');
    } catch {
      this.counters.webhookFailures++;
      return;
    }
    const ws = new WebSocket(this.opts.baseUrl.replace(/^http/, 'ws') + '/twilio/stream', { perMessageDeflate: false });
    call.ws = ws;
    const closed = new Promise<void>((resolve) => ws.on('close', () => {
      if (call.open && !call.closing) rec.closedUnexpectedly = true;
      call.open = false;
      this.live.delete(call);
      resolve();
    }));
    ws.on('message', (data) => this.onMessage(call, data.toString()));
    ws.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
    } catch {
      return;
    }
    this.counters.placed++;
    rec.placed = true;
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(JSON.stringify({
      event: 'start', sequenceNumber: String(++call.seq), streamSid: call.streamSid,
      start: {
        accountSid: 'AC' + '0'.repeat(32), streamSid: call.streamSid, callSid, tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: params,
      },
    }));
    params = {};
    call.open = true;
    this.live.add(call);
    await closed;
  }

  private onMessage(call: Call, text: string): void {
    let msg: { event?: string; mark?: { name?: string } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    if (msg.event === 'media') {
      call.rec.framesReceived++;
      call.heardAudio = true;
      call.awaitingReplySince = 0;
      call.playQueue.push(null);
    } else if (msg.event === 'mark' && msg.mark?.name) {
      call.playQueue.push(msg.mark.name);
    } else if (msg.event === 'clear') {
      call.playQueue = [];
      call.playHead = 0;
    }
  }

  private async hangUp(call: Call): Promise<void> {
    const ws = call.ws;
    if (!ws || call.closing) return;
    call.closing = true;
    if (ws.readyState !== WebSocket.OPEN) return;
    ws.resume();
    // Frames sent just now are still on their way to the model: let them land first.
    await sleep(300);
    ws.send(JSON.stringify({ event: 'stop', sequenceNumber: String(++call.seq), streamSid: call.streamSid, stop: { callSid: call.rec.callSid } }));
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { ws.terminate(); resolve(); }, 3000);
      ws.once('close', () => { clearTimeout(t); resolve(); });
      ws.close();
    });
  }

  private tick(): void {
    const now = performance.now();
    for (const c of this.live) if (c.open && !c.closing) this.step(c, now);
  }

  private step(c: Call, now: number): void {
    const ws = c.ws!;
    if (!c.faultDone && now - c.startedAt >= this.opts.carrierFaultAtMs && (c.rec.fault === 'garbage_frames' || c.rec.fault === 'stalled_reader')) {
      c.faultDone = true;
      this.counters.faultsInjected++;
      if (c.rec.fault === 'garbage_frames') {
        for (const g of GARBAGE) ws.send(g);
        this.counters.garbageSent += GARBAGE.length;
      } else {
        ws.pause();
        setTimeout(() => { if (ws.readyState === WebSocket.OPEN) ws.resume(); }, this.opts.stallReaderMs).unref();
      }
    }
    const payload = c.speaking ? c.speech[c.speechHead++]! : SILENCE;
    ws.send('{"event":"media","sequenceNumber":"' + ++c.seq + '","streamSid":"' + c.streamSid + '","media":{"track":"inbound","chunk":"' + c.seq + '","timestamp":"' + c.seq * 20 + '","payload":"' + payload + '"}}');
    if (c.heardAudio) c.rec.framesSentAfterAudio++;
    // Handset playback at real time; marks acknowledged as it reaches them.
    this.ackMarks(c);
    if (!c.playbackEmpty) {
      c.playHead++;
      c.idleFor = 0;
      this.ackMarks(c);
      if (c.playHead > 512 && c.playHead * 2 > c.playQueue.length) {
        c.playQueue = c.playQueue.slice(c.playHead);
        c.playHead = 0;
      }
    } else {
      c.idleFor++;
    }
    c.sinceSpoke++;
    if (c.speaking || !c.playbackEmpty || c.idleFor < 30) return;
    const awaiting = c.awaitingReplySince > 0 && now - c.awaitingReplySince < 8000;
    if ((now >= c.endsAt || this.stopping) && !awaiting) {
      void this.hangUp(c);
      return;
    }
    if (c.sinceSpoke > 150 && c.heardAudio && !awaiting && now < c.endsAt && !this.stopping) {
      c.speech = this.phrases[(c.seq + c.rec.callSid.length) % this.phrases.length]!;
      c.speechHead = 0;
      c.sinceSpoke = 0;
      // Counted from when the phrase (and its trailing silence) has been sent.
      c.awaitingReplySince = now + c.speech.length * 20;
    }
  }

  private ackMarks(c: Call): void {
    while (c.playHead < c.playQueue.length && c.playQueue[c.playHead] !== null) {
      const name = c.playQueue[c.playHead++]!;
      c.ws!.send(JSON.stringify({ event: 'mark', sequenceNumber: String(++c.seq), streamSid: c.streamSid, mark: { name } }));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
