/**
 * A call's audio flow control, beside the call: the carrier outlet (playback towards the
 * carrier, held back from a slow reader), the caller-audio gate (caller frames towards the model,
 * held while the model cannot take them) and the watch that ends the call when either peer stays
 * stalled. Everything here is bounded: memory per call does not grow with a peer's slowness.
 */
import type { ModelSession } from '../engines/index.js';
import type { CarrierConnection } from '../telephony/index.js';
import type { AudioPath } from './audioPath.js';
import { CallerAudioGate, type CallerAudioCounts } from './callerAudio.js';
import { CarrierOutlet } from './carrierQueue.js';
import { edgeStats } from './edgeStats.js';
import { StallWatch, type StallSide } from './stallWatch.js';

/** The flow-control limits of every call (session options). */
export interface FlowLimits {
  /** Caller audio kept while the model cannot take it (ms). */
  maxHeldCallerAudioMs: number;
  /** Send buffer past which a carrier socket counts as reading too slowly (bytes). */
  maxCarrierBufferedBytes: number;
  /** Send buffer past which the model socket counts as reading too slowly (bytes). */
  maxModelBufferedBytes: number;
  /** Playback held back from a slow carrier before its oldest frames are dropped (ms). */
  maxHeldPlaybackMs: number;
  /** A peer over its bound this long ends the call (carrier_stalled / model_stalled). */
  stallTimeoutMs: number;
}

export const DEFAULT_FLOW_LIMITS: FlowLimits = {
  maxHeldCallerAudioMs: 2000,
  // Above the WebRTC pacer's own cap (3000 frames, 480 kB: audio waiting to be played in real
  // time, not a slow reader), so only a socket backlog trips it.
  maxCarrierBufferedBytes: 1024 * 1024,
  maxModelBufferedBytes: 256 * 1024,
  maxHeldPlaybackMs: 2000,
  stallTimeoutMs: 10_000,
};

export interface FlowBacklog {
  heldCallerFrames: number;
  heldPlaybackOps: number;
  carrierBufferedBytes: number;
  modelBufferedBytes: number;
}

export interface CallFlowDeps {
  model(): ModelSession | undefined;
  path(): AudioPath | undefined;
  forwarding(): boolean;
  /** A peer stayed stalled: end the call. */
  stalled(side: StallSide): void;
}

export class CallFlow {
  readonly outlet: CarrierOutlet;
  readonly caller: CallerAudioGate;
  private readonly watch: StallWatch;
  private carrier: CarrierConnection | undefined;
  private readonly model: () => ModelSession | undefined;

  constructor(deps: CallFlowDeps, limits: FlowLimits, frameMs: number) {
    this.model = deps.model;
    this.watch = new StallWatch({
      buffered: (side) => (side === 'carrier' ? this.carrier?.bufferedAmount : deps.model()?.bufferedAmount),
      drained: (side) => {
        if (side === 'carrier') this.outlet.drain();
      },
      stalled: (side) => {
        edgeStats.stalledCall(side);
        deps.stalled(side);
      },
    }, { maxBufferedBytes: { carrier: limits.maxCarrierBufferedBytes, model: limits.maxModelBufferedBytes }, timeoutMs: limits.stallTimeoutMs });
    this.outlet = new CarrierOutlet({
      maxBufferedBytes: limits.maxCarrierBufferedBytes,
      maxHeldFrames: Math.max(1, Math.ceil(limits.maxHeldPlaybackMs / frameMs)),
      backlog: (over) => this.watch.backlog('carrier', over),
    });
    this.caller = new CallerAudioGate({
      model: deps.model,
      path: deps.path,
      forwarding: deps.forwarding,
      modelBacklog: (over) => this.watch.backlog('model', over),
    }, { maxHeldMs: limits.maxHeldCallerAudioMs, frameMs, maxModelBufferedBytes: limits.maxModelBufferedBytes });
  }

  attach(carrier: CarrierConnection): void {
    this.carrier = carrier;
    this.outlet.attach(carrier);
  }

  /** What flow control holds now, and the sockets' send buffers (bytes): the figures its bounds keep flat. */
  backlog(): FlowBacklog {
    return {
      heldCallerFrames: this.caller.heldFrames,
      heldPlaybackOps: this.outlet.heldOps,
      carrierBufferedBytes: this.carrier?.bufferedAmount ?? 0,
      modelBufferedBytes: this.model()?.bufferedAmount ?? 0,
    };
  }

  /** What the call's audio went through, for its record (only what happened). */
  summary(): { callerAudio?: CallerAudioCounts; playbackDroppedSlowCarrier?: number } {
    const c = this.caller.counts;
    return {
      ...(c.held > 0 ? { callerAudio: { ...c } } : {}),
      ...(this.outlet.droppedSlow > 0 ? { playbackDroppedSlowCarrier: this.outlet.droppedSlow } : {}),
    };
  }

  stop(): void {
    this.watch.stop();
    this.caller.discard();
  }
}
