/**
 * The carrier side of playback before and after the media stream attaches. The greeting is
 * requested as soon as the model connection is up (at webhook time), so its first frames may be
 * ready before Twilio has opened the stream: they wait here and leave the moment it does.
 * After attach, a carrier socket that reads too slowly (its send buffer past a bound) gets
 * nothing more written: frames wait in a short queue of their own whose oldest frames are
 * dropped (and counted) when it is full, and leave once the socket has drained.
 */
import type { CarrierConnection } from '../telephony/index.js';
import { edgeStats } from './edgeStats.js';
import type { CarrierOut } from './playback.js';

/** At most this many queued commands (about a minute of audio with its marks). */
const MAX_QUEUED = 3600;

type Op = { kind: 0; payload: string } | { kind: 1; name: string };

/** How much a slow carrier may hold back, and who hears about it. */
export interface OutletGuard {
  /** The carrier socket's send buffer above which nothing more is written (bytes). */
  maxBufferedBytes: number;
  /** Frames (with their marks) kept while the socket is over the bound; older ones are dropped. */
  maxHeldFrames: number;
  /** The socket went over the bound (true) or drained (false). */
  backlog?(over: boolean): void;
}

const NO_GUARD: OutletGuard = { maxBufferedBytes: Number.POSITIVE_INFINITY, maxHeldFrames: 0 };

export class CarrierOutlet implements CarrierOut {
  private carrier: CarrierConnection | undefined;
  private queue: Op[] = [];
  private droppedOps = 0;
  /** Writes held back from a slow (attached) carrier, oldest first, and the audio frames among them. */
  private held: Op[] = [];
  private heldAudio = 0;
  private droppedFrames = 0;
  /** Inside `batch`: whether the socket was over its bound when the batch began. */
  private batchOver: boolean | undefined;

  constructor(private readonly guard: OutletGuard = NO_GUARD) {}

  /** Outbound frames dropped because the carrier read too slowly. */
  get droppedSlow(): number {
    return this.droppedFrames;
  }

  /** Writes held back from a slow carrier now. */
  get heldOps(): number {
    return this.held.length;
  }

  /** Writes dropped because the queue before attach was full. */
  get dropped(): number {
    return this.droppedOps;
  }

  get attached(): boolean {
    return this.carrier !== undefined;
  }

  /** Sends everything queued, then passes commands straight through. */
  attach(carrier: CarrierConnection): void {
    this.carrier = carrier;
    const queued = this.queue;
    this.queue = [];
    for (const op of queued) {
      if (op.kind === 0) carrier.sendAudioFrame(op.payload);
      else carrier.sendMark(op.name);
    }
  }

  /**
   * Runs `fn` with the carrier's writes batched into one (when the connection supports it, see
   * `CarrierConnection.cork`): a model delta's frames and marks leave in one system call. The
   * bound is checked once, before the batch: what the batch itself writes sits in the corked
   * buffer and is not a sign of a slow reader.
   */
  batch(fn: () => void): void {
    const c = this.carrier;
    if (c === undefined) return fn();
    this.batchOver = this.over(c);
    try {
      if (c.cork === undefined || c.uncork === undefined) return fn();
      c.cork();
      try {
        fn();
      } finally {
        c.uncork();
      }
    } finally {
      this.batchOver = undefined;
    }
  }

  /** Sends what a slow carrier was spared, oldest first, while its socket stays under the bound. */
  drain(): void {
    const c = this.carrier;
    if (c === undefined) return;
    while (this.held.length > 0 && c.bufferedAmount <= this.guard.maxBufferedBytes) {
      const op = this.held.shift()!;
      if (op.kind === 0) {
        this.heldAudio--;
        c.sendAudioFrame(op.payload);
      } else {
        c.sendMark(op.name);
      }
    }
    // Still holding: the socket went over again (the stall clock restarts from here).
    this.guard.backlog?.(this.held.length > 0);
  }

  detach(): void {
    this.carrier = undefined;
  }

  audio(payloadBase64: string): void {
    const c = this.carrier;
    if (c === undefined) this.push({ kind: 0, payload: payloadBase64 });
    else if (this.held.length > 0 || (this.batchOver ?? this.over(c))) this.hold({ kind: 0, payload: payloadBase64 });
    else c.sendAudioFrame(payloadBase64);
  }

  mark(name: string): void {
    const c = this.carrier;
    if (c === undefined) this.push({ kind: 1, name });
    else if (this.held.length > 0 || (this.batchOver ?? this.over(c))) this.hold({ kind: 1, name });
    else c.sendMark(name);
  }

  clear(): void {
    const c = this.carrier;
    if (c === undefined) {
      this.queue = [];
      return;
    }
    // What was held back is what `clear` would have dropped at the carrier.
    this.held = [];
    this.heldAudio = 0;
    c.clear();
  }

  private over(c: CarrierConnection): boolean {
    return c.bufferedAmount > this.guard.maxBufferedBytes;
  }

  private hold(op: Op): void {
    if (this.held.length === 0) this.guard.backlog?.(true);
    this.held.push(op);
    if (op.kind === 0) this.heldAudio++;
    // Marks are settled cumulatively (a later one acknowledges every earlier one), so dropping
    // the oldest writes, marks included, keeps playback accounting right.
    while (this.heldAudio > this.guard.maxHeldFrames) {
      const old = this.held.shift()!;
      if (old.kind === 0) {
        this.heldAudio--;
        this.droppedFrames++;
        edgeStats.playbackFrameDropped();
      }
    }
  }

  private push(op: Op): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.droppedOps++;
      return;
    }
    this.queue.push(op);
  }
}
