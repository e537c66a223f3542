/**
 * Caller audio on its way to the model. Frames go straight out while the model session is open
 * and its socket keeps up. While no session is ready (the call's first moments, a reconnect) or
 * while the model's socket reads slowly (its send buffer past a bound), frames are held instead
 * of dropped: at most `maxHeldMs` of them, the oldest dropped first and counted, and sent in
 * order the moment the session takes audio again. So a caller who starts talking before the
 * model is up is still heard, and a slow model socket never grows memory without bound.
 */
import type { ModelSession } from '../engines/index.js';
import type { AudioPath } from './audioPath.js';
import { edgeStats } from './edgeStats.js';

export interface CallerAudioDeps {
  model(): ModelSession | undefined;
  path(): AudioPath | undefined;
  /** False once the call is ending: frames are dropped, not held. */
  forwarding(): boolean;
  /** The model socket is past its bound (true) or back under it (false). */
  modelBacklog(over: boolean): void;
}

export interface CallerAudioOptions {
  /** The most audio held while the model cannot take it (default 2000 ms). */
  maxHeldMs: number;
  /** Duration of one carrier frame (Twilio: 20 ms). */
  frameMs: number;
  /** The model socket's send buffer above which frames are held rather than sent (bytes). */
  maxModelBufferedBytes: number;
}

/** What a call's inbound audio went through (logged and kept on the call row at its end). */
export interface CallerAudioCounts {
  held: number;
  flushed: number;
  droppedOldest: number;
}

export class CallerAudioGate {
  private readonly ring: Array<string | undefined>;
  private head = 0;
  private size = 0;
  readonly counts: CallerAudioCounts = { held: 0, flushed: 0, droppedOldest: 0 };

  constructor(private readonly deps: CallerAudioDeps, private readonly opts: CallerAudioOptions) {
    this.ring = new Array<string | undefined>(Math.max(1, Math.ceil(opts.maxHeldMs / opts.frameMs)));
  }

  /** Frames held now. */
  get heldFrames(): number {
    return this.size;
  }

  /** One caller frame (base64, carrier format). */
  frame(payloadBase64: string): void {
    const t0 = performance.now();
    if (!this.deps.forwarding()) {
      edgeStats.frameDroppedNoModel();
      return;
    }
    const model = this.deps.model();
    const path = this.deps.path();
    if (model !== undefined && path !== undefined && model.isOpen) {
      if ((model.bufferedAmount ?? 0) > this.opts.maxModelBufferedBytes) {
        this.deps.modelBacklog(true);
      } else {
        if (this.size > 0) {
          this.deps.modelBacklog(false);
          this.flush(model, path);
        }
        if (this.size === 0) {
          if (model.append(path.toModel(payloadBase64))) edgeStats.appendSent(performance.now() - t0);
          else edgeStats.frameDroppedNoModel();
          return;
        }
      }
    }
    this.hold(payloadBase64);
  }

  /** Sends what is held, oldest first, while the session takes it. */
  flush(model: ModelSession, path: AudioPath): void {
    while (this.size > 0) {
      const payload = this.ring[this.head]!;
      if (!model.append(path.toModel(payload))) return;
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
      this.counts.flushed++;
      edgeStats.heldFrameSent();
    }
  }

  /** The call ended: nothing more is sent. */
  discard(): void {
    this.ring.fill(undefined);
    this.head = 0;
    this.size = 0;
  }

  private hold(payload: string): void {
    const cap = this.ring.length;
    if (this.size === cap) {
      // Full: the oldest frame goes (the newest audio is what the model most needs).
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % cap;
      this.size--;
      this.counts.droppedOldest++;
      edgeStats.heldFrameDropped();
    }
    this.ring[(this.head + this.size) % cap] = payload;
    this.size++;
    this.counts.held++;
    edgeStats.frameHeld();
  }
}
