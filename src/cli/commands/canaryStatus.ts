/** `canary status`: a canary's live and candidate versions side by side, from the calls each ran. */
import type { Manifest } from '../../manifest/index.js';
import { leadScores, type CanaryRecord, type LeadScoreFigures, type Store, type VersionFigures } from '../../store/index.js';
import { renderTable } from './verticals.js';

export interface CanaryComparison {
  vertical: string;
  state: CanaryRecord['state'];
  percent: number;
  number: string | null;
  sourceDir: string;
  startedAt: string;
  live: VersionReport;
  candidate: VersionReport;
}

export interface VersionReport extends VersionFigures {
  analysed: number;
  avgLeadScore: number | null;
}

/** Figures since the canary started; lead scores only when the vertical's manifest is known here. */
export async function compareCanary(store: Store, canary: CanaryRecord, manifest: Manifest | undefined): Promise<CanaryComparison> {
  const versions = [canary.baseVersion, canary.version];
  const figures = await store.versionStats.compare(canary.vertical, versions, canary.startedAt);
  let scores: LeadScoreFigures[] = [];
  if (manifest) {
    const ids = await store.versionStats.callIds(canary.vertical, versions, canary.startedAt);
    // A vertical whose schema was never migrated has no analyses yet: no scores, not an error.
    scores = await leadScores(store.dbForVertical(manifest), ids).catch(() => []);
  }
  const report = (version: string): VersionReport => {
    const f = figures.find((x) => x.version === version)!;
    const s = scores.find((x) => x.version === version);
    return { ...f, analysed: s?.analysed ?? 0, avgLeadScore: s?.avgLeadScore ?? null };
  };
  return {
    vertical: canary.vertical, state: canary.state, percent: canary.percent, number: canary.number, sourceDir: canary.sourceDir,
    startedAt: canary.startedAt.toISOString(), live: report(canary.baseVersion), candidate: report(canary.version),
  };
}

const share = (n: number, of: number): string => (of === 0 ? String(n) : `${n} (${Math.round((100 * n) / of)}%)`);
const ms = (v: number | null): string => (v === null ? '-' : `${Math.round(v)} ms`);

export function formatComparison(c: CanaryComparison): string {
  const scope = c.number ? `calls to ${c.number}` : 'all its numbers';
  const head = c.state === 'promoted'
    ? `canary ${c.vertical}: PROMOTED: every new call runs the candidate while the deployed version is ${c.live.version}`
    : `canary ${c.vertical}: ${c.percent}% of new calls on ${scope}`;
  const reasons = [...new Set([...Object.keys(c.live.endReasons), ...Object.keys(c.candidate.endReasons)])].sort();
  const row = (label: string, f: (r: VersionReport) => string): string[] => [label, f(c.live), f(c.candidate)];
  const table = renderTable(['', `live ${c.live.version}`, `candidate ${c.candidate.version}`], [
    row('calls', (r) => String(r.calls)),
    row('in progress', (r) => String(r.live)),
    ...reasons.map((reason) => row(`  ended: ${reason}`, (r) => share(r.endReasons[reason] ?? 0, r.calls))),
    row('failovers', (r) => share(r.failovers, r.calls)),
    row('transfers to a human', (r) => share(r.transfersToHuman, r.calls)),
    row('avg lead score', (r) => (r.avgLeadScore === null ? '-' : `${r.avgLeadScore} (${r.analysed} analysed)`)),
    row('turn latency avg', (r) => ms(r.turnLatency.avgMs)),
    row('turn latency p95', (r) => `${ms(r.turnLatency.p95Ms)} (${r.turnLatency.samples} turns)`),
  ]);
  return `${head}\n  since ${c.startedAt}, candidate from ${c.sourceDir}\n${table.split('\n').map((l) => `  ${l}`).join('\n')}`;
}
