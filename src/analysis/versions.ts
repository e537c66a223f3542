/**
 * A call is analysed with the manifest version it ran on, not with whatever the catalog serves
 * when the job runs: a reload between the call and its analysis (or a worker that compiled a
 * different version, or none) must not change which fields and rules apply.
 *
 * Every process that compiles versions records what analysis needs of each one in Postgres
 * (`manifest_versions`, first write wins); the resolver then looks a call's (vertical, version)
 * up in the live catalog, then in the store, and only for calls older than that table falls back
 * to the current manifest, with a warning.
 */
import type { z } from 'zod';
import { manifestSchema, type Manifest } from '../manifest/index.js';
import type { Logger } from '../observability/index.js';
import type { ManifestVersionsRepository } from '../store/index.js';

/** What analysis reads of a manifest; stored per version as JSON and parsed back at the edge. */
export const analysisManifestSchema = manifestSchema.pick({ id: true, name: true, analysis: true });
export type AnalysisManifest = z.infer<typeof analysisManifestSchema>;

export function analysisManifestOf(manifest: AnalysisManifest): AnalysisManifest {
  return { id: manifest.id, name: manifest.name, analysis: manifest.analysis };
}

/** A compiled vertical as the catalog holds it: its manifest and the version it was compiled as. */
export interface VersionedManifest {
  version: string;
  manifest: Manifest;
}

/** The catalog (`src/catalog`), or anything that gives each vertical's compiled version. */
export interface ManifestSource {
  get(id: string): VersionedManifest | undefined;
  list(): ReadonlyArray<VersionedManifest>;
  /** The catalog's swap event: the versions it puts into service are recorded then. */
  on?(event: 'catalog.swapped', listener: () => void): unknown;
  off?(event: 'catalog.swapped', listener: () => void): unknown;
}

export type ManifestVersionStore = Pick<ManifestVersionsRepository, 'record' | 'get'>;

/** Records every version the source serves now (idempotent: a version already stored is left alone). */
export async function recordManifestVersions(store: ManifestVersionStore, source: Pick<ManifestSource, 'list'>): Promise<number> {
  return store.record(source.list().map((v) => ({ vertical: v.manifest.id, version: v.version, manifest: analysisManifestOf(v.manifest) })));
}

export interface VersionTracker {
  /** Settles when the versions served at start are recorded (a failure is logged, not thrown). */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * Records the source's versions now and after every catalog swap. Each pass writes every served
 * version, so one failed write (a database blip) is repaired by the next reload.
 */
export function trackManifestVersions(source: ManifestSource, store: ManifestVersionStore, log: Logger): VersionTracker {
  const record = (when: string): Promise<void> => recordManifestVersions(store, source).then(
    (added) => { if (added > 0) log.debug('manifest versions recorded', { when, added }); },
    (err: unknown) => { log.warn('cannot record the manifest versions; their calls may be analysed with a later version', { when, err }); },
  );
  const onSwap = (): void => { void record('reload'); };
  source.on?.('catalog.swapped', onSwap);
  return {
    ready: record('start'),
    stop: () => { source.off?.('catalog.swapped', onSwap); },
  };
}

export type ManifestOrigin = 'catalog' | 'store' | 'current';

export interface ResolvedManifest {
  manifest: AnalysisManifest;
  /** Where it came from: the live catalog, the stored version, or (an unrecorded version) the current manifest. */
  origin: ManifestOrigin;
}

export interface ManifestResolver {
  /** The analysis settings of `version` of `vertical`; `current` is the vertical as deployed now. */
  resolve(vertical: string, version: string, current: Manifest): Promise<ResolvedManifest>;
}

/** Stored versions never change, so this many stay in memory (oldest dropped first). */
const CACHED_VERSIONS = 256;

export function createManifestResolver(deps: { source: Pick<ManifestSource, 'get'>; store: ManifestVersionStore; logger: Logger }): ManifestResolver {
  const cache = new Map<string, AnalysisManifest>();
  const warned = new Set<string>();
  const log = deps.logger;

  async function fromStore(vertical: string, version: string): Promise<AnalysisManifest | undefined> {
    const key = `${vertical}@${version}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const row = await deps.store.get(vertical, version);
    if (!row) return undefined;
    const parsed = analysisManifestSchema.safeParse(row.manifest);
    if (!parsed.success || parsed.data.id !== vertical) {
      if (!warned.has(`bad:${key}`)) {
        warned.add(`bad:${key}`);
        log.warn('stored manifest version does not parse; ignoring it', { vertical, version, issue: parsed.error?.issues[0]?.message ?? 'id differs' });
      }
      return undefined;
    }
    if (cache.size >= CACHED_VERSIONS) cache.delete(cache.keys().next().value!);
    cache.set(key, parsed.data);
    return parsed.data;
  }

  return {
    async resolve(vertical, version, current) {
      const live = deps.source.get(vertical);
      if (live && live.version === version) return { manifest: live.manifest, origin: 'catalog' };
      const stored = await fromStore(vertical, version);
      if (stored) return { manifest: stored, origin: 'store' };
      const key = `missing:${vertical}@${version}`;
      if (!warned.has(key)) {
        warned.add(key);
        log.warn('the manifest version this call ran on was never recorded; analysing it with the current manifest', {
          vertical, version, current: live?.version,
        });
      }
      return { manifest: current, origin: 'current' };
    },
  };
}
