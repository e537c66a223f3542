import { Playback, type CarrierOut } from '../../../src/realtime/playback.js';

class FakeCarrier implements CarrierOut {
  readonly sent: Array<{ kind: 'audio'; bytes: Buffer } | { kind: 'mark'; name: string } | { kind: 'clear' }> = [];
  audio(payloadBase64: string): void {
    this.sent.push({ kind: 'audio', bytes: Buffer.from(payloadBase64, 'base64') });
  }
  mark(name: string): void {
    this.sent.push({ kind: 'mark', name });
  }
  clear(): void {
    this.sent.push({ kind: 'clear' });
  }
  frames(): Buffer[] {
    return this.sent.flatMap((s) => (s.kind === 'audio' ? [s.bytes] : []));
  }
  marks(): string[] {
    return this.sent.flatMap((s) => (s.kind === 'mark' ? [s.name] : []));
  }
}

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('playback towards the carrier', () => {
  it('re-cuts chunks of any size into exact 160-byte frames, in order, padding only the end of an item', () => {
    const carrier = new FakeCarrier();
    const pb = new Playback(carrier, {}, { markEveryFrames: 5 });
    const input = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    for (const size of [7, 300, 1, 159, 161, 372]) {
      const start = [7, 300, 1, 159, 161, 372].slice(0, [7, 300, 1, 159, 161, 372].indexOf(size)).reduce((a, b) => a + b, 0);
      pb.pushBase64('item_1', 'resp_1', 0, input.subarray(start, start + size).toString('base64'));
    }
    pb.endItem('item_1');
    const frames = carrier.frames();
    expect(frames.every((f) => f.length === 160)).toBe(true);
    expect(frames).toHaveLength(7);
    const joined = Buffer.concat(frames);
    expect(joined.subarray(0, 1000).equals(input)).toBe(true);
    expect(joined.subarray(1000).every((b) => b === 0xff)).toBe(true);
  });

  it('frames by the carrier\'s media format: 40 ms frames of 320 bytes, heard time in that format\'s milliseconds', () => {
    const carrier = new FakeCarrier();
    const media = { encoding: 'audio/x-mulaw', sampleRateHz: 8000, frameMs: 40, frameBytes: 320, silenceByte: 0x7f } as const;
    const pb = new Playback(carrier, {}, { markEveryFrames: 2, media });
    pb.pushBytes('item_1', 'resp_1', 0, bytes(1000));
    pb.endItem('item_1');
    const frames = carrier.frames();
    expect(frames.map((f) => f.length)).toEqual([320, 320, 320, 320]);
    expect(frames[3]!.subarray(1000 - 960).every((b) => b === 0x7f)).toBe(true);
    const [first] = carrier.marks();
    pb.acknowledge(first!);
    expect(pb.heardMs('item_1')).toBe(80);
  });

  it('marks every N frames and at the end of an item, and reports what was heard from acknowledgements', () => {
    const carrier = new FakeCarrier();
    const played: Array<[string, number]> = [];
    let idle = 0;
    const pb = new Playback(carrier, { onItemPlayed: (id, ms) => played.push([id, ms]), onIdle: () => idle++ }, { markEveryFrames: 5 });
    pb.pushBytes('a', 'r', 0, bytes(160 * 12));
    pb.endItem('a');
    expect(carrier.marks()).toEqual(['m1', 'm2', 'm3']);
    expect(pb.idle).toBe(false);
    pb.acknowledge('m1');
    expect(pb.heardMs('a')).toBe(100);
    pb.acknowledge('m2');
    expect(pb.heardMs('a')).toBe(200);
    expect(played).toEqual([]);
    pb.acknowledge('m3');
    expect(played).toEqual([['a', 240]]);
    expect(pb.idle).toBe(true);
    expect(idle).toBe(1);
  });

  it('treats an acknowledgement as covering every earlier mark (the carrier plays in order)', () => {
    const carrier = new FakeCarrier();
    const played: string[] = [];
    const pb = new Playback(carrier, { onItemPlayed: (id) => played.push(id) }, { markEveryFrames: 1 });
    pb.pushBytes('a', 'r1', 0, bytes(320));
    pb.endItem('a');
    pb.pushBytes('b', 'r2', 0, bytes(320));
    pb.endItem('b');
    pb.acknowledge(carrier.marks().at(-1)!);
    expect(played).toEqual(['a', 'b']);
    expect(pb.idle).toBe(true);
  });

  it('clears the carrier first, then reports the items cut with what was heard, and ignores late acknowledgements', () => {
    const carrier = new FakeCarrier();
    const pb = new Playback(carrier, {}, { markEveryFrames: 5 });
    pb.pushBytes('a', 'r1', 0, bytes(160 * 11 + 40));
    pb.acknowledge('m1');
    const cut = pb.clear();
    expect(carrier.sent.at(-1)).toEqual({ kind: 'clear' });
    expect(cut).toEqual([{ itemId: 'a', responseId: 'r1', contentIndex: 0, heardMs: 100, sentMs: 220 }]);
    // A mark the carrier drops with the clear and acknowledges anyway changes nothing.
    pb.acknowledge('m2');
    expect(pb.heardMs('a')).toBeUndefined();
    expect(pb.idle).toBe(true);
    // The partial frame held at the clear never leaves.
    pb.pushBytes('b', 'r2', 0, bytes(160, 7));
    expect(carrier.frames().at(-1)!.every((x) => x === 7)).toBe(true);
  });

  it('ends the previous item when audio of a new one starts', () => {
    const carrier = new FakeCarrier();
    const pb = new Playback(carrier, {}, { markEveryFrames: 100 });
    pb.pushBytes('a', 'r1', 0, bytes(100, 1));
    pb.pushBytes('b', 'r1', 0, bytes(160, 2));
    const frames = carrier.frames();
    expect(frames).toHaveLength(2);
    expect(frames[0]!.subarray(0, 100).every((x) => x === 1) && frames[0]!.subarray(100).every((x) => x === 0xff)).toBe(true);
    expect(carrier.marks()).toHaveLength(1);
    expect(pb.currentItemId).toBe('b');
  });
});
