import { FramePacer, IntervalClock, type FrameClock } from '../../../src/telephony/index.js';

/** A clock the test ticks by hand. */
class ManualClock implements FrameClock {
  readonly periodMs = 20;
  readonly listeners = new Set<() => void>();
  add(fn: () => void): void { this.listeners.add(fn); }
  remove(fn: () => void): void { this.listeners.delete(fn); }
  tick(n = 1): void { for (let i = 0; i < n; i++) for (const fn of [...this.listeners]) fn(); }
}

function setup() {
  const clock = new ManualClock();
  const out: Array<{ kind: 'frame'; index: number; first: boolean; byte: number } | { kind: 'mark'; name: string }> = [];
  const pacer = new FramePacer({
    frame: (payload, index, first) => out.push({ kind: 'frame', index, first, byte: payload[0]! }),
    markReached: (name) => out.push({ kind: 'mark', name }),
  }, clock);
  pacer.start();
  return { clock, out, pacer };
}
const frame = (b: number) => Buffer.alloc(160, b);

describe('FramePacer', () => {
  it('sends one frame per tick, in order, whatever the burst size', () => {
    const { clock, out, pacer } = setup();
    for (let i = 0; i < 5; i++) pacer.enqueueFrame(frame(i));
    expect(out).toEqual([]);
    clock.tick(2);
    expect(out.map((o) => o.kind === 'frame' && o.byte)).toEqual([0, 1]);
    clock.tick(10);
    expect(out.filter((o) => o.kind === 'frame')).toHaveLength(5);
    expect(pacer.bufferedBytes).toBe(0);
  });

  it('acknowledges a mark only when the frames queued before it have left on the clock', () => {
    const { clock, out, pacer } = setup();
    pacer.enqueueFrame(frame(1));
    pacer.enqueueFrame(frame(2));
    pacer.enqueueMark('m1');
    pacer.enqueueFrame(frame(3));
    clock.tick();
    expect(out.some((o) => o.kind === 'mark')).toBe(false);
    clock.tick();
    expect(out.map((o) => (o.kind === 'mark' ? o.name : o.byte))).toEqual([1, 2, 'm1']);
    clock.tick();
    expect(out).toHaveLength(4);
  });

  it('clear drops every queued frame and mark at once', () => {
    const { clock, out, pacer } = setup();
    for (let i = 0; i < 50; i++) pacer.enqueueFrame(frame(i));
    pacer.enqueueMark('m-late');
    clock.tick(3);
    pacer.clear();
    expect(pacer.bufferedBytes).toBe(0);
    clock.tick(10);
    expect(out.filter((o) => o.kind === 'frame')).toHaveLength(3);
    expect(out.some((o) => o.kind === 'mark')).toBe(false);
    expect(pacer.framesCleared).toBe(47);
  });

  it('keeps the RTP clock running through silence and marks the first frame of each talkspurt', () => {
    const { clock, out, pacer } = setup();
    pacer.enqueueFrame(frame(1));
    pacer.enqueueFrame(frame(2));
    clock.tick(2);
    clock.tick(3); // silence: nothing queued
    pacer.enqueueFrame(frame(3));
    clock.tick();
    const frames = out.filter((o): o is Extract<typeof o, { kind: 'frame' }> => o.kind === 'frame');
    expect(frames.map((f) => f.index)).toEqual([0, 1, 5]);
    expect(frames.map((f) => f.first)).toEqual([true, false, true]);
  });

  it('stops taking ticks when stopped', () => {
    const { clock, pacer } = setup();
    pacer.stop();
    expect(clock.listeners.size).toBe(0);
  });
});

describe('IntervalClock', () => {
  it('ticks every period without drift and stops when nobody listens', async () => {
    const clock = new IntervalClock(20);
    const at: number[] = [];
    const t0 = performance.now();
    const fn = () => at.push(performance.now() - t0);
    clock.add(fn);
    await new Promise((r) => setTimeout(r, 410));
    clock.remove(fn);
    // 20 ticks in 400 ms, tick n due at n·20 ms (a loaded machine may wake late, never early).
    expect(at.length).toBeGreaterThanOrEqual(19);
    expect(at.length).toBeLessThanOrEqual(21);
    at.forEach((t, i) => expect(t).toBeGreaterThanOrEqual((i + 1) * 20 - 1));
    const last = at.at(-1)!;
    expect(Math.abs(last - at.length * 20)).toBeLessThan(20);
  });
});
