/**
 * What the call's helpers (model events → playback and records, local prompts) may ask of the
 * call, and nothing more: they hold this port, never the `CallSession`, so the call's state is
 * changed only through the call's own methods.
 */
import type { ReplayItem } from '../engines/index.js';
import type { CallTelemetry, Logger } from '../observability/index.js';
import type { ToolInvocationRecorder } from '../toolkit/index.js';
import type { AudioPath } from './audioPath.js';
import type { Playback } from './playback.js';
import type { CallRecorder } from './records.js';

export interface CallPort {
  readonly callId: string;
  /** The vertical's id (its canned lines' voice). */
  readonly vertical: string;
  readonly log: Logger;
  /** Where the call's trace and metrics are reported (turns, token usage). */
  readonly telemetry: CallTelemetry;
  readonly rec: CallRecorder;
  readonly playback: Playback;
  readonly toolRecorder: ToolInvocationRecorder;
  /** The call is over (nothing more reaches the caller). */
  ended(): boolean;
  /** The audio path, once the engine is chosen. */
  audio(): AudioPath | undefined;
  /** Milliseconds since the call started (transcript offsets). */
  offsetMs(): number;
  /** The agent the caller is talking to, and a handoff to another. */
  currentAgent(): string;
  setAgent(name: string): void;
  /** Appends to what a reconnected model is told. */
  remember(item: ReplayItem): void;
  /** Runs `fn` with the carrier's writes batched (one write for a delta's frames). */
  batchCarrier(fn: () => void): void;
  /** An item's playback was cut short. */
  itemCut(itemId: string): void;
  /** Silence accounting: something is pending, the caller spoke, maybe everyone is quiet now. */
  busy(): void;
  callerSpoke(): void;
  maybeQuiet(): void;
  /** A response started / finished generating (speak waiters). */
  responseCreated(responseId: string): void;
  responseDone(responseId: string): void;
}
