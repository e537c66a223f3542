/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the webhook's secret, sent as
 * `X-Switchboard-Signature: v1=<hex>` beside `X-Switchboard-Timestamp: <unix seconds>`. The
 * receiver recomputes it over the raw body and refuses old timestamps (replays). The README's
 * "Post-call webhooks" section has the same check in a few lines.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Switchboard-Signature';
export const TIMESTAMP_HEADER = 'X-Switchboard-Timestamp';
export const EVENT_HEADER = 'X-Switchboard-Event';
export const EVENT_ID_HEADER = 'X-Switchboard-Event-Id';
/** Receivers should refuse signatures older than this. */
export const DEFAULT_TOLERANCE_S = 300;

export function signWebhook(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** True when `signature` is a v1 signature of `body` at `timestamp` and the timestamp is recent. */
export function verifyWebhook(secret: string, body: string, timestamp: string, signature: string, nowS = Math.floor(Date.now() / 1000), toleranceS = DEFAULT_TOLERANCE_S): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowS - ts) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
