/**
 * The call's view of its carrier stream, which may be replaced once: a warm transfer moves the
 * caller off the media stream (Twilio closes it) and, when the person does not take the call,
 * brings them back on a NEW stream of the same call. While `holding`, the old stream's close is
 * expected and not the end of the call; `swap` puts the new stream in its place. The call
 * session, its playback and its model connection never notice (the conversation simply goes on).
 */
import type { CallEvent, CarrierConnection, StartEvent } from '../telephony/index.js';

type CloseInfo = { code: number; reason: string; lost?: boolean };

export class StreamSplice implements CarrierConnection {
  readonly carrier: string;
  readonly started: Promise<StartEvent>;
  private inner: CarrierConnection | undefined;
  private holdingNow = false;
  private closeFns: Array<(info: CloseInfo) => void> = [];
  private errorFns: Array<(err: { code: string; message: string }) => void> = [];
  private swapWaiters: Array<() => void> = [];
  /** The current stream's close arrived while holding (the caller left the stream). */
  private innerClosed = false;
  /** Streams corked and not yet uncorked, innermost last (a swap may fall inside a batch). */
  private readonly corked: Array<CarrierConnection | undefined> = [];

  constructor(first: CarrierConnection) {
    this.carrier = first.carrier;
    this.started = first.started;
    this.use(first);
  }

  /** A stream change is under way: the current stream's close does not end the call. */
  get holding(): boolean {
    return this.holdingNow;
  }

  /** Waiting for the caller's new stream (holding, the old one already closed). */
  get awaitingStream(): boolean {
    return this.holdingNow && this.innerClosed;
  }

  hold(): void {
    this.holdingNow = true;
  }

  /** The hold was given up before the caller left the stream; a close that came meanwhile ends the call. */
  release(): void {
    this.holdingNow = false;
    if (this.innerClosed) this.emitClose({ code: 1000, reason: 'stream closed during a transfer' });
  }

  /** The caller's new stream takes the old one's place. */
  swap(next: CarrierConnection): void {
    this.inner?.close(1000, 'replaced');
    this.innerClosed = false;
    this.holdingNow = false;
    this.use(next);
    const waiters = this.swapWaiters;
    this.swapWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves true once a new stream is in place, false after `timeoutMs`. */
  swapped(timeoutMs: number): Promise<boolean> {
    if (!this.holdingNow) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.swapWaiters = this.swapWaiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.swapWaiters.push(done);
    });
  }

  on(event: 'event', fn: (e: CallEvent) => void): void;
  on(event: 'close', fn: (info: CloseInfo) => void): void;
  on(event: 'error', fn: (err: { code: string; message: string }) => void): void;
  on(event: 'event' | 'close' | 'error', fn: ((e: CallEvent) => void) | ((info: CloseInfo) => void) | ((err: { code: string; message: string }) => void)): void {
    // Events are routed by the call manager from each stream it accepted; only close and error are ours.
    if (event === 'close') this.closeFns.push(fn as (info: CloseInfo) => void);
    else if (event === 'error') this.errorFns.push(fn as (err: { code: string; message: string }) => void);
  }

  sendAudioFrame(payloadBase64: string): void {
    this.inner?.sendAudioFrame(payloadBase64);
  }

  sendMark(name: string): void {
    this.inner?.sendMark(name);
  }

  clear(): void {
    this.inner?.clear();
  }

  /** Batching passes through to the current stream (one write per model delta, not per frame). */
  cork(): void {
    const inner = this.inner?.cork !== undefined && this.inner.uncork !== undefined ? this.inner : undefined;
    this.corked.push(inner);
    inner?.cork?.();
  }

  /** Uncorks the stream the matching `cork` corked, even if a swap came in between. */
  uncork(): void {
    this.corked.pop()?.uncork?.();
  }

  close(code?: number, reason?: string): void {
    this.holdingNow = false;
    this.inner?.close(code, reason);
  }

  get bufferedAmount(): number {
    return this.inner?.bufferedAmount ?? 0;
  }

  private use(conn: CarrierConnection): void {
    this.inner = conn;
    conn.on('close', (info) => {
      if (this.inner !== conn) return;
      if (this.holdingNow) {
        this.innerClosed = true;
        this.inner = undefined;
        return;
      }
      this.emitClose(info);
    });
    conn.on('error', (err) => {
      if (this.inner === conn) for (const fn of this.errorFns) fn(err);
    });
  }

  private emitClose(info: CloseInfo): void {
    for (const fn of this.closeFns) fn(info);
  }
}
