/**
 * Twilio request signatures (`X-Twilio-Signature`): base64(HMAC-SHA1(authToken, url + params)),
 * where params are the POST body's key/value pairs sorted by key and concatenated as key+value
 * (nothing for GET and for the Media Streams WebSocket upgrade, which is signed over its wss URL).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedParams = Record<string, string | string[] | undefined>;

export function computeTwilioSignature(authToken: string, url: string, params: SignedParams = {}): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    if (value === undefined) continue;
    // Repeated keys are signed value by value, values sorted, as Twilio's helper libraries do.
    for (const v of Array.isArray(value) ? [...value].sort() : [value]) data += key + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function sameString(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Twilio may sign the URL with or without the scheme's default port; accept either form. */
function urlVariants(url: string): string[] {
  const m = /^(https?|wss?):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const defaultPort = /^(https|wss)$/i.test(scheme) ? '443' : '80';
  const portMatch = /:(\d+)$/.exec(authority);
  if (!portMatch) return [url, `${scheme}://${authority}:${defaultPort}${rest}`];
  if (portMatch[1] === defaultPort) return [url, `${scheme}://${authority.slice(0, -portMatch[0].length)}${rest}`];
  return [url];
}

export function validateTwilioSignature(authToken: string, signature: string | undefined, url: string, params: SignedParams = {}): boolean {
  if (!signature) return false;
  let ok = false;
  // Check every variant (no early exit) so timing does not tell which one matched.
  for (const candidate of urlVariants(url)) {
    if (sameString(computeTwilioSignature(authToken, candidate, params), signature)) ok = true;
  }
  return ok;
}

/** The signature header for a request to `url` (none without a token): what Twilio would send. */
export function twilioSignatureHeaders(authToken: string | null | undefined, url: string, params?: SignedParams): Record<string, string> {
  return authToken ? { 'X-Twilio-Signature': computeTwilioSignature(authToken, url, params) } : {};
}
