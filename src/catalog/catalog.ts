/**
 * The live, versioned set of compiled verticals. A snapshot (verticals by id, by number) is
 * replaced whole: `reload()` compiles a complete new snapshot and swaps it in only when every
 * manifest validates; otherwise the running snapshot stays and the problems are returned.
 * Calls pin the CompiledVertical they started with, so an old version lives as long as its calls.
 */
import { EventEmitter } from 'node:events';
import { ManifestError, type ManifestProblem } from '../manifest/index.js';
import { createLogger } from '../observability/index.js';
import { monotonicMs } from '../shared/index.js';
import { compileVerticals, type CompileOptions, type CompiledVertical } from './compile.js';

const log = createLogger('catalog');

export interface CatalogSnapshot {
  /** Increases by one on every swap; the first snapshot is 1. */
  generation: number;
  verticals: ReadonlyMap<string, CompiledVertical>;
  byNumber: ReadonlyMap<string, CompiledVertical>;
  /** Warnings found while compiling this snapshot. */
  problems: readonly ManifestProblem[];
  createdAt: Date;
}

export interface VersionChange {
  id: string;
  from: string;
  to: string;
}

export interface CatalogSwappedEvent {
  type: 'catalog.swapped';
  createdAt: Date;
  generation: number;
  added: string[];
  removed: string[];
  changed: VersionChange[];
  unchanged: string[];
  warnings: number;
  compileMs: number;
}

export interface CatalogReloadFailedEvent {
  type: 'catalog.reload_failed';
  createdAt: Date;
  /** The generation that stays in service. */
  generation: number;
  errors: number;
  problems: ManifestProblem[];
}

export type CatalogEvent = CatalogSwappedEvent | CatalogReloadFailedEvent;

export interface CatalogEvents {
  'catalog.swapped': [CatalogSwappedEvent];
  'catalog.reload_failed': [CatalogReloadFailedEvent];
}

export type ReloadResult =
  | { ok: true; event: CatalogSwappedEvent; problems: ManifestProblem[] }
  | { ok: false; generation: number; problems: ManifestProblem[] };

export type CatalogOptions = CompileOptions;

export class Catalog extends EventEmitter<CatalogEvents> {
  #snapshot: CatalogSnapshot;
  readonly #options: CatalogOptions;
  #reloading: Promise<ReloadResult> | undefined;

  /** Use `createCatalog`; the constructor takes an already compiled first snapshot. */
  constructor(options: CatalogOptions, first: CatalogSnapshot) {
    super();
    this.#options = options;
    this.#snapshot = first;
  }

  /** The snapshot in service now (hold it to see one consistent set). */
  get snapshot(): CatalogSnapshot {
    return this.#snapshot;
  }

  get generation(): number {
    return this.#snapshot.generation;
  }

  /** Warnings of the snapshot in service. */
  get problems(): readonly ManifestProblem[] {
    return this.#snapshot.problems;
  }

  get(id: string): CompiledVertical | undefined {
    return this.#snapshot.verticals.get(id);
  }

  /** The vertical a dialled number rings, by exact E.164. */
  byNumber(e164: string): CompiledVertical | undefined {
    return this.#snapshot.byNumber.get(e164);
  }

  list(): CompiledVertical[] {
    return [...this.#snapshot.verticals.values()];
  }

  /**
   * Compiles the directory again and swaps it in atomically when it has no error. Concurrent
   * calls share one reload. Calls already running keep the versions they pinned.
   */
  reload(): Promise<ReloadResult> {
    this.#reloading ??= Promise.resolve().then(() => this.#reloadNow()).finally(() => {
      this.#reloading = undefined;
    });
    return this.#reloading;
  }

  #reloadNow(): ReloadResult {
    const started = monotonicMs();
    const previous = this.#snapshot;
    let result;
    try {
      result = compileVerticals(this.#options, previous.verticals);
    } catch (err) {
      result = { verticals: undefined, problems: [{ file: this.#options.verticalsDir, line: 0, path: '', severity: 'error' as const, message: (err as Error).message }] };
    }
    if (!result.verticals) {
      const errors = result.problems.filter((p) => p.severity === 'error').length;
      const event: CatalogReloadFailedEvent = {
        type: 'catalog.reload_failed', createdAt: new Date(), generation: previous.generation, errors, problems: result.problems,
      };
      log.warn('reload rejected; keeping the running verticals', { generation: previous.generation, errors });
      this.emit('catalog.reload_failed', event);
      return { ok: false, generation: previous.generation, problems: result.problems };
    }
    const next = makeSnapshot(previous.generation + 1, result.verticals, result.problems);
    this.#snapshot = next;
    const event = diffSnapshots(previous, next, monotonicMs() - started);
    log.info('verticals reloaded', {
      generation: next.generation, added: event.added, removed: event.removed,
      changed: event.changed.map((c) => `${c.id}@${c.to}`), warnings: event.warnings, compileMs: Math.round(event.compileMs),
    });
    this.emit('catalog.swapped', event);
    return { ok: true, event, problems: result.problems };
  }
}

export function makeSnapshot(generation: number, verticals: readonly CompiledVertical[], problems: readonly ManifestProblem[]): CatalogSnapshot {
  const byId = new Map<string, CompiledVertical>();
  const byNumber = new Map<string, CompiledVertical>();
  for (const v of [...verticals].sort((a, b) => a.id.localeCompare(b.id))) {
    byId.set(v.id, v);
    for (const n of v.numbers) byNumber.set(n, v);
  }
  return Object.freeze({ generation, verticals: byId, byNumber, problems: Object.freeze([...problems]), createdAt: new Date() });
}

function diffSnapshots(prev: CatalogSnapshot, next: CatalogSnapshot, compileMs: number): CatalogSwappedEvent {
  const added: string[] = [];
  const changed: VersionChange[] = [];
  const unchanged: string[] = [];
  for (const [id, v] of next.verticals) {
    const old = prev.verticals.get(id);
    if (!old) added.push(id);
    else if (old.version !== v.version) changed.push({ id, from: old.version, to: v.version });
    else unchanged.push(id);
  }
  const removed = [...prev.verticals.keys()].filter((id) => !next.verticals.has(id));
  return {
    type: 'catalog.swapped', createdAt: new Date(), generation: next.generation, added, removed, changed, unchanged,
    warnings: next.problems.length, compileMs,
  };
}

/**
 * Compiles every vertical and returns the catalog. Any error stops start-up with a
 * ManifestError carrying every problem; warnings are on `catalog.problems`.
 */
export function createCatalog(options: CatalogOptions): Catalog {
  const started = monotonicMs();
  const result = compileVerticals(options);
  if (!result.verticals) throw new ManifestError(result.problems);
  const catalog = new Catalog(options, makeSnapshot(1, result.verticals, result.problems));
  log.info('verticals loaded', {
    verticals: result.verticals.map((v) => `${v.id}@${v.version}`), warnings: result.problems.length,
    compileMs: Math.round(monotonicMs() - started),
  });
  return catalog;
}
