/**
 * Which language a caller speaks, from one turn's transcript: tinyld (62 languages, pure JS,
 * ~48 MB once loaded, ~0.3 ms a turn) behind a confidence gate, so a short or ambiguous turn
 * ("Sí", "Okay", "Sí, por favor" — Spanish or Portuguese?) decides nothing and the next turn tries
 * again. Chosen over eld and franc-min by measurement on short phone utterances (see the commit).
 * The detector loads lazily on first use (or `warmLanguageDetector()` at start-up).
 */
import { matchSupportedLanguage } from '../manifest/index.js';

type TinyLd = typeof import('tinyld');
let loaded: Promise<TinyLd> | undefined;

/** Loads the detector's model once (about 0.3 s); later calls resolve at once. */
export function warmLanguageDetector(): Promise<TinyLd> {
  loaded ??= import('tinyld');
  return loaded;
}

/** Gate settings: a turn decides only when it is long enough and one language clearly leads. */
export interface DetectGate {
  /** Words a turn needs (scripts written without spaces count characters / 2). */
  minWords: number;
  /** The leading language's score at least this. */
  minScore: number;
  /** The runner-up's score at most this fraction of the leader's. */
  maxRunnerUpRatio: number;
}

export const DEFAULT_GATE: DetectGate = { minWords: 2, minScore: 0.3, maxRunnerUpRatio: 0.6 };

export type Detection =
  | { decided: true; language: string; detected: string; score: number }
  | { decided: false; reason: 'too_short' | 'ambiguous' | 'unsupported' | 'same'; detected?: string; score?: number };

const NO_SPACES = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f\u1000-\u109f\u1780-\u17ff]/u;

/** Words in a turn; CJK, Thai, Khmer and Burmese text counts two characters as a word. */
export function turnWords(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return 0;
  if (NO_SPACES.test(trimmed)) return Math.floor(trimmed.replace(/[\s\p{P}]/gu, '').length / 2);
  return trimmed.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
}

/**
 * The supported language (BCP-47, from `supported`) this turn is in, when the gate is passed and it
 * differs from `current`. `detected` is the ISO 639-1 code the detector chose, for the record.
 */
export async function detectTurnLanguage(
  text: string, supported: readonly string[], current: string, gate: DetectGate = DEFAULT_GATE,
): Promise<Detection> {
  if (turnWords(text) < gate.minWords) return { decided: false, reason: 'too_short' };
  const ld = await warmLanguageDetector();
  const [top, second] = ld.detectAll(text);
  if (!top || top.accuracy < gate.minScore || (second && second.accuracy > top.accuracy * gate.maxRunnerUpRatio)) {
    return { decided: false, reason: 'ambiguous', ...(top ? { detected: top.lang, score: top.accuracy } : {}) };
  }
  const language = matchSupportedLanguage(top.lang, supported, current);
  if (language === undefined) return { decided: false, reason: 'unsupported', detected: top.lang, score: top.accuracy };
  if (language === current) return { decided: false, reason: 'same', detected: top.lang, score: top.accuracy };
  return { decided: true, language, detected: top.lang, score: top.accuracy };
}
