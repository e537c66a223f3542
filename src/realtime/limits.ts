/**
 * The manifest's call limits as two timers. Silence counts only while nobody is talking and
 * nothing is pending: the caller is quiet, the assistant has finished playing, no response is
 * being generated and no tool is running. The first silence gets the prompt, the second ends the
 * call; any caller speech starts the count again. The maximum duration runs from the start of
 * the media stream.
 */
import type { CallLimits } from '../manifest/index.js';

export interface LimitActions {
  /** First silence: say the manifest's prompt. */
  silencePrompt(text: string): void;
  /** Second silence: end politely. */
  silenceHangUp(): void;
  /** Maximum duration reached. */
  maxDuration(): void;
}

export class CallLimitTimers {
  private silenceTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;
  private prompted = false;
  private stopped = false;

  constructor(private readonly limits: CallLimits, private readonly actions: LimitActions) {}

  startMaxDuration(): void {
    if (this.stopped || this.maxTimer) return;
    this.maxTimer = setTimeout(() => {
      this.maxTimer = undefined;
      if (!this.stopped) this.actions.maxDuration();
    }, this.limits.maxDurationMs);
    this.maxTimer.unref();
  }

  /** The conversation went quiet (idle on both sides): start counting, if not already. */
  quiet(): void {
    if (this.stopped || this.silenceTimer) return;
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = undefined;
      if (this.stopped) return;
      if (!this.prompted) {
        this.prompted = true;
        this.actions.silencePrompt(this.limits.silencePrompt);
      } else {
        this.actions.silenceHangUp();
      }
    }, this.limits.silenceTimeoutMs);
    this.silenceTimer.unref();
  }

  /** Something is happening (the assistant speaks, a tool runs): stop counting. */
  busy(): void {
    if (this.silenceTimer) clearTimeout(this.silenceTimer);
    this.silenceTimer = undefined;
  }

  /** The caller spoke: stop counting and forget the earlier prompt. */
  callerSpoke(): void {
    this.busy();
    this.prompted = false;
  }

  stop(): void {
    this.stopped = true;
    this.busy();
    if (this.maxTimer) clearTimeout(this.maxTimer);
    this.maxTimer = undefined;
  }
}
