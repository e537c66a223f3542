/**
 * The tool-call audit contract: the toolkit claims an idempotency key and records each outcome
 * through a `ToolInvocationRecorder`; the store's `tool_invocations` repository is one (the toolkit's
 * in-memory recorder another). Kept here so neither the store nor the toolkit imports the other.
 */
export type ToolInvocationStatus =
  | 'running' | 'ok' | 'error' | 'timeout' | 'invalid_arguments' | 'invalid_output' | 'cancelled';

export interface ToolInvocationStart {
  callId: string;
  toolCallId: string;
  toolName: string;
  agent?: string;
  idempotencyKey: string;
  arguments: unknown;
  /**
   * The tool's `idempotent` flag. False: once an attempt with valid arguments finished, the key is
   * never run again, whatever that attempt's outcome (a timed-out SMS may have gone out).
   * True (the default): only an `ok` outcome settles the key; a failed attempt may run again.
   */
  idempotent?: boolean;
}

export interface ToolInvocationOutcome {
  status: Exclude<ToolInvocationStatus, 'running'>;
  result?: unknown;
  errorCode?: string;
  durationMs: number;
}

/**
 * `new`: run the tool. `replay`: this key already finished `ok`; its stored result is the answer.
 * `settled`: a non-idempotent tool's earlier attempt of this key finished with a failure (timeout,
 * error, cancelled, invalid output); it is not run again and that outcome is the answer.
 */
export type ToolInvocationClaim =
  | { kind: 'new' }
  | { kind: 'replay'; result: unknown }
  | { kind: 'settled'; status: Exclude<ToolInvocationStatus, 'running'>; result: unknown; errorCode?: string };

/** May an earlier attempt that ended with `status` run again under the same key? */
export function mayRerun(status: ToolInvocationStatus, idempotent: boolean): boolean {
  if (status === 'ok') return false;
  // invalid arguments never reached the tool's code, so nothing happened that a re-run could repeat;
  // a row left `running` is a crash mid-run, whose re-run finds the side effect by ctx.idempotencyKey
  return idempotent || status === 'invalid_arguments' || status === 'running';
}

export interface ToolInvocationRecorder {
  /**
   * Claims the idempotency key. Returns the stored outcome when this (call, tool call id) has
   * already finished successfully, so the side effect is not repeated.
   */
  begin(start: ToolInvocationStart): Promise<ToolInvocationClaim>;
  finish(idempotencyKey: string, outcome: ToolInvocationOutcome): Promise<void>;
}

/** What the tool audit stores in place of a value of a field marked `sensitive` (src/toolkit/sensitive.ts). */
export const REDACTED = '[redacted]';
