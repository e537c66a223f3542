/**
 * Flow control parts on their own: the caller-audio gate (held while the model cannot take audio,
 * at most 2 s, oldest dropped), the carrier outlet (a slow carrier gets nothing more written; its
 * held playback drops oldest first) and the stall watch (a peer over its bound for the timeout).
 */
import type { ModelSession } from '../../../src/engines/index.js';
import { PassthroughAudio } from '../../../src/realtime/audioPath.js';
import { CallerAudioGate } from '../../../src/realtime/callerAudio.js';
import { CarrierOutlet } from '../../../src/realtime/carrierQueue.js';
import { StallWatch } from '../../../src/realtime/stallWatch.js';
import type { CarrierConnection } from '../../../src/telephony/index.js';

/** The part of a model session the gate uses, recording what it was sent. */
class FakeModel {
  isOpen = false;
  bufferedAmount = 0;
  readonly appended: string[] = [];
  append(audio: string): boolean {
    if (!this.isOpen) return false;
    this.appended.push(audio);
    return true;
  }
}

/** A carrier connection whose send buffer the test sets, recording what was written. */
class FakeConnection {
  readonly carrier = 'twilio';
  readonly started = new Promise<never>(() => undefined);
  bufferedAmount = 0;
  readonly sent: string[] = [];
  on(): void {}
  sendAudioFrame(p: string): void {
    this.sent.push(`a:${p}`);
  }
  sendMark(name: string): void {
    this.sent.push(`m:${name}`);
  }
  clear(): void {
    this.sent.push('clear');
  }
  close(): void {}
}

const frame = (i: number) => Buffer.alloc(160, i & 0xff).toString('base64');

describe('the caller-audio gate', () => {
  function gate(model: FakeModel, backlog: boolean[] = []) {
    return new CallerAudioGate({
      model: () => model as unknown as ModelSession,
      path: () => new PassthroughAudio(),
      forwarding: () => true,
      modelBacklog: (over) => backlog.push(over),
    }, { maxHeldMs: 2000, frameMs: 20, maxModelBufferedBytes: 1000 });
  }

  it('holds frames until the session is open, then sends them in order before the new one', () => {
    const model = new FakeModel();
    const g = gate(model);
    for (let i = 0; i < 30; i++) g.frame(frame(i));
    expect(model.appended).toEqual([]);
    expect(g.heldFrames).toBe(30);
    model.isOpen = true;
    g.frame(frame(30));
    expect(model.appended).toEqual(Array.from({ length: 31 }, (_, i) => frame(i)));
    expect(g.counts).toEqual({ held: 30, flushed: 30, droppedOldest: 0 });
  });

  it('keeps at most 2 s (100 frames), dropping the oldest first and counting them', () => {
    const model = new FakeModel();
    const g = gate(model);
    for (let i = 0; i < 150; i++) g.frame(frame(i));
    expect(g.heldFrames).toBe(100);
    expect(g.counts.droppedOldest).toBe(50);
    model.isOpen = true;
    g.frame(frame(150));
    expect(model.appended[0]).toBe(frame(50));
    expect(model.appended).toHaveLength(101);
  });

  it('holds while the model socket is past its bound and reports the backlog', () => {
    const model = new FakeModel();
    model.isOpen = true;
    model.bufferedAmount = 5000;
    const backlog: boolean[] = [];
    const g = gate(model, backlog);
    g.frame(frame(1));
    g.frame(frame(2));
    expect(model.appended).toEqual([]);
    expect(backlog).toEqual([true, true]);
    model.bufferedAmount = 0;
    g.frame(frame(3));
    expect(model.appended).toEqual([frame(1), frame(2), frame(3)]);
    expect(backlog.at(-1)).toBe(false);
  });
});

describe('the carrier outlet', () => {
  it('writes nothing more to a carrier past its bound, keeps the newest frames and sends them once it drains', () => {
    const c = new FakeConnection();
    const backlog: boolean[] = [];
    const outlet = new CarrierOutlet({ maxBufferedBytes: 1000, maxHeldFrames: 10, backlog: (o) => backlog.push(o) });
    outlet.attach(c as unknown as CarrierConnection);
    outlet.audio('f0');
    c.bufferedAmount = 5000;
    for (let i = 1; i <= 30; i++) {
      outlet.audio(`f${i}`);
      if (i % 5 === 0) outlet.mark(`m${i}`);
    }
    expect(c.sent).toEqual(['a:f0']);
    expect(outlet.droppedSlow).toBe(20);
    expect(backlog).toEqual([true]);
    c.bufferedAmount = 0;
    outlet.drain();
    // The newest 10 frames with the marks around them, in order (a mark whose frames were dropped
    // still goes: acknowledging it only settles earlier marks).
    expect(c.sent.slice(1)).toEqual(['m:m20', 'a:f21', 'a:f22', 'a:f23', 'a:f24', 'a:f25', 'm:m25', 'a:f26', 'a:f27', 'a:f28', 'a:f29', 'a:f30', 'm:m30']);
    expect(backlog).toEqual([true, false]);
    expect(outlet.heldOps).toBe(0);
  });

  it('checks the bound once per batch, and clear drops what was held', () => {
    const c = new FakeConnection();
    const outlet = new CarrierOutlet({ maxBufferedBytes: 1000, maxHeldFrames: 100 });
    outlet.attach(c as unknown as CarrierConnection);
    outlet.batch(() => {
      for (let i = 0; i < 5; i++) {
        outlet.audio(`f${i}`);
        // What the batch itself writes is not a slow reader.
        c.bufferedAmount += 800;
      }
    });
    expect(c.sent).toHaveLength(5);
    outlet.audio('late');
    expect(outlet.heldOps).toBe(1);
    outlet.clear();
    expect(outlet.heldOps).toBe(0);
    expect(c.sent.at(-1)).toBe('clear');
  });
});

describe('the stall watch', () => {
  it('ends the call once a peer stays over its bound for the timeout, and not when it drains', async () => {
    const buffered = { carrier: 5000, model: 5000 };
    const events: string[] = [];
    const watch = new StallWatch({
      buffered: (side) => buffered[side],
      drained: (side) => events.push(`drained:${side}`),
      stalled: (side) => events.push(`stalled:${side}`),
    }, { maxBufferedBytes: { carrier: 1000, model: 1000 }, timeoutMs: 80 });
    watch.backlog('carrier', true);
    watch.backlog('model', true);
    buffered.model = 0;
    await new Promise((r) => setTimeout(r, 250));
    expect(events).toEqual(['drained:model', 'stalled:carrier']);
    expect(watch.stalled('model')).toBe(false);
    watch.stop();
  });
});
