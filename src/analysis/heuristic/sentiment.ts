/**
 * Caller sentiment from the AFINN-165 lexicon (the `sentiment` package, with its negation
 * handling), over the caller's words only. The summed AFINN score is squashed into -1..1 the way
 * VADER normalises its compound score (x / sqrt(x² + α)), and labelled with VADER's ±0.05 cut-offs.
 * A call in another language is scored with AFINN-165 in that language
 * (`afinn-165-multilingual`: the same word list translated, 100+ languages; no negation rules).
 */
import { createRequire } from 'node:module';
import Sentiment from 'sentiment';
import type { SentimentLabel } from '../types.js';

const ALPHA = 15;
const THRESHOLD = 0.05;

const lexicon = new Sentiment();

/**
 * Words AFINN scores that, on a service phone line, are request or scheduling language rather
 * than feeling ("I'd like", "please", "are you free", "what kind of", "I want to cancel").
 */
const CALL_LANGUAGE: Record<string, number> = {
  like: 0, please: 0, want: 0, help: 0, yes: 0, no: 0, free: 0, kind: 0, pretty: 0, sorry: 0,
  cancel: 0, cancelled: 0, cancelling: 0,
};

/** Request words on a phone line in the other languages the lexicon scores as feeling (Spanish: "ayuda", "cancelar", "libre"). */
const CALL_LANGUAGE_BY_BASE: Record<string, Record<string, number>> = {
  es: { ayuda: 0, ayudar: 0, cancelar: 0, cancelado: 0, libre: 0, quiero: 0, querer: 0, perdón: 0, disculpe: 0, favor: 0, problema: 0 },
};

const require = createRequire(import.meta.url);
/** Base language codes registered with the lexicon (false: no word list for it). */
const registered = new Map<string, boolean>([['en', true]]);

/** The lexicon language for a BCP-47 tag: its base code when a word list exists, else English. */
function lexiconLanguage(tag: string | null | undefined): string {
  const base = (tag ?? 'en').split(/[-_]/)[0]!.toLowerCase();
  let known = registered.get(base);
  if (known === undefined) {
    try {
      const labels = require(`afinn-165-multilingual/build/AFINN-${base}.json`) as Record<string, number>;
      lexicon.registerLanguage(base, { labels: Object.fromEntries(Object.entries(labels).filter(([w, v]) => w !== '' && typeof v === 'number')) });
      known = true;
    } catch {
      known = false;
    }
    registered.set(base, known);
  }
  return known ? base : 'en';
}

export interface SentimentScore {
  label: SentimentLabel;
  /** -1..1, three decimals. */
  score: number;
  /** The raw AFINN sum, for explanations. */
  afinn: number;
}

export function labelFor(score: number): SentimentLabel {
  if (score >= THRESHOLD) return 'positive';
  if (score <= -THRESHOLD) return 'negative';
  return 'neutral';
}

/** `language`: the call's (BCP-47); English when absent or when no word list exists for it. */
export function scoreSentiment(callerLines: readonly string[], language?: string | null): SentimentScore {
  const lang = lexiconLanguage(language);
  const extras = lang === 'en' ? CALL_LANGUAGE : CALL_LANGUAGE_BY_BASE[lang] ?? {};
  let afinn = 0;
  for (const line of callerLines) afinn += lexicon.analyze(line, { language: lang, extras }).score;
  const squashed = afinn === 0 ? 0 : afinn / Math.sqrt(afinn * afinn + ALPHA);
  const score = Math.round(Math.max(-1, Math.min(1, squashed)) * 1000) / 1000;
  return { label: labelFor(score), score, afinn };
}
