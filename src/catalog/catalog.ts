/**
 * The live, versioned set of compiled verticals. A snapshot (verticals by id, by number) is
 * replaced whole: `reload()` compiles a complete new snapshot and swaps it in only when every
 * manifest validates; otherwise the running snapshot stays and the problems are returned.
 * Calls pin the CompiledVertical they started with, so an old version lives as long as its calls.
 */
import { EventEmitter } from 'node:events';
import { join, relative } from 'node:path';
import { ManifestError, type ManifestProblem } from '../manifest/index.js';
import { createLogger } from '../observability/index.js';
import { monotonicMs } from '../shared/index.js';
import { compileVerticals, type CompileOptions, type CompiledVertical } from './compile.js';
import { EMPTY_ROUTING, effectiveNumbers, pickVersion, routeAnswers, type NumberRoute, type RoutingState } from './routing.js';

const log = createLogger('catalog');

/** How many swapped-out vertical versions stay servable for claimed calls. */
const RETIRED_VERSIONS_KEPT = 32;

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

/** The operator's routing (number assignments, canaries) changed; the compiled verticals did not. */
export interface CatalogRoutedEvent {
  type: 'catalog.routed';
  createdAt: Date;
  assignments: number;
  /** `vertical@candidateVersion` of each canary in force. */
  canaries: string[];
}

export interface CatalogEvents {
  'catalog.swapped': [CatalogSwappedEvent];
  'catalog.reload_failed': [CatalogReloadFailedEvent];
  'catalog.routed': [CatalogRoutedEvent];
}

export type ReloadResult =
  | { ok: true; event: CatalogSwappedEvent; problems: ManifestProblem[] }
  | { ok: false; generation: number; problems: ManifestProblem[] };

export type CatalogOptions = CompileOptions;

/**
 * Runs on the verticals a reload brings in (added, or changed to a new version) after they
 * compiled and before they go into service, e.g. to migrate their schema. A throw rejects the
 * reload: the running verticals stay.
 */
export type BeforeSwap = (incoming: { added: readonly CompiledVertical[]; changed: readonly CompiledVertical[] }) => Promise<void>;

export class Catalog extends EventEmitter<CatalogEvents> {
  #snapshot: CatalogSnapshot;
  readonly #options: CatalogOptions;
  #reloading: Promise<ReloadResult> | undefined;
  #beforeSwap: BeforeSwap | undefined;
  #routing: RoutingState = EMPTY_ROUTING;
  /** Versions swapped out by reloads, newest last, kept so a call pinned to one can still be served here. */
  readonly #retired = new Map<string, CompiledVertical>();
  /** Number → live vertical with the assignments applied; rebuilt on every swap and routing change. */
  #numbers: ReadonlyMap<string, CompiledVertical>;

  /** Use `createCatalog`; the constructor takes an already compiled first snapshot. */
  constructor(options: CatalogOptions, first: CatalogSnapshot) {
    super();
    this.#options = options;
    this.#snapshot = first;
    this.#numbers = this.#routeNumbers();
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

  /**
   * The vertical version a new call to a dialled number (exact E.164) runs on: the operator's
   * assignment else the manifests' numbers pick the vertical; its canary, if any, may pick the
   * candidate version for this CallSid (the same CallSid always gets the same answer).
   */
  byNumber(e164: string, callSid?: string): CompiledVertical | undefined {
    const live = this.#numbers.get(e164);
    return live && pickVersion(live, this.#routing.canaries.get(live.id), e164, callSid);
  }

  /** A vertical by id, and when `version` is given, only that version: the live one or its canary's candidate. */
  resolve(id: string, version?: string): CompiledVertical | undefined {
    const live = this.#snapshot.verticals.get(id);
    if (version === undefined || live?.version === version) return live;
    const candidate = this.#routing.canaries.get(id)?.candidate;
    return candidate?.version === version ? candidate : undefined;
  }

  /**
   * Exactly `id@version`: the live version, its canary's candidate, or one a recent reload swapped
   * out here. A call claimed from another instance runs on the version its row pinned, or not at all.
   */
  resolvePinned(id: string, version: string): CompiledVertical | undefined {
    return this.resolve(id, version) ?? this.#retired.get(`${id}@${version}`);
  }

  /** The routing in force (assignments and canaries). */
  get routing(): RoutingState {
    return this.#routing;
  }

  /** Every number some vertical answers here, and why. */
  numbers(): NumberRoute[] {
    return effectiveNumbers(this.#snapshot.verticals, this.#routing.assignments);
  }

  /**
   * Puts the operator's routing into service for new calls; calls already running keep the
   * CompiledVertical they pinned.
   */
  setRouting(routing: RoutingState): void {
    this.#routing = routing;
    this.#numbers = this.#routeNumbers();
    const event: CatalogRoutedEvent = {
      type: 'catalog.routed', createdAt: new Date(), assignments: routing.assignments.size,
      canaries: [...routing.canaries.values()].map((c) => `${c.vertical}@${c.candidate.version}`),
    };
    this.emit('catalog.routed', event);
  }

  #routeNumbers(): ReadonlyMap<string, CompiledVertical> {
    const verticals = this.#snapshot.verticals;
    const out = new Map<string, CompiledVertical>();
    for (const r of this.numbers()) if (routeAnswers(r)) out.set(r.number, verticals.get(r.vertical)!);
    return out;
  }

  list(): CompiledVertical[] {
    return [...this.#snapshot.verticals.values()];
  }

  /** The step every reload runs on incoming verticals before the swap (one; a later call replaces it). */
  beforeSwap(fn: BeforeSwap): void {
    this.#beforeSwap = fn;
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

  async #reloadNow(): Promise<ReloadResult> {
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
    const prepared = await this.#prepareIncoming(previous, result.verticals);
    if (prepared) {
      const event: CatalogReloadFailedEvent = { type: 'catalog.reload_failed', createdAt: new Date(), generation: previous.generation, errors: 1, problems: [prepared] };
      log.warn('reload rejected: preparing the incoming verticals failed; keeping the running verticals', { generation: previous.generation, error: prepared.message });
      this.emit('catalog.reload_failed', event);
      return { ok: false, generation: previous.generation, problems: [...result.problems, prepared] };
    }
    const next = makeSnapshot(previous.generation + 1, result.verticals, result.problems);
    for (const v of previous.verticals.values()) {
      if (next.verticals.get(v.id)?.version === v.version) continue;
      this.#retired.delete(`${v.id}@${v.version}`);
      this.#retired.set(`${v.id}@${v.version}`, v);
      // Bounded: a call lasts minutes, reloads are rarer; the oldest go first.
      if (this.#retired.size > RETIRED_VERSIONS_KEPT) this.#retired.delete(this.#retired.keys().next().value!);
    }
    this.#snapshot = next;
    this.#numbers = this.#routeNumbers();
    const event = diffSnapshots(previous, next, monotonicMs() - started);
    log.info('verticals reloaded', {
      generation: next.generation, added: event.added, removed: event.removed,
      changed: event.changed.map((c) => `${c.id}@${c.to}`), warnings: event.warnings, compileMs: Math.round(event.compileMs),
    });
    this.emit('catalog.swapped', event);
    return { ok: true, event, problems: result.problems };
  }

  /** Runs the before-swap step; the problem that rejects the reload, or undefined. */
  async #prepareIncoming(previous: CatalogSnapshot, verticals: readonly CompiledVertical[]): Promise<ManifestProblem | undefined> {
    const added = verticals.filter((v) => !previous.verticals.has(v.id));
    const changed = verticals.filter((v) => previous.verticals.has(v.id) && previous.verticals.get(v.id)!.version !== v.version);
    if (!this.#beforeSwap || (added.length === 0 && changed.length === 0)) return undefined;
    try {
      await this.#beforeSwap({ added, changed });
      return undefined;
    } catch (err) {
      const ids = [...added, ...changed].map((v) => v.id).join(', ');
      const file = join((added[0] ?? changed[0])!.dir, 'vertical.yaml');
      return { file: relative(this.#options.cwd ?? process.cwd(), file) || file, line: 0, path: '', severity: 'error', message: `preparing ${ids} for service failed: ${(err as Error).message}` };
    }
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
