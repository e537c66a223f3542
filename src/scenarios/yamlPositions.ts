/**
 * YAML parsed with node positions, so a scenario problem names its line: the manifest loader's
 * parser and path format, under the names the scenario code uses.
 */
export { parseYamlSource as parsePositionedYaml, type YamlSource as PositionedYaml } from '../manifest/index.js';
export { formatPath as formatDocPath, type DocPath } from '../manifest/index.js';
