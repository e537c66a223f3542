import { createResampler, resampleClip, pcm16Rms } from '../../../src/audio/index.js';

function sine(freqHz: number, rateHz: number, samples: number, amplitude = 10_000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / rateHz));
  return out;
}

/** Correlation of x with a sine of `freqHz` (amplitude of that component, 0..1 of `amplitude`). */
function componentAt(x: Int16Array, freqHz: number, rateHz: number, from: number): number {
  let re = 0;
  let im = 0;
  for (let i = from; i < x.length; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * freqHz * i) / rateHz);
    im += x[i]! * Math.sin((2 * Math.PI * freqHz * i) / rateHz);
  }
  return (2 * Math.hypot(re, im)) / (x.length - from);
}

describe('Resampler', () => {
  it('gives exactly three times the samples per 8 kHz frame going up to 24 kHz, frame after frame', async () => {
    const up = await createResampler({ fromHz: 8000, toHz: 24_000, quality: 4 });
    try {
      const input = sine(440, 8000, 160 * 50);
      const out: number[] = [];
      for (let f = 0; f < 50; f++) {
        const frame = up.process(input.subarray(f * 160, (f + 1) * 160));
        expect(frame.length).toBe(480);
        out.push(...frame);
      }
      const y = Int16Array.from(out);
      // After the filter settles the tone is still there at full strength.
      expect(componentAt(y, 440, 24_000, 2400)).toBeGreaterThan(9_500);
    } finally {
      up.close();
    }
  });

  it('removes content above the new Nyquist frequency going down to 8 kHz', async () => {
    const down = await createResampler({ fromHz: 24_000, toHz: 8000, quality: 4 });
    try {
      // 6 kHz cannot exist at 8 kHz: a resampler that aliases would fold it to 2 kHz.
      const high = sine(6000, 24_000, 24_000);
      const y = down.process(high);
      expect(y.length).toBe(8000);
      expect(pcm16Rms(y, 800)).toBeLessThan(0.001);
    } finally {
      down.close();
    }
  });

  it('resamples a whole clip aligned to the expected length', async () => {
    const clip = sine(300, 24_000, 2400);
    const narrow = await resampleClip(clip, 24_000, 8000);
    expect(narrow.length).toBe(800);
    expect(componentAt(narrow, 300, 8000, 100)).toBeGreaterThan(9_000);
  });

  it('refuses to work after close', async () => {
    const r = await createResampler({ fromHz: 8000, toHz: 16_000 });
    r.close();
    expect(() => r.process(new Int16Array(10))).toThrow(/closed/);
  });
});
