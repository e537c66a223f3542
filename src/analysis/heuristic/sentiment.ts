/**
 * Caller sentiment from the AFINN-165 lexicon (the `sentiment` package, with its negation
 * handling), over the caller's words only. The summed AFINN score is squashed into -1..1 the way
 * VADER normalises its compound score (x / sqrt(x² + α)), and labelled with VADER's ±0.05 cut-offs.
 */
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

export function scoreSentiment(callerLines: readonly string[]): SentimentScore {
  let afinn = 0;
  for (const line of callerLines) afinn += lexicon.analyze(line, { extras: CALL_LANGUAGE }).score;
  const squashed = afinn === 0 ? 0 : afinn / Math.sqrt(afinn * afinn + ALPHA);
  const score = Math.round(Math.max(-1, Math.min(1, squashed)) * 1000) / 1000;
  return { label: labelFor(score), score, afinn };
}
