import { createHash, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/**
 * A W3C trace id (32 hex chars) derived from the call SID, so every log and span of a call joins
 * up: the first 16 bytes of SHA-256(CallSid), as lower-case hex. Any process that knows the SID
 * (the gateway, the worker, an operator with `calls show`) finds the same trace.
 */
export function traceIdFromCallSid(callSid: string): string {
  return createHash('sha256').update(callSid).digest('hex').slice(0, 32);
}

/**
 * The span id (16 hex chars) of a call's own span: the first 8 bytes of SHA-256(traceId + "/call").
 * Derived from the trace id so a process that only knows the trace id (the post-call worker,
 * through the call row) can parent its spans on the call.
 */
export function callSpanIdFromTraceId(traceId: string): string {
  return createHash('sha256').update(`${traceId}/call`).digest('hex').slice(0, 16);
}

/** A W3C `traceparent` header value for a sampled span. */
export function traceparentOf(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

/** A short stable hash of some content (manifest versions, idempotency keys). */
export function contentHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, 12);
}
