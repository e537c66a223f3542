/**
 * Which model events are failures the call must recover from, and why. Every one of them goes
 * to the supervisor's one failover path (canned line, one reconnect with the conversation
 * restored, then the human number or a polite end); the cause is written on the call record.
 * Errors that are our own mistakes (`invalid_request_error`: a cancel with nothing to cancel, a
 * truncate past the end) are not failures of the model: the session carries on.
 */
import type { ModelEvent, ModelFailure } from '../engines/index.js';

export const FAILOVER_CAUSE = {
  /** The model socket closed or was refused. */
  socketClosed: 'socket_closed',
  /** The first connection of the call could not be opened. */
  connectFailed: 'connect_failed',
  /** An `error` event of type `server_error`. */
  serverError: 'server_error',
  /** `response.done` with status `failed`. */
  responseFailed: 'response_failed',
  /** A rate limit (an `error` event or a failed response with `rate_limit_exceeded`). */
  rateLimited: 'rate_limited',
  /** No event for the watchdog's time while a response was due. */
  stalled: 'model_stalled',
  /** The service ended the session at its maximum lifetime. */
  sessionExpired: 'session_expired',
} as const;
export type FailoverCause = (typeof FAILOVER_CAUSE)[keyof typeof FAILOVER_CAUSE];

export interface ModelFault {
  cause: FailoverCause;
  /** The service's error code, when there was one (never caller content). */
  code?: string | undefined;
  /** The back-off the service asked for before trying again. */
  retryAfterMs?: number | undefined;
}

/** Back-off for a rate limit that names no wait. */
export const DEFAULT_RATE_LIMIT_BACKOFF_MS = 1000;
/** The longest back-off honoured: a caller on hold cannot wait for a minute-long hint. */
export const MAX_BACKOFF_MS = 8000;

const RATE_LIMIT = /rate_limit/i;

function isRateLimit(f: { code: string | undefined; errorType: string | undefined }): boolean {
  return RATE_LIMIT.test(f.code ?? '') || RATE_LIMIT.test(f.errorType ?? '');
}

function failedResponse(f: ModelFailure): ModelFault {
  if (isRateLimit(f)) return { cause: FAILOVER_CAUSE.rateLimited, code: f.code, retryAfterMs: f.retryAfterMs ?? DEFAULT_RATE_LIMIT_BACKOFF_MS };
  return { cause: FAILOVER_CAUSE.responseFailed, code: f.code ?? f.errorType };
}

/** The failure an event reports, if it is one. Socket closes are the supervisor's own business. */
export function faultOf(e: ModelEvent): ModelFault | undefined {
  if (e.type === 'response_done') return e.failure ? failedResponse(e.failure) : undefined;
  if (e.type !== 'model_error' || e.origin !== 'server') return undefined;
  if (e.code === 'session_expired') return { cause: FAILOVER_CAUSE.sessionExpired, code: e.code };
  if (isRateLimit(e)) return { cause: FAILOVER_CAUSE.rateLimited, code: e.code, retryAfterMs: e.retryAfterMs ?? DEFAULT_RATE_LIMIT_BACKOFF_MS };
  if (e.errorType === 'server_error') return { cause: FAILOVER_CAUSE.serverError, code: e.code };
  return undefined;
}

/** How long to wait before reconnecting after `fault`. */
export function backoffMs(fault: ModelFault): number {
  return Math.min(MAX_BACKOFF_MS, Math.max(0, fault.retryAfterMs ?? 0));
}
