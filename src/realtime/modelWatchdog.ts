/**
 * Notices a model that stops answering: while a response is due (we asked for one, the caller
 * finished a turn, a tool or handoff finished, or a response is streaming) and no event at all
 * has come for `stallMs`, the session is declared stalled. Every event only stamps a time (the
 * audio hot path pays one assignment); one timer per session runs only while a response is due.
 */
import type { ModelEvent, ModelSession } from '../engines/index.js';

export class ResponseWatchdog {
  private due = false;
  /** A tool or handoff finished while a response was streaming: the SDK asks for the next one after `response.done`. */
  private dueAfterDone = false;
  private lastAtMs = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `turnsCreateResponses`: the server answers a finished caller turn by itself (turn detection's `create_response`). */
  constructor(private readonly stallMs: number, private readonly turnsCreateResponses: boolean, private readonly onStall: (silentMs: number) => void) {}

  /** Every event from the session this watches. */
  seen(e: ModelEvent): void {
    this.lastAtMs = performance.now();
    switch (e.type) {
      case 'speech_stopped':
        if (this.turnsCreateResponses) this.expectNow();
        return;
      case 'response_created':
        return this.expectNow();
      case 'tool_end':
      case 'handoff':
        if (this.due) this.dueAfterDone = true;
        else this.expectNow();
        return;
      case 'response_done':
        this.due = this.dueAfterDone;
        this.dueAfterDone = false;
        return;
      default:
        return;
    }
  }

  /** We asked the model for a response. */
  expect(): void {
    this.lastAtMs = performance.now();
    this.expectNow();
  }

  stop(): void {
    this.stopped = true;
    this.due = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private expectNow(): void {
    if (this.stopped) return;
    this.due = true;
    if (this.timer === undefined) this.arm(this.stallMs);
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.check(), Math.max(1, ms));
    this.timer.unref();
  }

  private check(): void {
    this.timer = undefined;
    if (this.stopped || !this.due) return;
    const silentMs = performance.now() - this.lastAtMs;
    if (silentMs >= this.stallMs) {
      this.stop();
      this.onStall(silentMs);
      return;
    }
    this.arm(this.stallMs - silentMs);
  }
}

/**
 * The current session as the call sees it: requests for a response start the watchdog's count.
 * Everything else passes straight through.
 */
export class WatchedSession implements ModelSession {
  constructor(readonly inner: ModelSession, private readonly watchdog: ResponseWatchdog) {}

  get isOpen(): boolean {
    return this.inner.isOpen;
  }

  get currentAgent(): string {
    return this.inner.currentAgent;
  }

  get switchesInPlace(): boolean {
    return this.inner.switchesInPlace === true;
  }

  /** The model socket's unsent bytes (flow control bounds them). */
  get bufferedAmount(): number | undefined {
    return this.inner.bufferedAmount;
  }

  connect(): Promise<void> {
    return this.inner.connect();
  }

  append(audioBase64: string): boolean {
    return this.inner.append(audioBase64);
  }

  say(text: string): void {
    this.watchdog.expect();
    this.inner.say(text);
  }

  respond(): void {
    this.watchdog.expect();
    this.inner.respond();
  }

  sendUserText(text: string): void {
    this.watchdog.expect();
    this.inner.sendUserText(text);
  }

  truncate(itemId: string, contentIndex: number, audioEndMs: number): void {
    this.inner.truncate(itemId, contentIndex, audioEndMs);
  }

  cancelResponse(cause: Parameters<ModelSession['cancelResponse']>[0]): void {
    this.inner.cancelResponse(cause);
  }

  update(update: Parameters<ModelSession['update']>[0]): Promise<void> {
    return this.inner.update(update);
  }

  replay(items: Parameters<ModelSession['replay']>[0]): void {
    this.inner.replay(items);
  }

  answerFunctionCall(callId: string, output: string): void {
    this.watchdog.expect();
    this.inner.answerFunctionCall(callId, output);
  }

  close(): void {
    this.watchdog.stop();
    this.inner.close();
  }
}
