/**
 * The phone end of a Media Streams WebSocket, as Twilio behaves: after `connected` and `start`
 * it sends one 20 ms μ-law frame every 20 ms for the whole call (caller speech when the caller
 * talks, silence otherwise), plays the gateway's audio at real-time pace, acknowledges each
 * `mark` when the audio queued before it has finished playing, and on `clear` drops unplayed
 * audio and returns the pending marks at once. Time is the frame clock ("call time"); `speed`
 * runs it faster than the wall clock (--fast).
 */
import type { WebSocket } from 'ws';
import { TWILIO_MEDIA } from '../telephony/index.js';

/** Media Streams frames, both ways (Twilio's media format). */
export const FRAME_MS = TWILIO_MEDIA.frameMs;
export const FRAME_BYTES = TWILIO_MEDIA.frameBytes;

export interface PhoneEvents {
  /** The agent's audio started playing (after silence). */
  agentStart(atMs: number): void;
  /** The agent's audio stopped playing (the queue ran dry for a while); durationMs played. */
  agentStop(atMs: number, durationMs: number): void;
  clear(atMs: number, droppedMs: number): void;
  /** The gateway closed the stream. */
  closed(atMs: number, code: number, reason: string): void;
  protocolError(message: string): void;
}

type Queued = { kind: 'audio'; bytes: number } | { kind: 'mark'; name: string };

interface Waiter {
  pred: () => boolean;
  resolve: () => void;
}

const SILENCE_B64 = Buffer.alloc(FRAME_BYTES, TWILIO_MEDIA.silenceByte).toString('base64');
/** Playback idle this long ends an agent "burst" in the timeline. */
const BURST_GAP_MS = 200;

export class SimulatedPhone {
  /** Frames sent so far; callTimeMs = framesSent * 20. */
  framesSent = 0;
  framesReceived = 0;
  marksAcked = 0;
  clears = 0;
  closed = false;
  /** Call time and wall time (performance.now) of the last media message from the gateway. */
  lastMediaAtMs = -1;
  lastMediaWallMs = -1;
  /** Call time the current/last agent burst started, and how many bursts started so far. */
  burstStartedAtMs = -1;
  burstCount = 0;
  private playing = false;
  private playedInBurstMs = 0;
  private idleMs = 0;
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private speech: Uint8Array | null = null;
  private speechOffset = 0;
  private speechDone: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private t0 = 0;
  private seq = 1;
  private readonly waiters: Waiter[] = [];

  constructor(
    private readonly ws: WebSocket,
    private readonly streamSid: string,
    private readonly speed: number,
    private readonly events: Partial<PhoneEvents> = {},
  ) {
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    ws.on('error', (err) => this.events.protocolError?.(`socket error: ${err.message}`));
  }

  get callTimeMs(): number {
    return this.framesSent * FRAME_MS;
  }

  /** Agent audio played so far in the current (or last) burst, ms. */
  get playedInBurst(): number {
    return this.playedInBurstMs;
  }

  /** Agent audio played since the call began, ms. */
  playedTotalMs = 0;

  /** Whether the agent's audio is queued or playing. */
  get agentAudible(): boolean {
    return this.queuedBytes > 0;
  }

  /** `connected` and `start`, then the frame clock runs until hang-up or close. */
  begin(start: { callSid: string; accountSid: string; customParameters: Record<string, string> }): void {
    this.send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.send({
      event: 'start',
      sequenceNumber: String(this.seq++),
      start: {
        accountSid: start.accountSid,
        streamSid: this.streamSid,
        callSid: start.callSid,
        tracks: ['inbound'],
        mediaFormat: { encoding: TWILIO_MEDIA.encoding, sampleRate: TWILIO_MEDIA.sampleRateHz, channels: 1 },
        customParameters: start.customParameters,
      },
      streamSid: this.streamSid,
    });
    this.t0 = performance.now();
    const intervalMs = Math.max(2, Math.floor(FRAME_MS / this.speed / 2));
    this.timer = setInterval(() => this.tick(), intervalMs);
  }

  /** Speaks μ-law audio (whole frames from now on); resolves when the last frame has been sent. */
  say(ulaw: Uint8Array): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.speechDone?.();
      this.speech = ulaw;
      this.speechOffset = 0;
      this.speechDone = resolve;
    });
  }

  /** Resolves when `pred` holds at a frame tick (or the call closed). */
  until(pred: () => boolean): Promise<void> {
    if (this.closed || pred()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** Call time passes (frames keep flowing). */
  pause(ms: number): Promise<void> {
    const until = this.callTimeMs + ms;
    return this.until(() => this.callTimeMs >= until);
  }

  /** The caller hangs up: `stop`, then the socket closes. */
  hangUp(callSid: string, accountSid: string): void {
    if (this.closed) return;
    this.send({ event: 'stop', sequenceNumber: String(this.seq++), streamSid: this.streamSid, stop: { accountSid, callSid } });
    this.stopClock();
    this.ws.close(1000, 'caller hung up');
  }

  private tick(): void {
    if (this.closed) return;
    const due = Math.floor(((performance.now() - this.t0) * this.speed) / FRAME_MS);
    // Catch up at most 50 frames (1 s) per tick after a stall, rather than flooding the socket.
    for (let n = 0; this.framesSent < due && n < 50 && !this.closed; n++) {
      this.sendFrame();
      this.playFrame();
      this.framesSent++;
      this.checkWaiters();
    }
  }

  private sendFrame(): void {
    let payload = SILENCE_B64;
    if (this.speech) {
      const end = this.speechOffset + FRAME_BYTES;
      const chunk = Buffer.alloc(FRAME_BYTES, TWILIO_MEDIA.silenceByte);
      chunk.set(this.speech.subarray(this.speechOffset, Math.min(end, this.speech.length)));
      payload = chunk.toString('base64');
      this.speechOffset = end;
      if (this.speechOffset >= this.speech.length) {
        this.speech = null;
        const done = this.speechDone;
        this.speechDone = null;
        queueMicrotask(() => done?.());
      }
    }
    const ts = this.callTimeMs;
    // Twilio's field order: event first.
    this.raw(`{"event":"media","sequenceNumber":"${this.seq++}","media":{"track":"inbound","chunk":"${this.framesSent + 1}","timestamp":"${ts}","payload":"${payload}"},"streamSid":"${this.streamSid}"}`);
  }

  private playFrame(): void {
    // Marks at the head of the queue were reached: the audio before them has played.
    this.ackLeadingMarks();
    let budget = FRAME_BYTES;
    while (budget > 0 && this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'mark') break;
      const take = Math.min(budget, head.bytes);
      head.bytes -= take;
      budget -= take;
      this.queuedBytes -= take;
      if (head.bytes === 0) this.queue.shift();
      if (this.queue[0]?.kind === 'mark') break;
    }
    const played = budget < FRAME_BYTES;
    if (played) {
      if (!this.playing) {
        this.playing = true;
        this.playedInBurstMs = 0;
        this.burstStartedAtMs = this.callTimeMs;
        this.burstCount++;
        this.events.agentStart?.(this.callTimeMs);
      }
      this.playedInBurstMs += FRAME_MS;
      this.playedTotalMs += FRAME_MS;
      this.idleMs = 0;
    } else if (this.playing) {
      this.idleMs += FRAME_MS;
      if (this.idleMs >= BURST_GAP_MS) {
        this.playing = false;
        this.events.agentStop?.(this.callTimeMs - this.idleMs, this.playedInBurstMs);
      }
    }
    this.ackLeadingMarks();
  }

  private ackLeadingMarks(): void {
    while (this.queue[0]?.kind === 'mark') {
      const mark = this.queue.shift() as { kind: 'mark'; name: string };
      this.ackMark(mark.name);
    }
  }

  private ackMark(name: string): void {
    this.marksAcked++;
    this.send({ event: 'mark', sequenceNumber: String(this.seq++), streamSid: this.streamSid, mark: { name } });
  }

  private onMessage(text: string): void {
    let msg: { event?: string; streamSid?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return this.events.protocolError?.('gateway sent a message that is not JSON');
    }
    if (msg.streamSid !== this.streamSid) this.events.protocolError?.(`gateway sent ${String(msg.event)} for stream ${String(msg.streamSid)}`);
    switch (msg.event) {
      case 'media': {
        const payload = msg.media?.payload ?? '';
        const bytes = Buffer.byteLength(payload, 'base64');
        if (bytes !== FRAME_BYTES) this.events.protocolError?.(`gateway sent a ${bytes}-byte media frame (expected ${FRAME_BYTES})`);
        this.framesReceived++;
        this.lastMediaAtMs = this.callTimeMs;
        this.lastMediaWallMs = performance.now();
        const tail = this.queue[this.queue.length - 1];
        if (tail?.kind === 'audio') tail.bytes += bytes;
        else this.queue.push({ kind: 'audio', bytes });
        this.queuedBytes += bytes;
        return;
      }
      case 'mark':
        if (typeof msg.mark?.name !== 'string') return this.events.protocolError?.('gateway sent a mark without a name');
        // A mark behind no audio is reached at once.
        if (this.queue.length === 0) return this.ackMark(msg.mark.name);
        this.queue.push({ kind: 'mark', name: msg.mark.name });
        return;
      case 'clear': {
        this.clears++;
        const droppedMs = (this.queuedBytes / FRAME_BYTES) * FRAME_MS;
        const marks = this.queue.filter((q): q is { kind: 'mark'; name: string } => q.kind === 'mark');
        this.queue.length = 0;
        this.queuedBytes = 0;
        for (const m of marks) this.ackMark(m.name);
        this.events.clear?.(this.callTimeMs, droppedMs);
        return;
      }
      default:
        this.events.protocolError?.(`gateway sent an unknown event ${String(msg.event)}`);
    }
  }

  private onClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.stopClock();
    this.speechDone?.();
    this.events.closed?.(this.callTimeMs, code, reason);
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private stopClock(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private checkWaiters(): void {
    for (let i = 0; i < this.waiters.length; ) {
      const w = this.waiters[i]!;
      if (w.pred()) {
        this.waiters.splice(i, 1);
        w.resolve();
      } else {
        i++;
      }
    }
  }

  private send(msg: unknown): void {
    this.raw(JSON.stringify(msg));
  }

  private raw(text: string): void {
    if (this.ws.readyState === 1) this.ws.send(text);
  }
}
