export * from './schema.js';
export * from './problems.js';
export { loadManifest, loadVerticals, requireValid, MANIFEST_FILE } from './load.js';
export type { LoadOptions, LoadedVertical, ManifestLoadResult, VerticalsLoadResult } from './load.js';
export { ISO_639_1, ISO_3166_1_ALPHA2, canonicalLanguageTag, isValidLanguageTag, languageTagProblem } from './languages.js';
export { fragmentFile } from './instructions.js';
export { parseYamlSource } from './yamlSource.js';
export type { YamlSource, YamlSourceError } from './yamlSource.js';
export * from './webhooks.js';
