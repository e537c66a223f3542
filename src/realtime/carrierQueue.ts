/**
 * The carrier side of playback before and after the media stream attaches. The greeting is
 * requested as soon as the model connection is up (at webhook time), so its first frames may be
 * ready before Twilio has opened the stream: they wait here and leave the moment it does.
 */
import type { CarrierConnection } from '../telephony/index.js';
import type { CarrierOut } from './playback.js';

/** At most this many queued commands (about a minute of audio with its marks). */
const MAX_QUEUED = 3600;

type Op = { kind: 0; payload: string } | { kind: 1; name: string };

/**
 * A carrier connection that can hold its writes for a moment (the socket's cork): a burst of
 * frames from one model delta then leaves in one write instead of one system call per frame.
 * Optional: connections without it send frame by frame.
 */
export interface CorkableCarrier {
  cork?(): void;
  uncork?(): void;
}

export class CarrierOutlet implements CarrierOut {
  private carrier: CarrierConnection | undefined;
  private queue: Op[] = [];
  private droppedOps = 0;

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

  /** Runs `fn` with the carrier's writes batched into one (when the connection supports it). */
  batch(fn: () => void): void {
    const c = this.carrier as (CarrierConnection & CorkableCarrier) | undefined;
    if (c?.cork === undefined || c.uncork === undefined) return fn();
    c.cork();
    try {
      fn();
    } finally {
      c.uncork();
    }
  }

  detach(): void {
    this.carrier = undefined;
  }

  audio(payloadBase64: string): void {
    const c = this.carrier;
    if (c !== undefined) c.sendAudioFrame(payloadBase64);
    else this.push({ kind: 0, payload: payloadBase64 });
  }

  mark(name: string): void {
    const c = this.carrier;
    if (c !== undefined) c.sendMark(name);
    else this.push({ kind: 1, name });
  }

  clear(): void {
    const c = this.carrier;
    if (c !== undefined) c.clear();
    else this.queue = [];
  }

  private push(op: Op): void {
    if (this.queue.length >= MAX_QUEUED) {
      this.droppedOps++;
      return;
    }
    this.queue.push(op);
  }
}
