/**
 * A deterministic, speech-shaped signal for text: voiced vowels (a pitch contour with
 * formant-weighted harmonics), noisy consonants, soft word gaps. It is not intelligible; it
 * has the length (≈ `msPerChar` per character), level and rhythm of speech, which is what
 * voice-activity detection, barge-in and truncation need. The same text always gives the same
 * samples.
 */

const VOWEL_FORMANTS: Record<string, readonly [number, number]> = {
  a: [730, 1090], e: [530, 1840], i: [270, 2290], o: [570, 840], u: [300, 870], y: [300, 2000],
};
const VOICED_CONSONANTS = new Set('bdgjlmnrvwz');
const FULL = 32767;

export interface SpeechShapeOptions {
  /** Milliseconds of audio per character (default 60). */
  msPerChar?: number;
  /** Peak-ish level, 0..1 of full scale (default 0.35 ≈ −15 dBFS RMS on vowels). */
  level?: number;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0 || 1;
}

/** Normalises text the way synthesis reads it: trimmed, whitespace collapsed. */
export function speakableText(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Samples the signal will have for `text` at `rateHz`. */
export function speechShapeLength(text: string, rateHz: number, msPerChar = 60): number {
  const chars = Math.max(1, speakableText(text).length);
  return Math.round((chars * msPerChar * rateHz) / 1000);
}

export function synthesizeSpeechShape(text: string, rateHz: number, options: SpeechShapeOptions = {}): Int16Array {
  const msPerChar = options.msPerChar ?? 60;
  const level = options.level ?? 0.35;
  const clean = speakableText(text) || ' ';
  const perChar = Math.round((msPerChar * rateHz) / 1000);
  const out = new Int16Array(perChar * clean.length);
  let seed = hashString(clean);
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return ((seed >>> 0) / 4294967296) * 2 - 1;
  };
  const baseF0 = 105 + (hashString(clean) % 40);
  const twoPi = 2 * Math.PI;
  let phase = 0;
  const ramp = Math.max(1, Math.round(0.008 * rateHz));
  const edge = Math.max(1, Math.round(0.015 * rateHz));
  let lowpass = 0;
  for (let c = 0; c < clean.length; c++) {
    const ch = clean[c]!.toLowerCase();
    const vowel = VOWEL_FORMANTS[ch] ?? (ch >= '0' && ch <= '9' ? VOWEL_FORMANTS.a : undefined);
    const isLetter = ch >= 'a' && ch <= 'z';
    const voicedCons = isLetter && !vowel && VOICED_CONSONANTS.has(ch);
    const unvoiced = isLetter && !vowel && !voicedCons;
    // Word gaps and punctuation stay soft, not silent: a detector must not end the turn there.
    const gap = !vowel && !isLetter;
    const [f1, f2] = vowel ?? (voicedCons ? [400, 1500] : [500, 1500]);
    const amp = level * (vowel ? 1 : voicedCons ? 0.7 : unvoiced ? 0.45 : 0.25);
    const start = c * perChar;
    for (let k = 0; k < perChar; k++) {
      const t = (start + k) / rateHz;
      // A slow pitch contour: declining over the utterance with a gentle wobble.
      const f0 = baseF0 * (1.1 - 0.2 * ((start + k) / out.length)) * (1 + 0.04 * Math.sin(twoPi * 3 * t));
      phase += (twoPi * f0) / rateHz;
      if (phase > twoPi) phase -= twoPi;
      let v = 0;
      if (!unvoiced && !gap) {
        for (let h = 1; h <= 12; h++) {
          const fh = f0 * h;
          const w = 1 / (1 + ((fh - f1) / 180) ** 2) + 0.6 / (1 + ((fh - f2) / 250) ** 2) + 0.05;
          v += w * Math.sin(h * phase);
        }
        v *= 0.45;
      }
      const noise = rand();
      if (unvoiced || voicedCons) {
        // High-passed noise for fricatives.
        lowpass = 0.7 * lowpass + 0.3 * noise;
        v += (noise - lowpass) * (unvoiced ? 1.6 : 0.5);
      }
      if (gap) v = 0.5 * Math.sin(phase) + 0.2 * noise;
      let env = 1;
      if (k < ramp) env = 0.5 - 0.5 * Math.cos((Math.PI * k) / ramp);
      else if (k > perChar - ramp) env = 0.5 - 0.5 * Math.cos((Math.PI * (perChar - k)) / ramp);
      // Neighbouring characters overlap a little in real speech: never fall to silence mid-utterance.
      env = 0.55 + 0.45 * env;
      const i = start + k;
      if (i < edge) env *= i / edge;
      else if (out.length - i < edge) env *= (out.length - i) / edge;
      const s = Math.round(v * amp * env * FULL);
      out[i] = s > FULL ? FULL : s < -FULL ? -FULL : s;
    }
  }
  return out;
}
