/**
 * Watches a call's two sockets for a peer that stopped reading: the carrier (playback piles up
 * in our send buffer) and the model (caller audio piles up). The call's audio paths report a
 * socket going over its bound; from then on a timer re-reads the socket's send buffer, lets the
 * held audio go once it has drained, and ends the call when the peer stays stalled for
 * `timeoutMs`. No timer runs while both peers keep up.
 */

export type StallSide = 'carrier' | 'model';

export interface StallProbe {
  /** Bytes queued on that side's socket now (undefined: no socket). */
  buffered(side: StallSide): number | undefined;
  /** The side's socket is under its bound again: send what was held. */
  drained(side: StallSide): void;
  /** The side stayed over its bound for the whole timeout. */
  stalled(side: StallSide): void;
}

export interface StallWatchOptions {
  maxBufferedBytes: Readonly<Record<StallSide, number>>;
  timeoutMs: number;
}

export class StallWatch {
  private readonly since: Record<StallSide, number | undefined> = { carrier: undefined, model: undefined };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly probe: StallProbe, private readonly opts: StallWatchOptions) {}

  /** Whether `side` is over its bound now (as last reported). */
  stalled(side: StallSide): boolean {
    return this.since[side] !== undefined;
  }

  /** A socket went over its bound (`over`), or everything it held has left. */
  backlog(side: StallSide, over: boolean): void {
    if (this.stopped) return;
    if (!over) {
      this.since[side] = undefined;
      if (this.since.carrier === undefined && this.since.model === undefined) this.clearTimer();
      return;
    }
    if (this.since[side] !== undefined) return;
    this.since[side] = Date.now();
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), Math.max(20, Math.min(250, this.opts.timeoutMs / 4)));
      this.timer.unref();
    }
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private tick(): void {
    const now = Date.now();
    for (const side of ['carrier', 'model'] as const) {
      const since = this.since[side];
      if (since === undefined) continue;
      const bytes = this.probe.buffered(side);
      if (bytes === undefined || bytes <= this.opts.maxBufferedBytes[side]) {
        this.backlog(side, false);
        this.probe.drained(side);
      } else if (now - since >= this.opts.timeoutMs) {
        this.stop();
        this.probe.stalled(side);
        return;
      }
    }
  }

  private clearTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
