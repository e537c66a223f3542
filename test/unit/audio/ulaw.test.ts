import { ULAW_DECODE_TABLE, ulawDecode, ulawEncode, ulawEncodeSample, ulawDecodeSample, ULAW_SILENCE } from '../../../src/audio/index.js';

/** The textbook G.711 μ-law encoder, written out separately so the fast one is checked against it. */
function referenceEncode(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32635;
  const table = [0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3];
  const expOf = (v: number): number => {
    if (v < 16) return table[v]!;
    if (v < 32) return 4;
    if (v < 64) return 5;
    if (v < 128) return 6;
    return 7;
  };
  let s = sample;
  const sign = (s >> 8) & 0x80;
  if (sign) s = -s;
  s += BIAS;
  if (s > CLIP) s = CLIP;
  const exponent = expOf((s >> 7) & 0xff);
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

describe('μ-law codec', () => {
  it('decodes the well-known code points', () => {
    expect(ULAW_DECODE_TABLE[0xff]).toBe(0);
    expect(ULAW_DECODE_TABLE[0x7f]).toBe(0);
    expect(ULAW_DECODE_TABLE[0x80]).toBe(32124);
    expect(ULAW_DECODE_TABLE[0x00]).toBe(-32124);
    expect(ulawDecodeSample(ULAW_SILENCE)).toBe(0);
  });

  it('encodes every 16-bit sample exactly like the reference encoder', () => {
    for (let s = -32768; s <= 32767; s++) {
      const got = ulawEncodeSample(s);
      if (got !== referenceEncode(s)) throw new Error(`sample ${s}: got ${got}, want ${referenceEncode(s)}`);
    }
  });

  it('round-trips every code through decode and encode', () => {
    for (let b = 0; b < 256; b++) {
      const back = ulawEncodeSample(ULAW_DECODE_TABLE[b]!);
      // 0x7F and 0xFF both mean zero; the encoder picks 0xFF.
      expect(b === 0x7f ? 0xff : b).toBe(back);
    }
  });

  it('writes into the buffers it is given and returns them', () => {
    const pcm = new Int16Array([0, 1000, -1000, 32767, -32768]);
    const bytes = new Uint8Array(5);
    expect(ulawEncode(pcm, bytes)).toBe(bytes);
    const back = new Int16Array(5);
    expect(ulawDecode(bytes, back)).toBe(back);
    expect(Array.from(back)).toEqual([0, 988, -988, 32124, -32124]);
    const big = new Uint8Array(16);
    expect(ulawEncode(pcm, big).length).toBe(5);
    expect(() => ulawEncode(pcm, new Uint8Array(2))).toThrow(RangeError);
  });
});
