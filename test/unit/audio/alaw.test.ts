import { ALAW_DECODE_TABLE, ALAW_SILENCE, alawDecode, alawEncode, alawEncodeSample, EnergyVad, type VadEvent } from '../../../src/audio/index.js';

describe('A-law codec', () => {
  it('decodes the reference code points', () => {
    expect(ALAW_DECODE_TABLE[0xd5]).toBe(8);
    expect(ALAW_DECODE_TABLE[0x55]).toBe(-8);
    expect(ALAW_DECODE_TABLE[0xaa]).toBe(32256);
    expect(ALAW_DECODE_TABLE[0x2a]).toBe(-32256);
    expect(alawEncodeSample(0)).toBe(ALAW_SILENCE);
  });

  it('round-trips every code and stays monotonic over the 16-bit range', () => {
    for (let b = 0; b < 256; b++) expect(alawEncodeSample(ALAW_DECODE_TABLE[b]!)).toBe(b);
    let prev = -Infinity;
    for (let s = -32768; s <= 32767; s += 7) {
      const back = ALAW_DECODE_TABLE[alawEncodeSample(s)]!;
      expect(back).toBeGreaterThanOrEqual(prev);
      prev = back;
      expect(Math.abs(back - s)).toBeLessThanOrEqual(Math.max(16, Math.abs(s) / 16));
    }
  });

  it('encodes into given buffers and feeds the VAD', () => {
    const tone = new Int16Array(8000);
    for (let i = 0; i < tone.length; i++) tone[i] = i < 4000 ? Math.round(8000 * Math.sin(i / 3)) : 0;
    const bytes = alawEncode(tone, new Uint8Array(8000));
    expect(alawDecode(bytes).length).toBe(8000);
    const vad = new EnergyVad({ type: 'audio/pcma', rateHz: 8000 }, { threshold: 0.5, prefixPaddingMs: 0, silenceDurationMs: 200 });
    const events: VadEvent[] = [];
    vad.push(bytes, (e) => events.push(e));
    expect(events).toEqual([
      { type: 'speech_started', audioStartMs: 0, onsetMs: 0 },
      { type: 'speech_stopped', audioEndMs: 700, lastSpeechMs: 500 },
    ]);
  });
});
