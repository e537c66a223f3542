/**
 * Retention: each vertical's `retention` (days per kind of content) applied to its ended calls.
 * A purge keeps the call's metadata (times, end reason, sentiment, intent, scores, pass/fail) and
 * removes its content (store/repositories/retention.ts says what each kind removes). Run by
 * `switchboard purge [--dry-run] [--vertical v]`, by a BullMQ job scheduler in `switchboard
 * worker` (retentionSchedule.ts), and by a timer in the gateway when there is no Redis.
 */
import type { Manifest, RetentionSpec } from '../manifest/index.js';
import { createLogger, type Logger } from '../observability/index.js';
import type { Db, RetentionKind, RetentionRepository } from '../store/index.js';
import { RETENTION_KINDS } from '../store/index.js';

const DAY_MS = 24 * 3600_000;

export interface RetentionStore {
  retention: RetentionRepository;
  dbForVertical(manifest: Manifest): Db;
}

export interface PurgeOptions {
  store: RetentionStore;
  manifests: readonly Manifest[];
  /** Report what would go; delete nothing. */
  dryRun?: boolean;
  /** Only this vertical. */
  vertical?: string;
  /** The clock (tests). */
  now?: Date;
  /** Calls per statement. */
  batchSize?: number;
  logger?: Logger;
}

export interface PurgeLine {
  vertical: string;
  kind: RetentionKind;
  days: number;
  /** Calls that ended before this lose this kind of content. */
  endedBefore: string;
  calls: number;
  /** Transcript lines or tool invocations (null for the other kinds). */
  rows: number | null;
}

export interface PurgeReport {
  dryRun: boolean;
  lines: PurgeLine[];
}

/** Analysis fields that are not free text (kept by a purge). */
export function structuredFields(manifest: Manifest): string[] {
  return manifest.analysis.fields.filter((f) => f.type === 'enum' || f.type === 'number' || f.type === 'boolean').map((f) => f.name);
}

/** The kinds a vertical limits, with their days. */
export function retentionRules(retention: RetentionSpec): Array<{ kind: RetentionKind; days: number }> {
  return RETENTION_KINDS.flatMap((kind) => (retention[kind] === undefined ? [] : [{ kind, days: retention[kind]! }]));
}

export async function purgeExpired(options: PurgeOptions): Promise<PurgeReport> {
  const log = options.logger ?? createLogger('analysis');
  const now = options.now ?? new Date();
  const batch = options.batchSize ?? 500;
  const { retention } = options.store;
  const lines: PurgeLine[] = [];
  for (const manifest of options.manifests) {
    if (options.vertical && manifest.id !== options.vertical) continue;
    for (const { kind, days } of retentionRules(manifest.retention)) {
      const endedBefore = new Date(now.getTime() - days * DAY_MS);
      const line: PurgeLine = { vertical: manifest.id, kind, days, endedBefore: endedBefore.toISOString(), calls: 0, rows: null };
      if (options.dryRun) {
        const pending = await retention.pending(manifest.id, kind, endedBefore);
        lines.push({ ...line, calls: pending.calls, rows: pending.rows });
        continue;
      }
      let rows = 0;
      for (;;) {
        const ids = await retention.candidates(manifest.id, kind, endedBefore, batch);
        if (ids.length === 0) break;
        // Analysis text lives in the vertical's schema (maybe its own database): purge it before marking the calls.
        if (kind === 'analysis') rows += await retention.purgeAnalysis(options.store.dbForVertical(manifest), ids, structuredFields(manifest));
        rows += await retention.purge(kind, ids);
        line.calls += ids.length;
        if (ids.length < batch) break;
      }
      line.rows = kind === 'transcripts' || kind === 'toolArguments' ? rows : null;
      if (line.calls > 0) log.info('retention purge', { vertical: manifest.id, kind, days, calls: line.calls, rows });
      lines.push(line);
    }
  }
  return { dryRun: Boolean(options.dryRun), lines };
}

/** One line per (vertical, kind) for the CLI. */
export function formatPurgeReport(report: PurgeReport): string {
  if (report.lines.length === 0) return 'no vertical sets retention: nothing to purge';
  const verb = report.dryRun ? 'would purge' : 'purged';
  const what: Record<RetentionKind, string> = {
    transcripts: 'transcript lines', toolArguments: 'tool arguments/results', recordings: 'recording references', analysis: 'analysis free text',
  };
  const out = report.lines.map((l) => {
    const rows = l.rows === null ? '' : ` (${l.rows} rows)`;
    return `${l.vertical}: ${verb} ${what[l.kind]} of ${l.calls} call${l.calls === 1 ? '' : 's'}${rows} ended before ${l.endedBefore.slice(0, 16).replace('T', ' ')} (${l.days} days)`;
  });
  if (report.dryRun) out.push('dry run: nothing was deleted');
  return out.join('\n');
}
