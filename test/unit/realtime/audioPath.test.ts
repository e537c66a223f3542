import { ulawEncode } from '../../../src/audio/ulaw.js';
import { base64Bytes, PassthroughAudio, TranscodingAudio } from '../../../src/realtime/audioPath.js';
import { Playback, type CarrierOut } from '../../../src/realtime/playback.js';

class Frames implements CarrierOut {
  readonly frames: Buffer[] = [];
  audio(b64: string): void {
    this.frames.push(Buffer.from(b64, 'base64'));
  }
  mark(): void {}
  clear(): void {}
}

function tone(samples: number, rateHz: number, hz = 440, amp = 8000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amp * Math.sin((2 * Math.PI * hz * i) / rateHz));
  return out;
}

describe('audio at the carrier boundary', () => {
  it('passes μ-law through untouched in both directions', () => {
    const path = new PassthroughAudio();
    const payload = Buffer.alloc(160, 0x42).toString('base64');
    expect(path.toModel(payload)).toBe(payload);
    const out = new Frames();
    const pb = new Playback(out);
    path.toCarrier(Buffer.alloc(320, 0x42).toString('base64'), 'i', 'r', 0, pb);
    expect(out.frames.map((f) => f.toString('base64'))).toEqual([payload, payload]);
    expect(path.deltaMs(Buffer.alloc(800).toString('base64'))).toBe(100);
  });

  it('turns 20 ms of μ-law into 20 ms of 24 kHz PCM16 and 24 kHz deltas into μ-law frames, frame by frame', async () => {
    const path = await TranscodingAudio.create();
    try {
      const ulaw = Buffer.from(ulawEncode(tone(160, 8000)));
      let total = 0;
      for (let i = 0; i < 50; i++) total += Buffer.from(path.toModel(ulaw.toString('base64')), 'base64').length;
      // One second in → one second out (the filter's start-up delay aside): 48 000 bytes.
      expect(Math.abs(total - 48_000)).toBeLessThan(200);

      const out = new Frames();
      const pb = new Playback(out);
      const pcm = tone(24_000, 24_000);
      const bytes = Buffer.from(pcm.buffer);
      // Uneven chunks, one of them ending mid-sample.
      for (let off = 0; off < bytes.length; off += 4801) path.toCarrier(bytes.subarray(off, Math.min(bytes.length, off + 4801)).toString('base64'), 'i', 'r', 0, pb);
      pb.endItem('i');
      expect(out.frames.every((f) => f.length === 160)).toBe(true);
      expect(Math.abs(out.frames.length - 50)).toBeLessThanOrEqual(1);
      // A real tone came through, not silence.
      const energy = out.frames[25]!.reduce((n, b) => n + (b === 0xff || b === 0x7f ? 0 : 1), 0);
      expect(energy).toBeGreaterThan(100);
      expect(path.deltaMs(Buffer.alloc(4800).toString('base64'))).toBe(100);
    } finally {
      path.close();
    }
  });

  it('knows a base64 string decoded size', () => {
    for (const n of [0, 1, 2, 3, 159, 160, 161]) expect(base64Bytes(Buffer.alloc(n).toString('base64'))).toBe(n);
  });
});
