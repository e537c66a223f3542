/** Scenarios: scripted calls that drive the emulator's model side and the call simulator's caller side. */
export * from './schema.js';
export * from './load.js';
export * from './check.js';
export { parsePositionedYaml, formatDocPath, type DocPath } from './yamlPositions.js';
export * from './evaluate.js';
