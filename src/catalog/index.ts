export { Catalog, createCatalog, makeSnapshot } from './catalog.js';
export type {
  CatalogEvent, CatalogEvents, CatalogOptions, CatalogReloadFailedEvent, CatalogSnapshot, CatalogSwappedEvent,
  ReloadResult, VersionChange,
} from './catalog.js';
export { compileVertical, compileVerticals, verticalVersion } from './compile.js';
export type { CompileOptions, CompileResult, CompiledVertical, EngineType } from './compile.js';
