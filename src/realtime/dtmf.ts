/**
 * Keypad digits collected into one input: digits closer together than the gap (or ended by
 * `#`) reach the agent together as `[DTMF 123#]`.
 */

const DIGIT = /^[0-9*#A-D]$/;

export interface DtmfSink {
  /** A key press counts as the caller speaking (silence limits). */
  callerSpoke(): void;
  /** The collected digits, ready for the agent. */
  send(digits: string): void;
}

export class DtmfCollector {
  private digits = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly gapMs: number, private readonly sink: DtmfSink) {}

  push(digit: string): void {
    if (!DIGIT.test(digit)) return;
    this.digits += digit;
    this.sink.callerSpoke();
    if (this.timer) clearTimeout(this.timer);
    if (digit === '#') return this.flush();
    this.timer = setTimeout(() => this.flush(), this.gapMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.stop();
    const digits = this.digits;
    this.digits = '';
    if (digits) this.sink.send(digits);
  }
}
