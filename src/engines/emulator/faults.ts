/**
 * Model failures staged on cue (a scenario's `fault` step), each as the real service shows it:
 * the same event shapes, in the same order, so the runtime meets them exactly as in production.
 */
import type { ScenarioFault } from '../../scenarios/index.js';
import type { SessionResource } from './sessionConfig.js';
import type { EventSink } from './emit.js';
import type { ResponseRun } from './responder.js';

/** What a session lets a fault do to its connection. */
export interface FaultTarget {
  readonly sink: EventSink;
  /** The response the fault replaces (already announced with `response.created`). */
  readonly run: ResponseRun;
  /** Nothing more goes out and nothing coming in is answered; the socket stays open. */
  silence(): void;
  /** The socket dies without a close frame. */
  drop(): void;
  /** The server closes the socket. */
  close(code: number, reason: string): void;
}

export const SERVER_ERROR_MESSAGE = 'The server had an error while processing your request. Sorry about that!';
export const SESSION_EXPIRED_MESSAGE = 'Your session hit the maximum duration of 60 minutes.';

/** The lifetime-cap ending: the `error` event, then the server closes the socket. */
export function expireSession(sink: EventSink, close: FaultTarget['close']): void {
  sink.emit('error', { error: { type: 'invalid_request_error', code: 'session_expired', message: SESSION_EXPIRED_MESSAGE, param: null, event_id: null } });
  close(1000, 'session expired');
}

export function stageFault(fault: ScenarioFault, t: FaultTarget): void {
  switch (fault.kind) {
    case 'server_error':
      t.sink.emit('error', { error: { type: 'server_error', code: null, message: SERVER_ERROR_MESSAGE, param: null, event_id: null } });
      t.run.failWith({ type: 'server_error', code: null, message: SERVER_ERROR_MESSAGE });
      return;
    case 'response_failed':
      t.run.failWith({ type: 'server_error', code: null, message: SERVER_ERROR_MESSAGE });
      return;
    case 'rate_limit': {
      const seconds = (fault.retryAfterMs ?? 1000) / 1000;
      t.run.failWith({
        type: 'requests', code: 'rate_limit_exceeded',
        message: `Rate limit reached for requests per min (RPM). Please try again in ${seconds}s.`,
      });
      return;
    }
    case 'stall':
      t.run.abort();
      t.silence();
      return;
    case 'drop':
      t.run.abort();
      t.drop();
      return;
    case 'session_expired':
      t.run.abort();
      expireSession(t.sink, t.close);
      return;
  }
}

/** The energy detector's settings for a session's turn detection (semantic_vad: eagerness as the end-of-turn silence). */
export function vadOptionsFor(td: SessionResource['audio']['input']['turn_detection']): { threshold: number; prefixPaddingMs: number; silenceDurationMs: number } {
  if (td?.type === 'server_vad') return { threshold: td.threshold, prefixPaddingMs: td.prefix_padding_ms, silenceDurationMs: td.silence_duration_ms };
  const eager = td?.type === 'semantic_vad' ? td.eagerness : 'auto';
  const silence = eager === 'high' ? 300 : eager === 'low' ? 1000 : 500;
  return { threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: silence };
}
