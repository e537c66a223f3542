/**
 * Chat, a carrier like Twilio and the browser: the console's chat socket (src/server/console)
 * opens a `ChatConnection` here and hands it to `CallHandler.attach`, so a chat has the same call
 * session, agents, tools, handoffs, limits, records and analysis as a phone call; its model
 * answers in text, and the call row's channel is `chat`. The agent hanging up closes the chat;
 * there is no telephone network behind a page, so a transfer is refused with a coded error.
 *
 * `webhooks` is empty and the stream path refuses upgrades: the console authenticates operators
 * (ADMIN_TOKEN or loopback) before any chat reaches this module.
 */
import { Router } from 'express';
import { AppError } from '../../shared/index.js';
import type { Carrier, CarrierContext, CarrierLog, CarrierModule } from '../carrier.js';
import { PCMU_8K_20MS } from '../media.js';
import type { CallControl } from '../types.js';
import { ChatConnection } from './connection.js';
import { CHAT, CHAT_ERROR, CHAT_STREAM_PATH } from './protocol.js';
import { chatSerializer } from './serializer.js';

export * from './protocol.js';
export { ChatConnection, type ChatConnectionOptions } from './connection.js';
export { chatSerializer } from './serializer.js';

/** Chats at once on one gateway. */
export const DEFAULT_MAX_CHATS = 500;

export interface ChatCarrier extends Carrier {
  /** A new chat's connection; rejects with CHAT_BUSY at capacity. */
  open(call: { callSid: string; params: Record<string, string> }): ChatConnection;
  /** Live chats. */
  readonly live: ReadonlyMap<string, ChatConnection>;
}

export function isChatCarrier(c: Carrier): c is ChatCarrier {
  return c.name === CHAT && typeof (c as Partial<ChatCarrier>).open === 'function';
}

export function createChatCarrier(options: { log?: CarrierLog; maxChats?: number } = {}): ChatCarrier {
  const live = new Map<string, ChatConnection>();
  const maxChats = options.maxChats ?? DEFAULT_MAX_CHATS;
  const callControl: CallControl = {
    async hangUp(callSid) {
      live.get(callSid)?.close(1000, 'the agent ended the chat');
    },
    async transfer() {
      throw new AppError(CHAT_ERROR.transferUnsupported, 'a chat cannot be transferred: there is no telephone network behind it');
    },
  };
  return {
    name: CHAT,
    channel: 'chat',
    serializer: chatSerializer,
    // Unused (nothing is played); the runtime needs a format to frame by.
    media: PCMU_8K_20MS,
    signatureCheck: false,
    stream: {
      path: CHAT_STREAM_PATH,
      metricsRoute: 'chat_stream',
      authenticate: () => ({ ok: false, status: 400, code: CHAT_ERROR.noWebSocket, outcome: 'not_websocket' }),
    },
    webhooks: () => Router(),
    callControl,
    callStatus: (status) => (status === 'completed' ? { ended: true, outcome: 'completed' } : status === 'failed' ? { ended: true, outcome: 'failed' } : { ended: false }),
    live,
    open(call) {
      if (live.size >= maxChats) throw new AppError(CHAT_ERROR.busy, `this gateway already carries ${maxChats} chats`, { retryable: true });
      const conn = new ChatConnection({ callSid: call.callSid, params: call.params, ...(options.log ? { log: options.log } : {}) });
      live.set(call.callSid, conn);
      conn.on('close', () => {
        if (live.get(call.callSid) === conn) live.delete(call.callSid);
      });
      return conn;
    },
  };
}

export const chatCarrier: CarrierModule = {
  name: CHAT,
  create(ctx: CarrierContext): Carrier {
    return createChatCarrier(ctx.log ? { log: ctx.log } : {});
  },
};
