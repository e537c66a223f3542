import { DEFAULT_FLOW_LIMITS, type FlowLimits } from './callFlow.js';

/** The timings of every call session of a gateway (defaults, overridable per CallManager). */
export interface CallSessionOptions extends FlowLimits {
  /** A playback mark every N frames. */
  markEveryFrames: number;
  /** How long a model connection may take to become ready. */
  connectTimeoutMs: number;
  /** DTMF digits closer together than this reach the agent as one input. */
  dtmfGapMs: number;
  /** After a hang-up or transfer request, how long before we close the stream ourselves. */
  endGraceMs: number;
  /** The longest we wait for a prompt we asked for to be spoken. */
  speakTimeoutMs: number;
  /** How long a prepared call waits for its media stream. */
  prepareTtlMs: number;
  /** The longest a hang-up or transfer waits for the agent's last words to be heard. */
  drainTimeoutMs: number;
  /** Warm transfer waits (tests shorten them): see warmTransfer.ts. */
  transfer?: { acceptWindowMs?: number; resumeWaitMs?: number };
  /** No model event for this long while a response is due: the model has stalled (failover). */
  modelStallMs: number;
  /** The model service's session lifetime cap (OpenAI Realtime: 60 minutes). */
  modelSessionMaxMs: number;
  /** How long before that cap a replacement session is opened and swapped in at a turn boundary. */
  modelSessionRenewMarginMs: number;
}

export const DEFAULT_SESSION_OPTIONS: CallSessionOptions = {
  markEveryFrames: 5,
  connectTimeoutMs: 5000,
  dtmfGapMs: 1200,
  endGraceMs: 1000,
  speakTimeoutMs: 15_000,
  prepareTtlMs: 30_000,
  drainTimeoutMs: 10_000,
  ...DEFAULT_FLOW_LIMITS,
  modelStallMs: 15_000,
  modelSessionMaxMs: 60 * 60_000,
  modelSessionRenewMarginMs: 5 * 60_000,
};
