/**
 * G.711 A-law (the European telephone codec; `audio/pcma` in the realtime protocol): decode
 * table and the reference (Sun g711.c) encoder, writing into caller-supplied buffers.
 */

const SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

export function alawEncodeSample(sample: number): number {
  let v = (sample | 0) >> 3;
  let mask: number;
  if (v >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    v = -v - 1;
  }
  let seg = 0;
  while (seg < 8 && v > SEG_END[seg]!) seg++;
  if (seg >= 8) return (0x7f ^ mask) & 0xff;
  let aval = seg << 4;
  aval |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return (aval ^ mask) & 0xff;
}

function decodeSlow(byte: number): number {
  const a = (byte ^ 0x55) & 0xff;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

export const ALAW_DECODE_TABLE: Readonly<Int16Array> = (() => {
  const t = new Int16Array(256);
  for (let i = 0; i < 256; i++) t[i] = decodeSlow(i);
  return t;
})();

/** A-law byte → squared linear amplitude, for energy meters. */
export const ALAW_SQUARE_TABLE: Readonly<Float64Array> = (() => {
  const t = new Float64Array(256);
  for (let i = 0; i < 256; i++) t[i] = ALAW_DECODE_TABLE[i]! * ALAW_DECODE_TABLE[i]!;
  return t;
})();

/** The A-law byte for digital silence (decodes to +8). */
export const ALAW_SILENCE = 0xd5;

export function alawDecode(input: Uint8Array, out?: Int16Array): Int16Array {
  const n = input.length;
  const target = out ?? new Int16Array(n);
  if (target.length < n) throw new RangeError(`alawDecode: output holds ${target.length} samples, need ${n}`);
  for (let i = 0; i < n; i++) target[i] = ALAW_DECODE_TABLE[input[i]!]!;
  return target.length === n ? target : target.subarray(0, n);
}

export function alawEncode(input: Int16Array, out?: Uint8Array): Uint8Array {
  const n = input.length;
  const target = out ?? new Uint8Array(n);
  if (target.length < n) throw new RangeError(`alawEncode: output holds ${target.length} bytes, need ${n}`);
  for (let i = 0; i < n; i++) target[i] = alawEncodeSample(input[i]!);
  return target.length === n ? target : target.subarray(0, n);
}
