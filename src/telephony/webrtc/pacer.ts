/**
 * Outbound pacing for a carrier that has no player of its own to pace it. Twilio plays the
 * frames we send at its own rate and echoes a mark once the audio before it was played; over
 * WebRTC the gateway is the player: frames leave on a 20 ms RTP clock, one per tick, and a mark
 * is acknowledged when every frame queued before it has left on that clock. A barge-in's `clear`
 * drops what is queued at once. One clock serves every call of the process, so N calls cost one
 * timer, and it schedules each tick from the clock's start (no drift from late wake-ups).
 */
import { performance } from 'node:perf_hooks';

/** Ticks every `periodMs`; listeners run in order on each tick. */
export interface FrameClock {
  readonly periodMs: number;
  add(listener: () => void): void;
  remove(listener: () => void): void;
}

/** Wake-ups whose lateness is kept (the benchmark reads it). */
const LATENESS_SAMPLES = 4096;

/** Ticks of a late wake-up that are caught up at once; beyond this the clock restarts. */
const MAX_CATCH_UP_TICKS = 10;

/**
 * A drift-free periodic clock: tick n is due at start + n·period, each timeout is set for the
 * next due tick, and a late wake-up runs the ticks it missed (up to MAX_CATCH_UP_TICKS). It runs
 * only while someone listens.
 */
export class IntervalClock implements FrameClock {
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private startMs = 0;
  private ticks = 0;
  /** Ticks skipped after a long stall (the event loop was blocked). */
  resyncs = 0;
  /** How late each of the last LATENESS_SAMPLES wake-ups ran after its tick was due (ms). */
  readonly lateness = new Float64Array(LATENESS_SAMPLES);
  latenessCount = 0;

  constructor(readonly periodMs = 20) {}

  add(listener: () => void): void {
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.startMs = performance.now();
      this.ticks = 0;
      this.schedule();
    }
  }

  remove(listener: () => void): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private schedule(): void {
    const dueMs = this.startMs + (this.ticks + 1) * this.periodMs;
    this.timer = setTimeout(() => this.wake(), Math.max(0, dueMs - performance.now()));
    this.timer.unref();
  }

  private wake(): void {
    const lateMs = performance.now() - (this.startMs + (this.ticks + 1) * this.periodMs);
    this.lateness[this.latenessCount++ % LATENESS_SAMPLES] = lateMs;
    const elapsedTicks = Math.floor((performance.now() - this.startMs) / this.periodMs);
    let due = elapsedTicks - this.ticks;
    if (due > MAX_CATCH_UP_TICKS) {
      this.resyncs++;
      this.ticks = elapsedTicks - 1;
      due = 1;
    }
    for (let i = 0; i < due && this.listeners.size > 0; i++) {
      this.ticks++;
      for (const fn of this.listeners) fn();
    }
    if (this.listeners.size > 0) this.schedule();
    else this.timer = undefined;
  }
}

/** The process's RTP clock (20 ms). */
export const rtpClock: IntervalClock = new IntervalClock(20);

/** Where paced frames and reached marks go (the RTP track and the call's mark events). */
export interface PacerSink {
  /** One frame on the wire: its RTP timestamp (in frames since the pacer started) and whether it starts a talkspurt. */
  frame(payload: Buffer, frameIndex: number, talkspurtStart: boolean): void;
  /** Every frame queued before this mark has been sent. */
  markReached(name: string): void;
}

type Item = { frame: Buffer; mark?: undefined } | { frame?: undefined; mark: string };

/** At most this many frames (a minute of audio) wait; more are dropped and counted. */
const MAX_QUEUED_FRAMES = 3000;

export class FramePacer {
  private queue: Item[] = [];
  private head = 0;
  private queuedFrames = 0;
  /** Ticks since the pacer started: the RTP timestamp in frames, advancing through silence too. */
  private tickIndex = 0;
  private wasIdle = true;
  private running = false;
  private readonly onTick = () => this.tick();
  framesSent = 0;
  /** Frames a `clear` dropped before they were sent. */
  framesCleared = 0;
  /** Frames refused because the queue was full. */
  framesOverflowed = 0;

  constructor(private readonly sink: PacerSink, private readonly clock: FrameClock = rtpClock, private readonly frameBytes = 160) {}

  /** Starts pacing on the clock (frames queued before this wait). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.clock.add(this.onTick);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.clock.remove(this.onTick);
  }

  /** Bytes queued and not yet sent. */
  get bufferedBytes(): number {
    return this.queuedFrames * this.frameBytes;
  }

  enqueueFrame(payload: Buffer): void {
    if (this.queuedFrames >= MAX_QUEUED_FRAMES) {
      this.framesOverflowed++;
      return;
    }
    this.queue.push({ frame: payload });
    this.queuedFrames++;
  }

  enqueueMark(name: string): void {
    this.queue.push({ mark: name });
  }

  /** Drops every queued frame and mark at once (barge-in). */
  clear(): void {
    this.framesCleared += this.queuedFrames;
    this.queue = [];
    this.head = 0;
    this.queuedFrames = 0;
  }

  /** One clock tick: the marks at the head are reached, then one frame leaves, then the marks behind it. */
  private tick(): void {
    const index = this.tickIndex++;
    this.flushMarks();
    const item = this.queue[this.head];
    if (item?.frame !== undefined) {
      this.head++;
      this.queuedFrames--;
      this.framesSent++;
      this.sink.frame(item.frame, index, this.wasIdle);
      this.wasIdle = false;
      this.flushMarks();
    } else {
      this.wasIdle = true;
    }
    if (this.head > 256 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  private flushMarks(): void {
    let item = this.queue[this.head];
    while (item?.mark !== undefined) {
      this.head++;
      this.sink.markReached(item.mark);
      item = this.queue[this.head];
    }
  }
}
