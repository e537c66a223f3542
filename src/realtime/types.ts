/**
 * The runtime's public contracts: what the server calls (`CallHandler`) and how a call ends.
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { CallStatusReport } from '../telephony/index.js';
import type { CarrierConnection } from '../telephony/index.js';
import type { CallFeedListener } from './callFeed.js';

export type { CompiledVertical, CallStatusReport };

export interface PrepareInput {
  /** The registered carrier the call came in on: its call control and media format serve the call. */
  carrier: string;
  callSid: string;
  vertical: CompiledVertical;
  from?: string;
  to?: string;
  /** The simulator's scenario id (`X-Switchboard-Scenario`), passed to the emulator engine. */
  scenario?: string;
}

/** What the stream URL said about where the call was prepared. */
export interface StreamRoute {
  preparedBy?: string;
}

export interface CallHandler {
  /** Voice webhook time: pin the vertical version and open the model connection early, keyed by callSid. */
  prepare(input: PrepareInput): Promise<void> | void;
  /**
   * Media stream arrived: the call session takes over the connection (reads customParameters.callSid/vertical/version).
   * `route.preparedBy`: the instance the stream URL names (the one that prepared the call).
   */
  attach(connection: CarrierConnection, route?: StreamRoute): void;
  /** A carrier's status report, normalised: when it says the call ended, finalise a call the stream did not (idempotent). */
  statusChanged(report: CallStatusReport): Promise<void>;
  /** Live calls count and ids, for health/metrics. */
  stats(): { active: number; byVertical: Record<string, number> };
  /** Server shutdown: end every call cleanly, finalise rows. */
  shutdown(reason: string): Promise<void>;
  /** A typed turn for a live call of this process (chat, or text during a voice call); the agent answers it. */
  typed?(callSid: string, text: string): TypedTurnResult;
  /** Watches a live call's records as they are written; undefined when no such call is live here. */
  observe?(callSid: string, listener: CallFeedListener): (() => void) | undefined;
  /**
   * Graceful drain (optional for fakes): take no new calls; calls already prepared still get
   * their media stream, live calls run on.
   */
  drain?(): void;
  /** Resolves when no call is live and every ended call's records are written. */
  whenIdle?(): Promise<void>;
  /** The drain ran out of time: live calls hear their vertical's goodbye and hang up; the rest end. */
  farewell?(): void;
}

/** `not_ready`: the call is live but no model is listening yet (connecting, or reconnecting). */
export type TypedTurnResult = 'sent' | 'unknown_call' | 'not_ready';

/** Why a call ended (calls.end_reason). */
export const END_REASON = {
  callerHangup: 'caller_hangup',
  agentHangup: 'agent_hangup',
  transferred: 'transferred',
  silenceTimeout: 'silence_timeout',
  maxDuration: 'max_duration',
  failoverTransfer: 'failover_transfer',
  modelUnavailable: 'model_unavailable',
  shutdown: 'shutdown',
  noStream: 'no_stream',
  statusCallback: 'status_callback',
  /** The instance serving the call stopped heart-beating; another one finalised the call. */
  instanceLost: 'instance_lost',
  error: 'error',
  /** The caller's side vanished without hanging up (a chat page closed or lost its connection). */
  peerLost: 'peer_lost',
  /** The carrier socket stopped reading (its send buffer stayed past the bound). */
  carrierStalled: 'carrier_stalled',
  /** The model socket stopped reading. */
  modelStalled: 'model_stalled',
  /** The gateway's drain (`server.drainTimeoutMs`) ran out: the caller heard the goodbye. */
  drainTimeout: 'drain_timeout',
} as const;
export type EndReason = (typeof END_REASON)[keyof typeof END_REASON];
