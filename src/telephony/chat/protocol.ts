/**
 * Chat: typing to a vertical instead of speaking. A chat is a call like any other (same
 * compiled agents, tools, handoffs, records and post-call analysis) whose caller is a page
 * that sends text and reads text. These are its names, error codes and wire messages, as zod
 * schemas: the page speaks JSON over the console's WebSocket (src/server/console/chat.ts).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const CHAT = 'chat';

/** Not a media path: a chat has no media stream, so upgrades to it are refused. */
export const CHAT_STREAM_PATH = '/chat/stream';

/** The longest typed turn, in characters (a few paragraphs). */
export const MAX_CHAT_TEXT_CHARS = 4000;
/** The largest chat message read at all, in bytes; a larger one is refused with a coded error. */
export const MAX_CHAT_MESSAGE_BYTES = 16 * 1024;

export const CHAT_ERROR = {
  /** Not JSON, or not one of the messages below. */
  badMessage: 'CHAT_BAD_MESSAGE',
  /** Over MAX_CHAT_MESSAGE_BYTES, or a text over MAX_CHAT_TEXT_CHARS. */
  tooLarge: 'CHAT_MESSAGE_TOO_LARGE',
  /** `start` named no vertical this gateway serves. */
  unknownVertical: 'CHAT_UNKNOWN_VERTICAL',
  /** A message before `start`, or a second `start`. */
  notStarted: 'CHAT_NOT_STARTED',
  alreadyStarted: 'CHAT_ALREADY_STARTED',
  /** The agent did not get ready to read in time (its model is still connecting). */
  notReady: 'CHAT_NOT_READY',
  /** The chat has ended; nothing more is read. */
  ended: 'CHAT_ENDED',
  /** The gateway could not take the chat (shutting down, at capacity). */
  refused: 'CHAT_REFUSED',
  /** A chat has no telephone network behind it. */
  transferUnsupported: 'CHAT_TRANSFER_UNSUPPORTED',
  /** Media stream upgrades do not exist for this carrier. */
  noWebSocket: 'CHAT_NO_WEBSOCKET',
  /** Too many chats at once. */
  busy: 'CHAT_BUSY',
} as const;
export type ChatErrorCode = (typeof CHAT_ERROR)[keyof typeof CHAT_ERROR];

/** What the page sends. */
export const chatClientMessageSchema = z.discriminatedUnion('type', [
  /** Opens the chat with a vertical (its live version). */
  z.strictObject({ type: z.literal('start'), vertical: z.string().min(1).max(100) }),
  /** A typed turn. */
  z.strictObject({ type: z.literal('message'), text: z.string() }),
  /** The caller ends the chat (hangs up). */
  z.strictObject({ type: z.literal('end') }),
]);
export type ChatClientMessage = z.infer<typeof chatClientMessageSchema>;

/** What the page reads. Records (`transcript`, `handoff`, `tool`) are sent once they are written. */
export type ChatServerMessage =
  | { type: 'started'; callSid: string; vertical: string; version: string }
  | { type: 'transcript'; role: 'caller' | 'assistant' | 'system'; agent: string | null; text: string; interrupted: boolean }
  /** `offsetMs`: when it happened, from the start of the chat (records may arrive out of that order). */
  | { type: 'handoff'; from: string; to: string; offsetMs: number | null }
  | { type: 'tool'; name: string; agent: string | null; status: string; offsetMs: number | null; errorCode?: string; durationMs?: number }
  | { type: 'error'; code: string; message: string }
  | { type: 'ended'; status: 'completed' | 'failed'; endReason: string };

export type ChatParse = { ok: true; message: ChatClientMessage } | { ok: false; code: ChatErrorCode; message: string };

/** Parses one message from the page. Never throws; sizes are checked before any parsing. */
export function parseChatMessage(raw: string): ChatParse {
  if (Buffer.byteLength(raw, 'utf8') > MAX_CHAT_MESSAGE_BYTES) {
    return { ok: false, code: CHAT_ERROR.tooLarge, message: `a chat message may be at most ${MAX_CHAT_MESSAGE_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: CHAT_ERROR.badMessage, message: 'not JSON: expected {"type":"message","text":"…"}' };
  }
  const r = chatClientMessageSchema.safeParse(json);
  if (!r.success) {
    return { ok: false, code: CHAT_ERROR.badMessage, message: 'expected {"type":"start","vertical":"<id>"}, {"type":"message","text":"…"} or {"type":"end"}' };
  }
  if (r.data.type === 'message') {
    const text = r.data.text.trim();
    if (text === '') return { ok: false, code: CHAT_ERROR.badMessage, message: 'the message is empty' };
    if (text.length > MAX_CHAT_TEXT_CHARS) return { ok: false, code: CHAT_ERROR.tooLarge, message: `a message may be at most ${MAX_CHAT_TEXT_CHARS} characters` };
    return { ok: true, message: { type: 'message', text } };
  }
  return { ok: true, message: r.data };
}

/** Chat ids look like Twilio's CallSids (two letters, 32 hex digits) with their own prefix. */
export const CHAT_SID_PREFIX = 'CH';

export function newChatSid(): string {
  return CHAT_SID_PREFIX + randomBytes(16).toString('hex');
}

export function isChatSid(callSid: string): boolean {
  return /^CH[0-9a-f]{32}$/.test(callSid);
}
