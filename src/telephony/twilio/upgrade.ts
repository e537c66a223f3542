/**
 * The Media Streams WebSocket upgrade is signed like a webhook with no params: over the wss URL
 * Twilio dialled (our public URL's wss twin plus the path and query it used).
 */
import type { CarrierStream, UpgradeRequest, UpgradeVerdict } from '../carrier.js';
import { toWebSocketUrl } from '../urls.js';
import { SIGNATURE_INVALID, TWILIO_PATHS } from './protocol.js';
import { validateTwilioSignature } from './signature.js';

const ACCEPT: UpgradeVerdict = { ok: true };
const REFUSE: UpgradeVerdict = { ok: false, status: 403, code: SIGNATURE_INVALID, outcome: 'bad_signature' };

export function twilioStream(publicUrl: string, authToken: string | null): CarrierStream {
  const wsBase = toWebSocketUrl(publicUrl);
  return {
    path: TWILIO_PATHS.stream,
    metricsRoute: 'stream',
    authenticate(req: UpgradeRequest): UpgradeVerdict {
      if (!authToken) return ACCEPT;
      const signature = req.headers['x-twilio-signature'];
      const sig = Array.isArray(signature) ? signature[0] : signature;
      return validateTwilioSignature(authToken, sig, wsBase + req.url) ? ACCEPT : REFUSE;
    },
  };
}
