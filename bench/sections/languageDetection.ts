/**
 * Language detection on short phone utterances (issue 12): the labelled set in
 * bench/data/language-utterances.json through the runtime's own detector (`detectTurnLanguage`,
 * tinyld behind the confidence gate) and through tinyld's raw top guess, per language and overall,
 * plus the time per detection.
 *
 * Each utterance is put to the detector as a turn on a call of a vertical that supports every
 * language of the set: a non-English turn on an en-US call (a correct detection is a switch to its
 * language), an English turn on an es-US call (a correct detection is a switch to en-US).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { detectTurnLanguage, turnWords, warmLanguageDetector } from '../../src/realtime/languageDetect.js';
import { detectedBase } from '../../src/manifest/index.js';
import type { Figure, SectionResult } from '../types.js';

export interface Utterance { lang: string; text: string }

/** The vertical's `languages.supported` for the run: one tag per language of the set. */
const TAGS: Record<string, string> = {
  en: 'en-US', es: 'es-US', fr: 'fr-FR', de: 'de-DE', pt: 'pt-BR', it: 'it-IT', nl: 'nl-NL', pl: 'pl-PL',
  ru: 'ru-RU', uk: 'uk-UA', zh: 'zh-CN', ja: 'ja-JP', ko: 'ko-KR', vi: 'vi-VN', ar: 'ar-SA', hi: 'hi-IN',
  tr: 'tr-TR', tl: 'tl-PH',
};

export function loadUtterances(file = resolve('bench', 'data', 'language-utterances.json')): Utterance[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { utterances: Utterance[] };
  for (const u of doc.utterances) if (!TAGS[u.lang]) throw new Error(`bench data: no tag for language ${u.lang}`);
  return doc.utterances;
}

interface Row { n: number; n3: number; raw: number; raw3: number; switched: number; kept: number; wrong: number; switched3: number; kept3: number; wrong3: number }
const emptyRow = (): Row => ({ n: 0, n3: 0, raw: 0, raw3: 0, switched: 0, kept: 0, wrong: 0, switched3: 0, kept3: 0, wrong3: 0 });

const pct = (a: number, b: number): string => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)} %`);
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

export async function runDetection(utterances: Utterance[], timedPasses = 3): Promise<SectionResult[]> {
  const ld = await warmLanguageDetector();
  const supported = [...new Set(utterances.map((u) => TAGS[u.lang]!))];
  const inSet = new Set(supported.map(detectedBase));
  const currentFor = (lang: string): string => (lang === 'en' ? 'es-US' : 'en-US');
  // Warm-up: one untimed pass of both paths.
  for (const u of utterances) { ld.detectAll(u.text); await detectTurnLanguage(u.text, supported, currentFor(u.lang)); }

  const rows = new Map<string, Row>();
  const all = emptyRow();
  let rawInSet3 = 0;
  const failures: Array<{ lang: string; text: string; raw?: string; gated: string }> = [];
  for (const u of utterances) {
    const row = rows.get(u.lang) ?? emptyRow();
    rows.set(u.lang, row);
    const three = turnWords(u.text) >= 3;
    const guesses = ld.detectAll(u.text);
    const rawOk = guesses[0]?.lang === u.lang;
    // Top-1 restricted to the vertical's supported languages: the first guess the vertical speaks.
    const inSetOk = guesses.find((g) => inSet.has(g.lang))?.lang === u.lang;
    const d = await detectTurnLanguage(u.text, supported, currentFor(u.lang));
    const outcome = d.decided ? (d.language === TAGS[u.lang] ? 'switched' : 'wrong') : 'kept';
    for (const r of [row, all]) {
      r.n++; if (rawOk) r.raw++; r[outcome]++;
      if (three) { r.n3++; if (rawOk) r.raw3++; r[`${outcome}3`]++; }
    }
    if (three && inSetOk) rawInSet3++;
    if (three && (!rawOk || outcome !== 'switched')) failures.push({ lang: u.lang, text: u.text, ...(guesses[0] ? { raw: guesses[0].lang } : {}), gated: d.decided ? d.language : `kept (${d.reason}${d.detected ? ` ${d.detected}` : ''})` });
  }

  // Time per detection: the gated path (what a turn costs) and tinyld alone, over every utterance.
  const gatedMs: number[] = [];
  const rawMs: number[] = [];
  for (let pass = 0; pass < timedPasses; pass++) {
    for (const u of utterances) {
      let t = performance.now();
      ld.detectAll(u.text);
      rawMs.push(performance.now() - t);
      t = performance.now();
      await detectTurnLanguage(u.text, supported, currentFor(u.lang));
      gatedMs.push(performance.now() - t);
    }
  }
  gatedMs.sort((a, b) => a - b);
  rawMs.sort((a, b) => a - b);
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

  const perLanguage: Figure[] = [...rows.entries()].map(([lang, r]) => ({
    name: lang,
    value: `n ${r.n} (3+ words ${r.n3})  raw ${pct(r.raw, r.n)}  gated: switched ${r.switched}, kept ${r.kept}, wrong ${r.wrong}`
      + `  | 3+ words: raw ${pct(r.raw3, r.n3)}, switched ${r.switched3}, kept ${r.kept3}, wrong ${r.wrong3}`,
  }));
  const decided3 = all.switched3 + all.wrong3;
  const gatedMean = mean(gatedMs);
  const gatedP99 = quantile(gatedMs, 0.99);
  const headline: Figure[] = [
    { name: 'utterances', value: `${all.n} in ${rows.size} languages, ${all.n3} of 3+ words; supported = all ${supported.length}` },
    { name: '≥ 95 % on utterances of 3+ words: raw top-1 (in supported set)', value: pct(rawInSet3, all.n3), ok: rawInSet3 / all.n3 >= 0.95 },
    { name: 'raw top-1 (any of tinyld\'s languages), 3+ words', value: pct(all.raw3, all.n3) },
    { name: '≥ 95 % on utterances of 3+ words: gated, right of decided', value: `${pct(all.switched3, decided3)} (${all.wrong3} wrong of ${decided3} decided; ${all.kept3} kept undecided)`, ok: decided3 > 0 && all.switched3 / decided3 >= 0.95 },
    { name: 'gated, switched correctly of all 3+ words', value: pct(all.switched3, all.n3) },
    { name: 'all utterances (2+ words): raw / gated switched / kept / wrong', value: `${pct(all.raw, all.n)} / ${all.switched} / ${all.kept} / ${all.wrong}` },
    { name: '≤ 1 ms per detection (gated, mean / p99)', value: `${gatedMean.toFixed(3)} / ${gatedP99.toFixed(3)} ms over ${gatedMs.length} (1-min load average ${loadavg()[0]!.toFixed(1)})`, ok: gatedP99 <= 1 },
    { name: 'tinyld detectAll alone (mean / p99)', value: `${mean(rawMs).toFixed(3)} / ${quantile(rawMs, 0.99).toFixed(3)} ms` },
  ];
  return [
    { heading: 'Detection on short phone utterances (tinyld behind the confidence gate)', figures: headline, raw: { all, rawInSet3, failures } },
    { heading: 'Per language (gated: switched correctly / kept undecided / wrong)', figures: perLanguage, raw: Object.fromEntries(rows) },
  ];
}
