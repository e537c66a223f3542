/**
 * The chat carrier's `CarrierSerializer`. A chat's only call-level events are its start (made by
 * the gateway) and its end: `{"type":"end"}` becomes the `stop` a Twilio stream would carry.
 * Typed turns and `start` are read by the console's chat socket with `parseChatMessage`;
 * `serialize` renders the runtime's commands as JSON (logs and tests; a chat plays no audio).
 */
import type { CarrierSerializer } from '../types.js';
import { CHAT, parseChatMessage } from './protocol.js';

export const chatSerializer: CarrierSerializer = {
  carrier: CHAT,
  parse(raw) {
    const r = parseChatMessage(raw);
    if (!r.ok) return r;
    if (r.message.type === 'end') return { ok: true, event: { type: 'stop', reason: 'caller ended the chat' } };
    return { ok: false, code: 'CHAT_NOT_A_CALL_EVENT', message: `"${r.message.type}" is read by the chat socket, not the call` };
  },
  serialize(cmd, streamSid) {
    return JSON.stringify({ ...cmd, streamSid });
  },
};
