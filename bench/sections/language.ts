/**
 * `npm run bench -- --only language` (issue 12): language detection accuracy and time per
 * detection on the labelled set in bench/data/language-utterances.json, and the cut-over delay of
 * a realtime switch against the emulator (salon/booking-es, `--runs` calls, default 5; needs
 * Postgres: TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test).
 *
 *   npm run bench -- --only language
 *   npm run bench -- --only language --runs 20
 *   npm run bench -- --only language --runs 0     detection only (no Postgres)
 */
import { measureCutover } from '../lib/languageCutover.js';
import type { BenchContext, BenchSection, SectionResult } from '../types.js';
import { loadUtterances, runDetection } from './languageDetection.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function cutoverResult(ctx: BenchContext, runs: number): Promise<SectionResult> {
  const { samplesMs, missing } = await measureCutover(runs, ctx.log);
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    heading: `Cut-over delay of a realtime switch (salon/booking-es against the emulator, ${runs} calls)`,
    figures: [
      { name: 'switches recorded', value: `${samplesMs.length} of ${runs} calls${missing ? ` (${missing} without a switch)` : ''}`, ok: missing === 0 },
      { name: 'decision → new session, p50 / p99', value: samplesMs.length ? `${quantile(sorted, 0.5)} / ${quantile(sorted, 0.99)} ms` : '–' },
      { name: 'min / max', value: samplesMs.length ? `${sorted[0]} / ${sorted[sorted.length - 1]} ms` : '–' },
    ],
    raw: { samplesMs },
  };
}

export const languageSection: BenchSection = {
  name: 'language',
  title: 'Language detection and switching (issue 12)',
  async run(ctx) {
    const results = await runDetection(loadUtterances());
    const runs = Number(arg('runs') ?? 5);
    if (runs > 0) results.push(await cutoverResult(ctx, runs));
    return results;
  },
};
