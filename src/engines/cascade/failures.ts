/**
 * What went wrong with a text-model run, in the shape the call's failover reads: the service's
 * error type and code (a rate limit with the back-off it named), or the engine's own failure.
 */
import { APIError } from 'openai';
import type { ModelFailure } from '../modelSession.js';

function retryAfterMs(headers: Headers | Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const get = (name: string): string | null | undefined => (headers instanceof Headers ? headers.get(name) : headers[name]);
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const s = Number(get('retry-after'));
  return Number.isFinite(s) && s > 0 ? s * 1000 : undefined;
}

export function failureOf(err: unknown): ModelFailure {
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    const code = typeof err.code === 'string' ? err.code : status === 429 ? 'rate_limit_exceeded' : status ? `http_${status}` : undefined;
    const errorType = typeof err.type === 'string' ? err.type : status >= 500 || status === 0 ? 'server_error' : 'invalid_request_error';
    return { errorType, code, retryAfterMs: retryAfterMs(err.headers as Headers | undefined) };
  }
  const name = err instanceof Error ? err.name : 'Error';
  return { errorType: 'engine_error', code: name, retryAfterMs: undefined };
}
