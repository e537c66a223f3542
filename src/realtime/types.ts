/**
 * The runtime's public contracts: what the server calls (`CallHandler`) and how a call ends.
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { CallStatusReport } from '../telephony/index.js';
import type { CarrierConnection } from '../telephony/index.js';

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
}

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
} as const;
export type EndReason = (typeof END_REASON)[keyof typeof END_REASON];
