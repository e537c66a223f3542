/**
 * Words we ask the model to say (greeting, silence prompt, goodbye) and waiting for them to be
 * heard: a speak request claims the next response the model creates and settles once that
 * response is done and playback has drained. Also the wait before a hang-up or transfer.
 */
import type { ModelSession } from '../engines/index.js';

const DRAIN_POLL_MS = 50;

interface SpeakWaiter {
  responseId: string | undefined;
  done: boolean;
  resolve(): void;
}

export interface SpeakerDeps {
  /** The open model session, if any. */
  model(): ModelSession | undefined;
  /** Every frame sent has been played. */
  playbackIdle(): boolean;
  /** Nothing more to wait for: the call ended or has no carrier, or no response is active and playback is idle. */
  drained(): boolean;
  speakTimeoutMs: number;
  drainTimeoutMs: number;
}

export class Speaker {
  private readonly waiters: SpeakWaiter[] = [];

  constructor(private readonly deps: SpeakerDeps) {}

  /** Has the model say `text`; resolves once it has been played (or after a cap). */
  speak(text: string): Promise<void> {
    const model = this.deps.model();
    if (!model?.isOpen) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, this.deps.speakTimeoutMs);
      timer.unref();
      const waiter: SpeakWaiter = { responseId: undefined, done: false, resolve: finish };
      const waiters = this.waiters;
      function finish(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      this.waiters.push(waiter);
      model.say(text);
    });
  }

  /** A response was created: the oldest unclaimed speak request owns it. */
  claim(responseId: string): void {
    const w = this.waiters.find((x) => x.responseId === undefined);
    if (w) w.responseId = responseId;
  }

  /** A response finished generating; its speaker is done once playback drains. */
  responseDone(responseId: string): void {
    for (const w of this.waiters) if (w.responseId === responseId) w.done = true;
    this.settle();
  }

  /** Playback went idle (or a response finished): done speakers resolve. */
  settle(): void {
    if (!this.deps.playbackIdle()) return;
    for (const w of [...this.waiters]) if (w.done) w.resolve();
  }

  /** The call ended: nobody waits any more. */
  releaseAll(): void {
    for (const w of [...this.waiters]) w.resolve();
  }

  /**
   * Waits until the model has finished its current response and the caller has heard all of it
   * (every mark back), or `timeoutMs`, or the call ends. A barge-in clears playback, which also
   * counts as drained.
   */
  async drain(timeoutMs = this.deps.drainTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.deps.drained() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    }
  }
}
