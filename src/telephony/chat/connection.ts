/**
 * One chat as a `CarrierConnection`, so the runtime serves it as it serves a phone line: it
 * "starts" at once with the stream parameters the runtime reads, ends when the page ends it
 * (`stop`, a hang-up) or vanishes (`close` with `lost`), and closes when the agent hangs up.
 * A chat has no speaker: the runtime's audio frames (a canned line the gateway plays itself)
 * are dropped and marks are acknowledged at once, so playback never waits on a page.
 * Typed turns do not pass through here: the console hands them to the call handler, which
 * answers whether an agent is listening. Never throws into callers.
 */
import type { CarrierLog } from '../carrier.js';
import { PCMU_8K_20MS } from '../media.js';
import type { CallEvent, CarrierConnection, StartEvent } from '../types.js';
import { CHAT } from './protocol.js';

type CloseInfo = { code: number; reason: string; lost?: boolean };
type Listeners = {
  event: Array<(e: CallEvent) => void>;
  close: Array<(info: CloseInfo) => void>;
  error: Array<(err: { code: string; message: string }) => void>;
};

export interface ChatConnectionOptions {
  callSid: string;
  /** The stream parameters the runtime reads (`STREAM_PARAM`: callSid, vertical, version). */
  params: Record<string, string>;
  log?: CarrierLog;
}

export class ChatConnection implements CarrierConnection {
  readonly carrier = CHAT;
  readonly started: Promise<StartEvent>;
  readonly callSid: string;
  readonly bufferedAmount = 0;
  private readonly listeners: Listeners = { event: [], close: [], error: [] };
  private closedWith: CloseInfo | undefined;
  /** Audio frames the runtime sent (a chat plays none). */
  framesDropped = 0;

  constructor(private readonly opts: ChatConnectionOptions) {
    this.callSid = opts.callSid;
    this.started = Promise.resolve({
      type: 'start',
      streamSid: `CS${opts.callSid}`,
      callSid: opts.callSid,
      tracks: [],
      mediaFormat: { encoding: PCMU_8K_20MS.encoding, sampleRateHz: PCMU_8K_20MS.sampleRateHz, channels: 1 },
      customParameters: { ...opts.params },
    });
  }

  get closed(): CloseInfo | undefined {
    return this.closedWith;
  }

  on(event: 'event', fn: (e: CallEvent) => void): void;
  on(event: 'close', fn: (info: CloseInfo) => void): void;
  on(event: 'error', fn: (err: { code: string; message: string }) => void): void;
  on(event: keyof Listeners, fn: (arg: never) => void): void {
    (this.listeners[event] as Array<(arg: never) => void>).push(fn);
  }

  sendAudioFrame(_payloadBase64: string): void {
    this.framesDropped++;
  }

  sendMark(name: string): void {
    if (this.closedWith) return;
    // Nothing is played, so everything before the mark has been "heard".
    queueMicrotask(() => {
      if (!this.closedWith) this.emit({ type: 'mark', name });
    });
  }

  clear(): void {
    // Nothing is queued.
  }

  /** The page ended the chat. */
  hangUp(): void {
    if (this.closedWith) return;
    this.emit({ type: 'stop', reason: 'caller ended the chat' });
    this.close(1000, 'caller ended the chat');
  }

  /** The page vanished (its socket closed without ending the chat). */
  lose(why: string): void {
    if (this.closedWith) return;
    this.opts.log?.info('chat peer lost', { callSid: this.callSid, why });
    this.finish({ code: 1001, reason: 'peer lost', lost: true });
  }

  close(code = 1000, reason = ''): void {
    this.finish({ code, reason });
  }

  private finish(info: CloseInfo): void {
    if (this.closedWith) return;
    this.closedWith = info;
    for (const fn of this.listeners.close) this.safely(() => fn(info));
  }

  private emit(event: CallEvent): void {
    for (const fn of this.listeners.event) this.safely(() => fn(event));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log?.warn('chat listener threw', { err: String(err) });
    }
  }
}
