import { createHash, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

/** A W3C trace id (32 hex chars) derived from the call SID, so every log and span of a call joins up. */
export function traceIdFromCallSid(callSid: string): string {
  return createHash('sha256').update(callSid).digest('hex').slice(0, 32);
}

/** A short stable hash of some content (manifest versions, idempotency keys). */
export function contentHash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, 12);
}
