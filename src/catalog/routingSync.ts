/**
 * Keeps a catalog's routing equal to what the operator stored (phone_numbers, canaries) on every
 * gateway: it reads the rows now, again whenever the change feed says something changed (Redis
 * pub/sub, when there is one) and every `refreshMs` as the safety net (a missed message, Redis
 * down, a database written by hand), so every instance converges within that period. Candidates
 * are compiled once per version from their stored files; a candidate this instance cannot
 * compile to the stored version is not served here (its calls stay on the live version) and is
 * logged once.
 */
import { createLogger, type Logger } from '../observability/index.js';
import { describeError } from '../shared/index.js';
import type { Catalog } from './catalog.js';
import { compileCandidate, materializeCandidate, type CandidateFiles } from './candidate.js';
import type { CompileOptions, CompiledVertical } from './compile.js';
import type { CanaryRoute, RoutingState } from './routing.js';

export interface CanaryRow {
  vertical: string;
  version: string;
  baseVersion: string;
  files: CandidateFiles;
  percent: number;
  number: string | null;
  state: 'running' | 'promoted';
}

export interface RoutingRows {
  assignments: ReadonlyArray<{ number: string; vertical: string }>;
  canaries: readonly CanaryRow[];
}

/** Something that says "the routing rows changed" (src/store's Redis change feed). */
export interface ChangeSignal {
  subscribe(onChange: () => void): Promise<void>;
}

export interface RoutingSyncOptions {
  catalog: Pick<Catalog, 'setRouting'>;
  /** Reads the rows (the store's phoneNumbers and canaries). */
  load(): Promise<RoutingRows>;
  /** How candidates are compiled: the catalog's own options. */
  compile: CompileOptions;
  changes?: ChangeSignal;
  /** Default 3000 ms. */
  refreshMs?: number;
  /** Each candidate version put into service (post-call analysis records its manifest). */
  onCandidate?(candidate: CompiledVertical): Promise<void>;
  logger?: Logger;
}

export interface RoutingSync {
  /** Settles after the first load (a failure is logged; the catalog keeps the manifests' routing). */
  readonly ready: Promise<void>;
  /** Reads the rows now (concurrent calls share one read). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_ROUTING_REFRESH_MS = 3000;

interface CompiledCandidate {
  vertical: CompiledVertical | undefined;
  remove(): void;
}

export function startRoutingSync(options: RoutingSyncOptions): RoutingSync {
  const log = options.logger ?? createLogger('catalog');
  // One entry per candidate version ever seen (a handful: one per `canary start`); folders stay
  // until close because calls pinned to a candidate may still read its knowledge files.
  const candidates = new Map<string, CompiledCandidate>();
  let signature = '';
  let running: Promise<void> | undefined;
  let closed = false;

  const candidateOf = (row: CanaryRow): CompiledVertical | undefined => {
    const key = `${row.vertical}@${row.version}`;
    let entry = candidates.get(key);
    if (!entry) {
      entry = compileRow(row, options.compile, log);
      candidates.set(key, entry);
      if (entry.vertical && options.onCandidate) {
        options.onCandidate(entry.vertical).catch((err: unknown) => log.warn('cannot record the candidate version', { vertical: row.vertical, version: row.version, err: describeError(err) }));
      }
    }
    return entry.vertical;
  };

  const apply = (rows: RoutingRows): void => {
    const canaries = new Map<string, CanaryRoute>();
    for (const row of rows.canaries) {
      const candidate = candidateOf(row);
      if (!candidate) continue;
      canaries.set(row.vertical, { vertical: row.vertical, candidate, percent: row.percent, number: row.number, state: row.state, baseVersion: row.baseVersion });
    }
    const assignments = new Map(rows.assignments.map((a) => [a.number, a.vertical]));
    // Only a real change swaps the routing (and logs): the poll runs every few seconds.
    const next = JSON.stringify([[...assignments], [...canaries.values()].map((c) => [c.vertical, c.candidate.version, c.percent, c.number, c.state, c.baseVersion])]);
    if (next === signature) return;
    signature = next;
    const routing: RoutingState = Object.freeze({ assignments, canaries });
    options.catalog.setRouting(routing);
    log.info('routing updated', { assignments: assignments.size, canaries: [...canaries.values()].map((c) => `${c.vertical}@${c.candidate.version} ${c.state} ${c.percent}%`) });
  };

  const refresh = (): Promise<void> => {
    if (closed) return Promise.resolve();
    running ??= options.load().then(apply, (err: unknown) => {
      log.warn('cannot read the routing; keeping the routing in force', { err: describeError(err) });
    }).finally(() => { running = undefined; });
    return running;
  };

  const timer = setInterval(() => void refresh(), options.refreshMs ?? DEFAULT_ROUTING_REFRESH_MS);
  timer.unref();
  const ready = (async () => {
    if (options.changes) {
      await options.changes.subscribe(() => void refresh()).catch((err: unknown) => {
        log.warn('routing changes are not pushed (the periodic refresh still applies them)', { err: describeError(err) });
      });
    }
    await refresh();
  })();

  return {
    ready,
    refresh,
    async close() {
      closed = true;
      clearInterval(timer);
      await running;
      for (const c of candidates.values()) c.remove();
      candidates.clear();
    },
  };
}

function compileRow(row: CanaryRow, compile: CompileOptions, log: Logger): CompiledCandidate {
  let folder: { dir: string; remove(): void } | undefined;
  try {
    folder = materializeCandidate(row.vertical, row.files);
    const result = compileCandidate(folder.dir, row.vertical, compile);
    const vertical = result.vertical;
    if (!vertical) {
      log.warn('canary candidate does not compile here; its calls stay on the live version', {
        vertical: row.vertical, version: row.version, errors: result.problems.filter((p) => p.severity === 'error').length,
      });
    } else if (vertical.version !== row.version) {
      log.warn('canary candidate compiles to another version here (shared agent fragments or tools differ); its calls stay on the live version', {
        vertical: row.vertical, version: row.version, here: vertical.version,
      });
      return { vertical: undefined, remove: folder.remove };
    }
    return { vertical, remove: folder.remove };
  } catch (err) {
    log.warn('canary candidate cannot be prepared; its calls stay on the live version', { vertical: row.vertical, version: row.version, err: describeError(err) });
    return { vertical: undefined, remove: folder?.remove ?? (() => undefined) };
  }
}
