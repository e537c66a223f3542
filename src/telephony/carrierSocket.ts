/**
 * `CarrierConnection` over a `ws` WebSocket and a carrier serializer. It never throws into the
 * socket: bad input becomes a coded `error` event and is dropped, listener exceptions are caught
 * and logged, and the `started` promise settles exactly once (start, close or timeout).
 */
import type { Socket } from 'node:net';
import type { WebSocket, RawData } from 'ws';
import { AppError } from '../shared/index.js';
import { createLogger, type Logger } from '../observability/index.js';
import { edgeCounters } from '../observability/index.js';
import { CARRIER_ERROR } from './errors.js';
import type { CallEvent, CarrierCommand, CarrierConnection, CarrierSerializer, StartEvent } from './types.js';

export interface CarrierSocketOptions {
  /** How long to wait for `start` before giving up and closing the socket. */
  startTimeoutMs?: number;
  logger?: Logger;
}

type Listeners = {
  event: Array<(e: CallEvent) => void>;
  close: Array<(info: { code: number; reason: string }) => void>;
  error: Array<(err: { code: string; message: string }) => void>;
};

const OPEN = 1;
export const DEFAULT_START_TIMEOUT_MS = 10_000;

export class CarrierSocket implements CarrierConnection {
  readonly carrier: string;
  readonly started: Promise<StartEvent>;
  private readonly listeners: Listeners = { event: [], close: [], error: [] };
  private readonly log: Logger;
  private streamSid: string | null = null;
  private startTimer: NodeJS.Timeout | null = null;
  private settleStart: ((e: StartEvent) => void) | null = null;
  private failStart: ((err: AppError) => void) | null = null;
  private closed = false;

  constructor(private readonly ws: WebSocket, private readonly serializer: CarrierSerializer, options: CarrierSocketOptions = {}) {
    this.carrier = serializer.carrier;
    this.log = options.logger ?? createLogger('telephony');
    this.started = new Promise<StartEvent>((resolve, reject) => {
      this.settleStart = resolve;
      this.failStart = reject;
    });
    // Nobody may be awaiting `started` yet; a rejection must never become an unhandled one.
    this.started.catch(() => undefined);
    const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    this.startTimer = setTimeout(() => {
      this.rejectStart(new AppError(CARRIER_ERROR.startTimeout, `no start event within ${timeoutMs} ms`));
      this.close(1008, 'no start event');
    }, timeoutMs);
    this.startTimer.unref();

    ws.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString('utf8')));
    ws.on('error', (err: Error) => this.log.warn('carrier socket error', { err }));
  }

  /** The stream id once `start` has arrived. */
  get sid(): string | null {
    return this.streamSid;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  on(event: 'event', fn: (e: CallEvent) => void): void;
  on(event: 'close', fn: (info: { code: number; reason: string }) => void): void;
  on(event: 'error', fn: (err: { code: string; message: string }) => void): void;
  on(event: keyof Listeners, fn: (arg: never) => void): void {
    (this.listeners[event] as Array<(arg: never) => void>).push(fn);
  }

  sendAudioFrame(payloadBase64: string): void {
    if (this.send({ type: 'audio', payloadBase64 })) edgeCounters.framesOut++;
  }

  sendMark(name: string): void {
    this.send({ type: 'mark', name });
  }

  /**
   * Holds this socket's writes until `uncork` (nested calls count): the frames and marks of one
   * model delta then leave in one system call instead of one each. `ws` keeps its TCP socket in
   * a private field, so without it (another WebSocket implementation) this does nothing.
   */
  cork(): void {
    this.rawSocket()?.cork();
  }

  uncork(): void {
    this.rawSocket()?.uncork();
  }

  private rawSocket(): Socket | undefined {
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    return socket && typeof socket.cork === 'function' && !socket.destroyed ? socket : undefined;
  }

  clear(): void {
    this.send({ type: 'clear' });
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch (err) {
      this.log.warn('carrier socket close failed', { err });
      this.ws.terminate();
    }
  }

  private send(cmd: CarrierCommand): boolean {
    if (this.streamSid === null || this.closed || this.ws.readyState !== OPEN) return false;
    this.ws.send(this.serializer.serialize(cmd, this.streamSid));
    return true;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return this.emitError(CARRIER_ERROR.binaryMessage, 'binary messages are not part of the protocol');
    // ws hands text frames over as a Buffer: decode it in place (Buffer.from(buffer) would copy every frame first).
    const raw = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const parsed = this.serializer.parse(raw);
    if (!parsed.ok) return this.emitError(parsed.code, parsed.message);
    const event = parsed.event;
    if (event.type === 'audio') {
      if (this.streamSid === null) return this.emitError(CARRIER_ERROR.beforeStart, 'media before start');
      edgeCounters.framesIn++;
      return this.emit(event);
    }
    if (event.type === 'connected') return;
    if (event.type === 'start') {
      if (this.streamSid !== null) return this.emitError(CARRIER_ERROR.duplicateStart, 'a second start on one stream');
      this.streamSid = event.streamSid;
      if (this.startTimer) clearTimeout(this.startTimer);
      const settle = this.settleStart;
      this.settleStart = this.failStart = null;
      settle?.(event);
      return;
    }
    if (this.streamSid === null) return this.emitError(CARRIER_ERROR.beforeStart, `${event.type} before start`);
    this.emit(event);
  }

  private onClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.startTimer) clearTimeout(this.startTimer);
    this.rejectStart(new AppError(CARRIER_ERROR.closedBeforeStart, `socket closed before start (${code})`));
    for (const fn of this.listeners.close) this.safely(() => fn({ code, reason }));
  }

  private rejectStart(err: AppError): void {
    const fail = this.failStart;
    this.settleStart = this.failStart = null;
    fail?.(err);
  }

  private emit(event: CallEvent): void {
    const fns = this.listeners.event;
    for (let i = 0; i < fns.length; i++) {
      try {
        fns[i]!(event);
      } catch (err) {
        this.log.error('carrier listener threw', { err });
      }
    }
  }

  private emitError(code: string, message: string): void {
    edgeCounters.protocolErrors++;
    this.log.debug('carrier input refused', { code, streamSid: this.streamSid });
    for (const fn of this.listeners.error) this.safely(() => fn({ code, message }));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('carrier listener threw', { err });
    }
  }
}
