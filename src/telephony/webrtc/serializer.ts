/**
 * The browser carrier's wire format. Its media is RTP (connection.ts), so what is left to
 * serialize are the console page's control messages to a live call, posted to the signalling
 * endpoint: `{"type":"hangup"}` and `{"type":"dtmf","digit":"5"}` become the `stop` and `dtmf`
 * events a Twilio stream would carry. `serialize` renders the runtime's commands in the same
 * JSON (logs and tests; RTP carries the audio itself).
 */
import { z } from 'zod';
import { CARRIER_ERROR } from '../errors.js';
import type { CarrierSerializer } from '../types.js';
import { WEBRTC } from './protocol.js';

const control = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hangup') }),
  z.object({ type: z.literal('dtmf'), digit: z.string().regex(/^[0-9*#A-D]$/) }),
]);

/** Control messages are tiny; a larger body is refused before parsing. */
export const MAX_CONTROL_BYTES = 1024;

export const webrtcSerializer: CarrierSerializer = {
  carrier: WEBRTC,
  parse(raw) {
    if (raw.length > MAX_CONTROL_BYTES) return { ok: false, code: CARRIER_ERROR.frameTooLarge, message: 'control message too large' };
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { ok: false, code: CARRIER_ERROR.badJson, message: 'not JSON' };
    }
    const r = control.safeParse(json);
    if (!r.success) return { ok: false, code: CARRIER_ERROR.unknownEvent, message: 'expected {"type":"hangup"} or {"type":"dtmf","digit":…}' };
    return r.data.type === 'hangup'
      ? { ok: true, event: { type: 'stop', reason: 'caller hung up' } }
      : { ok: true, event: { type: 'dtmf', digit: r.data.digit } };
  },
  serialize(cmd, streamSid) {
    return JSON.stringify({ ...cmd, streamSid });
  },
};
