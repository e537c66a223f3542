export { Catalog, createCatalog, makeSnapshot } from './catalog.js';
export type {
  CatalogEvent, CatalogEvents, CatalogOptions, CatalogReloadFailedEvent, CatalogRoutedEvent, CatalogSnapshot, CatalogSwappedEvent,
  BeforeSwap, ReloadResult, VersionChange,
} from './catalog.js';
export { compileVertical, compileVerticals, verticalVersion } from './compile.js';
export type { CompileOptions, CompileResult, CompiledVertical, EngineType } from './compile.js';
export { canaryBucket, effectiveNumbers, pickVersion, routeAnswers, EMPTY_ROUTING } from './routing.js';
export type { CanaryRoute, NumberRoute, NumberSource, RoutingState } from './routing.js';
export { compileCandidate, materializeCandidate, readCandidateFiles, CANDIDATE_MAX_FILE_BYTES, CANDIDATE_MAX_TOTAL_BYTES } from './candidate.js';
export type { CandidateFiles, CandidateResult } from './candidate.js';
export { startRoutingSync, DEFAULT_ROUTING_REFRESH_MS } from './routingSync.js';
export type { CanaryRow, ChangeSignal, RoutingRows, RoutingSync, RoutingSyncOptions } from './routingSync.js';
