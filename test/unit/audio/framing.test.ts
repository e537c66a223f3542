import { Framer, frameBytes, chunks, PCMU8K, PCM24K } from '../../../src/audio/index.js';

describe('Framer', () => {
  it('sizes 20 ms frames for μ-law and 24 kHz PCM', () => {
    expect(frameBytes(PCMU8K)).toBe(160);
    expect(frameBytes(PCM24K)).toBe(960);
  });

  it('turns uneven chunks into whole frames and holds at most one partial frame', () => {
    const framer = new Framer(4);
    const frames: number[][] = [];
    const on = (f: Uint8Array): void => void frames.push(Array.from(f));
    framer.push(new Uint8Array([1, 2, 3]), on);
    expect(frames).toEqual([]);
    expect(framer.pending).toBe(3);
    framer.push(new Uint8Array([4, 5, 6, 7, 8, 9, 10]), on);
    expect(frames).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    framer.flush(on, 0xff);
    expect(frames[2]).toEqual([9, 10, 0xff, 0xff]);
    expect(framer.pending).toBe(0);
  });

  it('drops the partial frame on clear', () => {
    const framer = new Framer(3);
    const frames: Uint8Array[] = [];
    framer.push(new Uint8Array([1, 2]), (f) => frames.push(f.slice()));
    framer.clear();
    framer.push(new Uint8Array([7, 8, 9]), (f) => frames.push(f.slice()));
    expect(frames.map((f) => Array.from(f))).toEqual([[7, 8, 9]]);
  });

  it('chunks a clip into views', () => {
    expect(Array.from(chunks(new Uint8Array(10), 4), (c) => c.length)).toEqual([4, 4, 2]);
  });
});
