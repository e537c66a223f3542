/** How `switchboard calls show` prints a call's analysis (text and JSON). */
import type { Manifest } from '../manifest/index.js';
import type { StoredAnalysis } from './types.js';
import type { PostCallStore } from './start.js';

/** The call's analysis, or null when there is none yet (or its vertical is unknown). */
export async function findAnalysis(
  store: Pick<PostCallStore, 'analysis' | 'dbForVertical'>,
  manifest: Manifest | undefined,
  callId: string,
): Promise<StoredAnalysis | null> {
  if (!manifest) return null;
  return store.analysis.get(store.dbForVertical(manifest), callId);
}

/** The analysis as plain JSON (dates as ISO strings), for `--json`. */
export function analysisToJson(a: StoredAnalysis | null): Record<string, unknown> | null {
  if (!a) return null;
  return {
    summary: a.summary,
    sentiment: a.sentiment,
    intent: a.intent,
    leadScore: a.leadScore,
    leadReasons: a.leadReasons,
    fields: a.fields,
    analyser: a.analyser,
    model: a.model,
    isShort: a.isShort,
    success: a.success ?? null,
    revision: a.revision,
    revisionCount: a.revisionCount,
    purgedAt: a.purgedAt ? a.purgedAt.toISOString() : null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

const verdict = (passed: boolean | null): string => (passed === true ? 'pass' : passed === false ? 'fail' : 'unknown');

function fieldText(v: unknown): string {
  if (v === null || v === undefined) return '–';
  if (Array.isArray(v)) return v.length === 0 ? '–' : v.join(', ');
  return String(v);
}

/** A few readable lines; `pending` when the call has no analysis yet. */
export function formatAnalysis(a: StoredAnalysis | null): string {
  if (!a) return 'Analysis: pending (no analysis stored yet)';
  const lines = [
    `Analysis (${a.analyser}${a.model ? ` ${a.model}` : ''}${a.isShort ? ', short call' : ''}, revision ${a.revision}, ${a.revisionCount} kept):`,
    `  Summary:    ${a.summary || (a.purgedAt ? '(removed by retention)' : '–')}`,
    `  Sentiment:  ${a.sentiment.label} (${a.sentiment.score >= 0 ? '+' : ''}${a.sentiment.score.toFixed(2)})`,
    `  Intent:     ${a.intent}`,
    `  Lead score: ${a.leadScore}/100`,
  ];
  for (const r of a.leadReasons) lines.push(`    ${r.points >= 0 ? '+' : ''}${r.points}  ${r.reason}`);
  if (a.success) {
    lines.push(`  Success:    ${verdict(a.success.passed)}`);
    for (const c of a.success.criteria) lines.push(`    ${verdict(c.passed).padEnd(7)} ${c.name}: ${c.reason}`);
  }
  if (a.purgedAt) lines.push(`  Purged:     free text removed by retention on ${a.purgedAt.toISOString().slice(0, 10)}`);
  const fields = Object.entries(a.fields);
  if (fields.length > 0) {
    lines.push('  Fields:');
    const width = Math.max(...fields.map(([k]) => k.length));
    for (const [k, v] of fields) lines.push(`    ${k.padEnd(width)}  ${fieldText(v)}`);
  }
  return lines.join('\n');
}
