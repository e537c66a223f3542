/**
 * N simulated phone calls against a gateway, as Twilio places them: the signed-less voice
 * webhook, then a Media Streams socket sending one 20 ms μ-law frame per call every 20 ms
 * (speech or silence, like a real line), playing the gateway's frames back at real time and
 * acknowledging marks when playback reaches them. Callers talk in turns and barge in on about
 * half of the agent's answers. One global ticker drives every call.
 */
import WebSocket from 'ws';
import { PCMU8K, SpeechSynthesizer } from '../../src/audio/index.js';
import { httpSend } from '../../src/telephony/http.js';

const SILENCE = Buffer.alloc(160, 0xff).toString('base64');
const FRAME_B64_CHARS = 216; // 160 bytes
const PHRASES = [
  'Hello, I would like to book a haircut for Saturday morning please.',
  'Can you tell me how much a colour treatment costs?',
  'Sorry, could you repeat that?',
];

export interface LoadOptions {
  baseUrl: string;
  to: string;
  calls: number;
  rampMs: number;
  /** Fraction of the agent's answers the caller talks over (after `bargeAfterMs`). */
  bargeInShare: number;
  bargeAfterMs: number;
  /**
   * Every call sends a WebSocket ping on its media socket this often (staggered over the calls)
   * and times the pong: the round trip of the media path (through any proxy, queued behind the
   * call's frames, answered by the gateway's event loop). 0 or unset: no pings.
   */
  pingEveryMs?: number;
}

export interface LoadCounters {
  callsStarted: number;
  callsConnected: number;
  callsFailed: number;
  webhookFailures: number;
  framesSent: number;
  framesReceived: number;
  badFrames: number;
  marksReceived: number;
  acksSent: number;
  clearsReceived: number;
  bargeIns: number;
  turns: number;
  unexpectedCloses: number;
  /** Voice webhook round trips and media stream upgrades (socket open), ms, one per call. */
  webhookMs: number[];
  upgradeMs: number[];
  /** Media-socket ping → pong round trips, ms (with `pingEveryMs`). */
  mediaRttMs: number[];
}

class SimCall {
  ws: WebSocket | undefined;
  readonly streamSid: string;
  seq = 0;
  speech: string[] = [];
  speechHead = 0;
  /** Playback queue: null = a frame, string = a mark. */
  play: Array<string | null> = [];
  playHead = 0;
  playingFor = 0;
  idleFor = 0;
  sinceSpoke = 1000;
  bargePlanned = false;
  open = false;
  closing = false;
  lastMediaAt = 0;

  constructor(readonly callSid: string, readonly index: number) {
    this.streamSid = 'MZ' + callSid.slice(2);
  }

  get speaking(): boolean {
    return this.speechHead < this.speech.length;
  }
  get playbackEmpty(): boolean {
    return this.playHead >= this.play.length;
  }
}

export class LoadGenerator {
  readonly counters: LoadCounters = {
    callsStarted: 0, callsConnected: 0, callsFailed: 0, webhookFailures: 0, framesSent: 0, framesReceived: 0, badFrames: 0,
    marksReceived: 0, acksSent: 0, clearsReceived: 0, bargeIns: 0, turns: 0, unexpectedCloses: 0,
    webhookMs: [], upgradeMs: [], mediaRttMs: [],
  };
  private readonly calls: SimCall[] = [];
  private phrases: string[][] = [];
  private ticker: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private ticks = 0;
  private talking = true;
  private lastMediaAt = 0;

  constructor(private readonly opts: LoadOptions) {}

  async start(): Promise<void> {
    const synth = new SpeechSynthesizer({ engine: 'synthetic' });
    for (const p of PHRASES) {
      const clip = await synth.clip(p, PCMU8K);
      const b = Buffer.from(clip.bytes);
      const frames: string[] = [];
      for (let i = 0; i + 160 <= b.length; i += 160) frames.push(b.subarray(i, i + 160).toString('base64'));
      this.phrases.push(frames);
    }
    this.startedAt = performance.now();
    this.ticker = setInterval(() => this.tick(), 20);
    const gap = this.opts.calls > 1 ? this.opts.rampMs / (this.opts.calls - 1) : 0;
    const starts: Promise<void>[] = [];
    for (let i = 0; i < this.opts.calls; i++) {
      starts.push(new Promise<void>((r) => setTimeout(r, i * gap)).then(() => this.place(i)));
    }
    await Promise.all(starts);
  }

  /** Stop starting new turns; resolves once no audio has arrived for `quietMs`. */
  async quiesce(quietMs = 1500, maxMs = 20_000): Promise<void> {
    this.talking = false;
    const until = performance.now() + maxMs;
    while (performance.now() < until) {
      const busy = this.calls.some((c) => c.speaking || !c.playbackEmpty);
      if (!busy && performance.now() - this.lastMediaAt > quietMs) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Stop the line too, so that nothing is in flight when the counters are compared.
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    await new Promise((r) => setTimeout(r, 500));
  }

  async hangUp(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await Promise.all(this.calls.map((c) => new Promise<void>((resolve) => {
      const ws = c.ws;
      c.closing = true;
      if (!ws || ws.readyState !== WebSocket.OPEN) return resolve();
      ws.send(JSON.stringify({ event: 'stop', sequenceNumber: String(++c.seq), streamSid: c.streamSid, stop: { callSid: c.callSid } }));
      ws.once('close', () => resolve());
      ws.close();
      setTimeout(() => { ws.terminate(); resolve(); }, 3000).unref();
    })));
  }

  private async place(i: number): Promise<void> {
    const callSid = `CA${Date.now().toString(16)}${i.toString(16).padStart(8, '0')}`.padEnd(34, '0').slice(0, 34);
    const call = new SimCall(callSid, i);
    this.counters.callsStarted++;
    let params: Record<string, string> = {};
    // The stream path and query the TwiML names (`--workers` routes the stream by its query).
    let streamPath = '/twilio/stream';
    try {
      const t0 = performance.now();
      // One connection per webhook, as from many carrier edge hosts (global fetch would keep one alive).
      const res = await httpSend({
        method: 'POST', url: `${this.opts.baseUrl}/twilio/voice`, timeoutMs: 60_000,
        headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
        body: new URLSearchParams({ CallSid: callSid, AccountSid: 'AC' + '0'.repeat(32), From: `+1555${String(2000000 + i).padStart(7, '0')}`, To: this.opts.to, CallStatus: 'ringing' }).toString(),
      });
      this.counters.webhookMs.push(performance.now() - t0);
      const twiml = res.text;
      for (const m of twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) params[m[1]!] = m[2]!;
      const url = /<Stream url="([^"]+)"/.exec(twiml)?.[1];
      if (!url) throw new Error('no stream');
      const parsed = new URL(url.replace(/&amp;/g, '&'));
      streamPath = parsed.pathname + parsed.search;
    } catch {
      this.counters.webhookFailures++;
      this.counters.callsFailed++;
      return;
    }
    const upgradeT0 = performance.now();
    const ws = new WebSocket(this.opts.baseUrl.replace(/^http/, 'ws') + streamPath, { perMessageDeflate: false });
    call.ws = ws;
    ws.on('message', (data) => this.onMessage(call, data.toString()));
    ws.on('close', () => {
      if (call.open && !call.closing) this.counters.unexpectedCloses++;
      call.open = false;
    });
    ws.on('error', () => undefined);
    // The ping carries its send time (this process's monotonic clock).
    ws.on('pong', (data: Buffer) => {
      const sentAt = Number(data.toString());
      if (sentAt > 0) this.counters.mediaRttMs.push(performance.now() - sentAt);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
    } catch {
      this.counters.callsFailed++;
      return;
    }
    this.counters.upgradeMs.push(performance.now() - upgradeT0);
    ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    ws.send(JSON.stringify({
      event: 'start', sequenceNumber: String(++call.seq), streamSid: call.streamSid,
      start: { accountSid: 'AC' + '0'.repeat(32), streamSid: call.streamSid, callSid, tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: params },
    }));
    params = {};
    call.open = true;
    this.counters.callsConnected++;
    this.calls.push(call);
  }

  private onMessage(call: SimCall, text: string): void {
    if (text.startsWith('{"event":"media"')) {
      this.counters.framesReceived++;
      const at = text.indexOf('"payload":"');
      const end = text.indexOf('"', at + 11);
      if (at < 0 || end - (at + 11) !== FRAME_B64_CHARS) this.counters.badFrames++;
      call.play.push(null);
      this.lastMediaAt = performance.now();
      return;
    }
    const msg = JSON.parse(text) as { event: string; media?: { payload: string }; mark?: { name: string } };
    if (msg.event === 'media') {
      this.counters.framesReceived++;
      if (Buffer.from(msg.media!.payload, 'base64').length !== 160) this.counters.badFrames++;
      call.play.push(null);
      this.lastMediaAt = performance.now();
    } else if (msg.event === 'mark') {
      this.counters.marksReceived++;
      call.play.push(msg.mark!.name);
    } else if (msg.event === 'clear') {
      this.counters.clearsReceived++;
      call.play = [];
      call.playHead = 0;
    }
  }

  private tick(): void {
    const due = Math.floor((performance.now() - this.startedAt) / 20) - this.ticks;
    for (let k = 0; k < Math.min(due, 10); k++) {
      this.ticks++;
      for (const c of this.calls) if (c.open) this.step(c);
    }
    if (due > 10) this.ticks += due - 10;
  }

  private step(c: SimCall): void {
    const ws = c.ws!;
    const pingTicks = Math.round((this.opts.pingEveryMs ?? 0) / 20);
    if (pingTicks > 0 && (this.ticks + c.index) % pingTicks === 0) ws.ping(String(performance.now()));
    // Caller audio: speech when talking, silence otherwise (a phone line never stops sending).
    const payload = c.speaking ? c.speech[c.speechHead++]! : SILENCE;
    ws.send('{"event":"media","sequenceNumber":"' + ++c.seq + '","streamSid":"' + c.streamSid + '","media":{"track":"inbound","chunk":"' + c.seq + '","timestamp":"' + c.seq * 20 + '","payload":"' + payload + '"}}');
    this.counters.framesSent++;
    // Handset playback: one frame per 20 ms; marks are acknowledged when reached.
    this.ackMarks(c);
    if (!c.playbackEmpty) {
      c.playHead++;
      if (++c.playingFor === 1) c.bargePlanned = Math.random() < this.opts.bargeInShare;
      c.idleFor = 0;
      this.ackMarks(c);
      if (c.playHead > 512 && c.playHead * 2 > c.play.length) {
        c.play = c.play.slice(c.playHead);
        c.playHead = 0;
      }
    } else {
      c.playingFor = 0;
      c.idleFor++;
    }
    c.sinceSpoke++;
    if (!this.talking || c.speaking) return;
    const bargeNow = c.playingFor * 20 >= this.opts.bargeAfterMs && c.bargePlanned && c.sinceSpoke > 100;
    const turnNow = c.playbackEmpty && c.idleFor >= 25 && c.sinceSpoke > 150;
    if (bargeNow || turnNow) {
      if (bargeNow) {
        this.counters.bargeIns++;
        c.bargePlanned = false;
      }
      this.counters.turns++;
      c.speech = this.phrases[(c.index + this.counters.turns) % this.phrases.length]!;
      c.speechHead = 0;
      c.sinceSpoke = 0;
    }
  }

  private ackMarks(c: SimCall): void {
    while (c.playHead < c.play.length && c.play[c.playHead] !== null) {
      const name = c.play[c.playHead++]!;
      c.ws!.send(JSON.stringify({ event: 'mark', sequenceNumber: String(++c.seq), streamSid: c.streamSid, mark: { name } }));
      this.counters.acksSent++;
    }
  }
}
