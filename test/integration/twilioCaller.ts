/**
 * A tiny phone for the realtime tests, speaking Twilio Media Streams exactly as Twilio does:
 * the voice webhook, then the stream (`connected`, `start`, `media` every 20 ms, `mark` echoes
 * when playback reaches them, `dtmf`, `stop`). It keeps a playback queue like a handset: frames
 * play one per 20 ms (divided by `speed`), marks are acknowledged when reached, and `clear`
 * empties the queue without acknowledging what it drops.
 */
import WebSocket from 'ws';
import { PCMU8K, SpeechSynthesizer } from '../../src/audio/index.js';

export type Outbound =
  | { kind: 'media'; payload: string; bytes: number; at: number; index: number }
  | { kind: 'mark'; name: string; at: number; index: number }
  | { kind: 'clear'; at: number; index: number };

export interface PlaceCallOptions {
  baseUrl: string;
  to: string;
  from?: string;
  callSid?: string;
  scenario?: string;
  /** Playback and sending speed relative to real time (default 1). */
  speed?: number;
}

const synth = new SpeechSynthesizer({ engine: 'synthetic' });
const SILENCE_FRAME = Buffer.alloc(160, 0xff).toString('base64');
let sidSeq = 0;

export async function voiceWebhook(baseUrl: string, form: Record<string, string>): Promise<{ status: number; twiml: string; params: Record<string, string> }> {
  const res = await fetch(`${baseUrl}/twilio/voice`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  const twiml = await res.text();
  const params: Record<string, string> = {};
  for (const m of twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) params[m[1]!] = m[2]!;
  return { status: res.status, twiml, params };
}

export class TwilioCaller {
  readonly out: Outbound[] = [];
  readonly acked: string[] = [];
  readonly streamSid = `MZ${(++sidSeq).toString().padStart(32, '0')}`;
  closed = false;
  closeCode: number | undefined;
  /** Frames queued for playback (payloads and marks). */
  private queue: Array<{ mark?: string }> = [];
  private speech: string[] = [];
  private seq = 0;
  private sendTimer: NodeJS.Timeout | undefined;
  private playTimer: NodeJS.Timeout | undefined;
  private waiters: Array<{ pred: () => boolean; resolve: () => void }> = [];
  /** Frames played so far (per handset clock). */
  played = 0;
  /** Frames of caller audio sent. */
  framesSent = 0;
  /** When set, marks cleared by `clear` are acknowledged too (Twilio's documented behaviour varies). */
  ackClearedMarks = false;
  /** For each `clear`: the marks acknowledged before it (in order). */
  readonly clears: Array<{ index: number; ackedBefore: string[] }> = [];
  autoAck = true;

  private constructor(readonly ws: WebSocket, readonly callSid: string, private readonly speed: number) {
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.stopTimers();
      this.notify();
    });
  }

  static async place(opts: PlaceCallOptions): Promise<TwilioCaller> {
    const callSid = opts.callSid ?? `CA${Date.now().toString(16)}${(++sidSeq).toString(16).padStart(18, '0')}`.slice(0, 34);
    const form: Record<string, string> = {
      CallSid: callSid, AccountSid: 'AC' + '0'.repeat(32), From: opts.from ?? '+15550123456', To: opts.to, CallStatus: 'ringing', Direction: 'inbound',
    };
    if (opts.scenario) form['X-Switchboard-Scenario'] = opts.scenario;
    const hook = await voiceWebhook(opts.baseUrl, form);
    if (!hook.twiml.includes('<Stream')) throw new Error(`no stream in TwiML: ${hook.twiml}`);
    return TwilioCaller.connect({ baseUrl: opts.baseUrl, callSid, parameters: hook.params, ...(opts.speed ? { speed: opts.speed } : {}) });
  }

  /** Opens a media stream for a call Twilio already has (after a `<Connect><Stream>` redirect, say). */
  static async connect(opts: { baseUrl: string; callSid: string; parameters: Record<string, string>; speed?: number }): Promise<TwilioCaller> {
    const { callSid } = opts;
    const form = { AccountSid: 'AC' + '0'.repeat(32) };
    const hook = { params: opts.parameters };
    const ws = new WebSocket(opts.baseUrl.replace(/^http/, 'ws') + '/twilio/stream');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const caller = new TwilioCaller(ws, callSid, opts.speed ?? 1);
    caller.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    caller.send({
      event: 'start', sequenceNumber: String(++caller.seq), streamSid: caller.streamSid,
      start: {
        accountSid: form.AccountSid, streamSid: caller.streamSid, callSid, tracks: ['inbound'],
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: hook.params,
      },
    });
    caller.startTimers();
    return caller;
  }

  send(msg: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  /** Queues the caller's speech for `text` (synthetic voice), followed by `silenceMs` of quiet. */
  async say(text: string, silenceMs = 800): Promise<void> {
    const clip = await synth.clip(text, PCMU8K);
    const bytes = Buffer.from(clip.bytes);
    for (let i = 0; i + 160 <= bytes.length; i += 160) this.speech.push(bytes.subarray(i, i + 160).toString('base64'));
    for (let i = 0; i < silenceMs / 20; i++) this.speech.push(SILENCE_FRAME);
  }

  dtmf(digit: string): void {
    this.send({ event: 'dtmf', streamSid: this.streamSid, sequenceNumber: String(++this.seq), dtmf: { track: 'inbound_track', digit } });
  }

  /** The caller hangs up: `stop`, then the socket closes. */
  async hangUp(): Promise<void> {
    this.send({ event: 'stop', sequenceNumber: String(++this.seq), streamSid: this.streamSid, stop: { accountSid: 'AC' + '0'.repeat(32), callSid: this.callSid } });
    await this.close();
  }

  async close(): Promise<void> {
    this.stopTimers();
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }

  media(): Extract<Outbound, { kind: 'media' }>[] {
    return this.out.filter((o): o is Extract<Outbound, { kind: 'media' }> => o.kind === 'media');
  }

  /** Resolves when `pred` holds (checked on every event), or rejects after `timeoutMs`. */
  waitFor(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}; outbound: ${this.summary()}`));
      }, timeoutMs);
      const waiter = { pred, resolve: () => { clearTimeout(timer); resolve(); } };
      this.waiters.push(waiter);
    });
  }

  /**
   * Waits until the handset has played everything queued and nothing more has arrived for
   * `settleMs` (wall clock): a model that pauses mid-answer under load is not done yet.
   */
  waitPlayed(timeoutMs = 20_000, settleMs = 400): Promise<void> {
    return this.waitFor(
      () => this.queue.length === 0 && this.media().length > 0 && performance.now() - (this.out.at(-1)?.at ?? 0) >= settleMs,
      'playback drained', timeoutMs,
    );
  }

  /** Media frames (indexes into `media()`) at or after `fromMedia` sent before the outbound message `outIndex`. */
  framesBetween(fromMedia: number, outIndex: number): number {
    return this.media().filter((m, i) => i >= fromMedia && m.index < outIndex).length;
  }

  /** The outbound index of the mark named `name`. */
  markIndex(name: string): number {
    return this.out.findIndex((o) => o.kind === 'mark' && o.name === name);
  }

  summary(): string {
    const counts = { media: 0, mark: 0, clear: 0 };
    for (const o of this.out) counts[o.kind]++;
    return `${counts.media} media, ${counts.mark} marks, ${counts.clear} clears, ${this.acked.length} acked, closed=${this.closed}`;
  }

  private onMessage(text: string): void {
    const msg = JSON.parse(text) as { event: string; streamSid?: string; media?: { payload: string }; mark?: { name: string } };
    const at = performance.now();
    const index = this.out.length;
    if (msg.event === 'media' && msg.media) {
      this.out.push({ kind: 'media', payload: msg.media.payload, bytes: Buffer.from(msg.media.payload, 'base64').length, at, index });
      this.queue.push({});
    } else if (msg.event === 'mark' && msg.mark) {
      this.out.push({ kind: 'mark', name: msg.mark.name, at, index });
      this.queue.push({ mark: msg.mark.name });
    } else if (msg.event === 'clear') {
      this.out.push({ kind: 'clear', at, index });
      this.clears.push({ index, ackedBefore: [...this.acked] });
      const dropped = this.queue;
      this.queue = [];
      if (this.ackClearedMarks) for (const f of dropped) if (f.mark) this.ack(f.mark);
    }
    this.notify();
  }

  private ack(name: string): void {
    this.acked.push(name);
    if (this.autoAck) this.send({ event: 'mark', sequenceNumber: String(++this.seq), streamSid: this.streamSid, mark: { name } });
  }

  private startTimers(): void {
    const tickMs = 20 / this.speed;
    const perTick = tickMs < 4 ? Math.round(4 / tickMs) : 1;
    const interval = Math.max(4, tickMs);
    this.sendTimer = setInterval(() => {
      for (let k = 0; k < perTick; k++) {
        const payload = this.speech.shift() ?? SILENCE_FRAME;
        this.framesSent++;
        this.send({ event: 'media', sequenceNumber: String(++this.seq), streamSid: this.streamSid, media: { track: 'inbound', chunk: String(this.framesSent), timestamp: String(this.framesSent * 20), payload } });
      }
    }, interval);
    this.playTimer = setInterval(() => {
      for (let k = 0; k < perTick; k++) {
        // Marks are reached as soon as the audio before them has played.
        while (this.queue[0]?.mark !== undefined) this.ack(this.queue.shift()!.mark!);
        if (this.queue.length === 0) break;
        this.queue.shift();
        this.played++;
        while (this.queue[0]?.mark !== undefined) this.ack(this.queue.shift()!.mark!);
      }
      this.notify();
    }, interval);
  }

  private stopTimers(): void {
    if (this.sendTimer) clearInterval(this.sendTimer);
    if (this.playTimer) clearInterval(this.playTimer);
    this.sendTimer = this.playTimer = undefined;
  }

  private notify(): void {
    for (const w of [...this.waiters]) {
      if (w.pred()) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }
}
