/**
 * One page's chat over the console's WebSocket: `start` prepares a call on the chat carrier
 * (the vertical's live version) and hands its connection to the call handler, as a phone
 * call's stream would be; each `message` is a typed turn the agent answers; what the call
 * records (transcript items, handoffs, tool invocations, the end) is pushed back as it is
 * written. Bad input gets a coded `error` on this socket only and the chat goes on. A page
 * that goes away without `end` is a lost peer: the call still ends, is finalised and analysed.
 */
import type { WebSocket, RawData } from 'ws';
import { callsOverflowTotal, type Logger } from '../../observability/index.js';
import { describeError } from '../../shared/index.js';
import type { CallFeedEvent, TypedTurnResult } from '../../realtime/index.js';
import { STREAM_PARAM } from '../../telephony/index.js';
import {
  CHAT, CHAT_ERROR, newChatSid, parseChatMessage, type ChatCarrier, type ChatConnection, type ChatServerMessage,
} from '../../telephony/index.js';
import type { CallHandler, GatewayCatalog } from '../types.js';

/** The handler's chat capabilities (the CallManager has them). */
export type ChatCallHandler = CallHandler & Required<Pick<CallHandler, 'typed' | 'observe'>>;

export interface ChatSocketOptions {
  carrier: ChatCarrier;
  catalog: GatewayCatalog;
  handler: ChatCallHandler;
  isDraining: () => boolean;
  /** At `server.maxCalls` (admission control): a new chat is refused as busy. */
  atCapacity?: () => boolean;
  log: Logger;
  /** How long a typed turn waits for the agent's model to be ready (the first one races the connection). */
  readyTimeoutMs: number;
  /** After the call ended, how long the socket waits for the final records before it closes. */
  endWaitMs: number;
  /** A socket that starts no chat within this long is closed (it holds a connection for nothing). */
  startTimeoutMs: number;
}

const READY_POLL_MS = 100;

export class ChatSocket {
  private conn: ChatConnection | undefined;
  private callSid: string | undefined;
  private unsubscribe: (() => void) | undefined;
  private ended = false;
  /** Typed turns go to the agent one after another, in the order typed. */
  private turns: Promise<void> = Promise.resolve();
  private startTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ws: WebSocket, private readonly opts: ChatSocketOptions) {
    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', () => this.onSocketClosed());
    this.startTimer = setTimeout(() => {
      this.fail(CHAT_ERROR.notStarted, `no chat was started within ${opts.startTimeoutMs} ms`);
      ws.close(1008, 'no chat started');
    }, opts.startTimeoutMs);
    this.startTimer.unref();
    ws.on('error', (err) => opts.log.debug('chat socket error', { err: describeError(err) }));
  }

  private send(message: ChatServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }

  private fail(code: string, message: string): void {
    this.opts.log.info('chat input refused', { callSid: this.callSid ?? null, code });
    this.send({ type: 'error', code, message });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    try {
      if (isBinary) return this.fail(CHAT_ERROR.badMessage, 'chat messages are JSON text');
      const raw = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8');
      const parsed = parseChatMessage(raw);
      if (!parsed.ok) return this.fail(parsed.code, parsed.message);
      const m = parsed.message;
      if (m.type === 'start') return this.start(m.vertical);
      if (!this.conn) return this.fail(CHAT_ERROR.notStarted, 'send {"type":"start","vertical":"<id>"} first');
      if (this.ended) return this.fail(CHAT_ERROR.ended, 'this chat has ended');
      if (m.type === 'end') return this.conn.hangUp();
      const text = m.text;
      this.turns = this.turns.then(() => this.typed(text));
    } catch (err) {
      // Never into the socket: a bug here ends nothing but this message.
      this.opts.log.error('chat message failed', { err: describeError(err) });
      this.fail('CHAT_INTERNAL', 'the message could not be handled');
    }
  }

  private start(verticalId: string): void {
    const { opts } = this;
    if (this.conn) return this.fail(CHAT_ERROR.alreadyStarted, 'this socket already carries a chat; open another for a new one');
    if (opts.isDraining()) return this.fail(CHAT_ERROR.refused, 'the gateway is shutting down');
    const vertical = opts.catalog.get(verticalId);
    if (!vertical) return this.fail(CHAT_ERROR.unknownVertical, `no vertical "${verticalId}"`);
    if (opts.atCapacity?.()) {
      callsOverflowTotal.inc({ vertical: vertical.id, reason: 'at_capacity', policy: 'reject' });
      opts.log.info('chat not taken: at capacity', { vertical: vertical.id });
      return this.fail(CHAT_ERROR.busy, 'all lines are busy: the gateway carries as many calls as it takes (server.maxCalls)');
    }
    const callSid = newChatSid();
    const params = { [STREAM_PARAM.callSid]: callSid, [STREAM_PARAM.vertical]: vertical.id, [STREAM_PARAM.version]: vertical.version };
    let conn: ChatConnection;
    try {
      conn = opts.carrier.open({ callSid, params });
    } catch (err) {
      return this.fail(CHAT_ERROR.busy, (err as Error).message);
    }
    try {
      const to = vertical.numbers[0];
      const pending = opts.handler.prepare({ carrier: CHAT, callSid, vertical, ...(to ? { to } : {}) });
      if (pending) pending.catch((err: unknown) => opts.log.warn('chat preparation failed', { callSid, err: describeError(err) }));
    } catch (err) {
      conn.close(1011, 'refused');
      opts.log.warn('chat refused at preparation', { callSid, err: describeError(err) });
      return this.fail(CHAT_ERROR.refused, 'the gateway cannot take a chat now');
    }
    this.conn = conn;
    this.callSid = callSid;
    clearTimeout(this.startTimer);
    // Watch the records before the call starts talking: the greeting is the first of them.
    this.unsubscribe = opts.handler.observe(callSid, (e) => this.onRecord(e));
    conn.on('close', () => this.onCallClosed());
    opts.handler.attach(conn);
    opts.log.info('chat started', { callSid, vertical: vertical.id, version: vertical.version });
    this.send({ type: 'started', callSid, vertical: vertical.id, version: vertical.version });
  }

  /** Hands a typed turn to the call, waiting (a little) for its model to be ready. */
  private async typed(text: string): Promise<void> {
    const { opts } = this;
    const deadline = Date.now() + opts.readyTimeoutMs;
    let result: TypedTurnResult = opts.handler.typed(this.callSid!, text);
    while (result === 'not_ready' && !this.ended && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, READY_POLL_MS));
      result = opts.handler.typed(this.callSid!, text);
    }
    if (result === 'sent') return;
    if (result === 'unknown_call' || this.ended) return this.fail(CHAT_ERROR.ended, 'this chat has ended');
    this.fail(CHAT_ERROR.notReady, `the agent was not ready within ${opts.readyTimeoutMs} ms; send it again`);
  }

  private onRecord(e: CallFeedEvent): void {
    switch (e.type) {
      case 'transcript':
        return this.send({ type: 'transcript', role: e.role, agent: e.agent, text: e.text, interrupted: e.interrupted });
      case 'handoff':
        return this.send({ type: 'handoff', from: e.from, to: e.to, offsetMs: e.offsetMs });
      case 'tool':
        return this.send({
          type: 'tool', name: e.name, agent: e.agent, status: e.status, offsetMs: e.offsetMs,
          ...(e.errorCode ? { errorCode: e.errorCode } : {}), ...(e.durationMs !== undefined ? { durationMs: e.durationMs } : {}),
        });
      case 'ended':
        this.ended = true;
        this.send({ type: 'ended', status: e.status, endReason: e.endReason });
        this.ws.close(1000, e.endReason.slice(0, 100));
        return;
    }
  }

  /** The call ended (the page, the agent or a limit ended it): its final records close the socket. */
  private onCallClosed(): void {
    this.ended = true;
    const timer = setTimeout(() => this.ws.close(1000, 'chat ended'), this.opts.endWaitMs);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
  }

  private onSocketClosed(): void {
    clearTimeout(this.startTimer);
    this.ended = true;
    this.unsubscribe?.();
    this.conn?.lose('chat socket closed without ending the chat');
  }
}
