/**
 * G.711 μ-law: a 256-entry decode table and the standard (Sun / CCITT) encoder, bit-exact with
 * the reference implementation. Both functions write into a caller-supplied buffer when one is
 * given, so the hot path allocates nothing.
 */

const BIAS = 0x84;
const CLIP = 32635;
const EXP_LUT = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  EXP_LUT[i] = i === 0 ? 0 : Math.min(7, 31 - Math.clz32(i));
}

/** Encodes one 16-bit linear sample to a μ-law byte. */
export function ulawEncodeSample(sample: number): number {
  let s = sample | 0;
  const sign = (s >> 8) & 0x80;
  if (sign !== 0) s = -s;
  s += BIAS;
  if (s > CLIP) s = CLIP;
  const exponent = EXP_LUT[(s >> 7) & 0xff]!;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

const EXP_BASE = [0, 132, 396, 924, 1980, 4092, 8316, 16764] as const;

function decodeSampleSlow(byte: number): number {
  const u = ~byte & 0xff;
  const sign = u & 0x80;
  const exponent = (u >> 4) & 0x07;
  const mantissa = u & 0x0f;
  const magnitude = EXP_BASE[exponent]! + (mantissa << (exponent + 3));
  return sign !== 0 ? -magnitude : magnitude;
}

/** μ-law byte → 16-bit linear sample. */
export const ULAW_DECODE_TABLE: Readonly<Int16Array> = (() => {
  const t = new Int16Array(256);
  for (let i = 0; i < 256; i++) t[i] = decodeSampleSlow(i);
  return t;
})();

/** μ-law byte → squared linear amplitude, for energy meters that never decode a frame. */
export const ULAW_SQUARE_TABLE: Readonly<Float64Array> = (() => {
  const t = new Float64Array(256);
  for (let i = 0; i < 256; i++) t[i] = ULAW_DECODE_TABLE[i]! * ULAW_DECODE_TABLE[i]!;
  return t;
})();

/** The μ-law byte for digital silence. */
export const ULAW_SILENCE = 0xff;

export function ulawDecodeSample(byte: number): number {
  return ULAW_DECODE_TABLE[byte & 0xff]!;
}

/**
 * Decodes μ-law bytes to 16-bit linear samples. `out` (when given) must hold `input.length`
 * samples; the returned array is `out` itself or a view of it sized to the input.
 */
export function ulawDecode(input: Uint8Array, out?: Int16Array): Int16Array {
  const n = input.length;
  const target = out ?? new Int16Array(n);
  if (target.length < n) throw new RangeError(`ulawDecode: output holds ${target.length} samples, need ${n}`);
  const table = ULAW_DECODE_TABLE;
  for (let i = 0; i < n; i++) target[i] = table[input[i]!]!;
  return target.length === n ? target : target.subarray(0, n);
}

/** Encodes 16-bit linear samples to μ-law bytes, into `out` when given. */
export function ulawEncode(input: Int16Array, out?: Uint8Array): Uint8Array {
  const n = input.length;
  const target = out ?? new Uint8Array(n);
  if (target.length < n) throw new RangeError(`ulawEncode: output holds ${target.length} bytes, need ${n}`);
  for (let i = 0; i < n; i++) {
    let s = input[i]!;
    const sign = (s >> 8) & 0x80;
    if (sign !== 0) s = -s;
    s += BIAS;
    if (s > CLIP) s = CLIP;
    const exponent = EXP_LUT[(s >> 7) & 0xff]!;
    target[i] = ~(sign | (exponent << 4) | ((s >> (exponent + 3)) & 0x0f)) & 0xff;
  }
  return target.length === n ? target : target.subarray(0, n);
}
