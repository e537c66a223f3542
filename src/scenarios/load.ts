/**
 * Loading scenarios from YAML with `file:line path: message` problems, like manifests:
 * `verticals/salon/scenarios/booking.yaml:12 turns[1].agent[0]: a step does at most one of …`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import type { z } from 'zod';
import { AppError } from '../shared/index.js';
import { formatDocPath, parsePositionedYaml, type DocPath } from './yamlPositions.js';
import { scenarioSchema, type Scenario } from './schema.js';

export interface ScenarioProblem {
  file: string;
  line: number;
  path: string;
  message: string;
}

export function formatScenarioProblem(p: ScenarioProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return `${p.path ? `${where} ${p.path}` : where}: ${p.message}`;
}

export class ScenarioError extends AppError {
  readonly problems: ScenarioProblem[];
  constructor(problems: ScenarioProblem[]) {
    const first = problems[0];
    super('SCENARIO_INVALID', first ? `${formatScenarioProblem(first)}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}` : 'invalid scenario', {
      details: { problems: problems.length },
    });
    this.problems = problems;
  }
  format(): string {
    return this.problems.map(formatScenarioProblem).join('\n');
  }
}

export interface ParseScenarioOptions {
  /** File name used in problems (and to infer name/vertical when they are not in the YAML). */
  file?: string;
  vertical?: string;
  name?: string;
}

function issueProblems(issues: readonly z.core.$ZodIssue[], file: string, lineOf: (p: DocPath) => number): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ file, line: lineOf([...path, key]), path: formatDocPath([...path, key]), message: 'unknown key' });
      }
      continue;
    }
    out.push({ file, line: lineOf(path), path: formatDocPath(path), message: issue.message });
  }
  return out;
}

/** Infers `{ vertical, name }` from `…/verticals/<vertical>/scenarios/<name>.yaml`. */
export function scenarioIdentityFromPath(file: string): { vertical?: string; name: string } {
  const name = basename(file).replace(/\.ya?ml$/i, '');
  const dir = dirname(file);
  const vertical = basename(dir) === 'scenarios' ? basename(dirname(dir)) : undefined;
  return vertical ? { vertical, name } : { name };
}

/** Parses and validates one scenario. Throws `ScenarioError` listing every problem. */
export function parseScenario(text: string, options: ParseScenarioOptions = {}): Scenario {
  const file = options.file ?? '<scenario>';
  const src = parsePositionedYaml(text);
  if (src.errors.length > 0) {
    throw new ScenarioError(src.errors.map((e) => ({ file, line: e.line, path: '', message: `invalid YAML: ${e.message}` })));
  }
  const parsed = scenarioSchema.safeParse(src.data);
  if (!parsed.success) throw new ScenarioError(issueProblems(parsed.error.issues, file, src.lineOf));
  const spec = parsed.data;
  const fromPath = options.file ? scenarioIdentityFromPath(options.file) : { name: undefined, vertical: undefined };
  const name = spec.name ?? options.name ?? fromPath.name;
  const vertical = spec.vertical ?? options.vertical ?? fromPath.vertical;
  const problems: ScenarioProblem[] = [];
  if (!name) problems.push({ file, line: 1, path: 'name', message: 'a scenario needs a name (or a file name to take it from)' });
  if (!vertical) problems.push({ file, line: 1, path: 'vertical', message: 'a scenario needs a vertical (or to live in verticals/<id>/scenarios/)' });
  if (options.vertical && spec.vertical && spec.vertical !== options.vertical) {
    problems.push({ file, line: src.lineOf(['vertical']), path: 'vertical', message: `says "${spec.vertical}" but the file is under vertical "${options.vertical}"` });
  }
  if (spec.brain === 'scripted') {
    const scripted = spec.opening.length + spec.turns.reduce((n, t) => n + t.agent.length, 0);
    if (scripted === 0) problems.push({ file, line: src.lineOf(['turns']), path: 'turns', message: 'a scripted scenario needs at least one model step (opening or turns[].agent)' });
  }
  if (problems.length > 0 || !name || !vertical) throw new ScenarioError(problems);
  const scenario: Scenario = { ...spec, name, vertical, id: `${vertical}/${name}`, ...(options.file ? { file: options.file } : {}) };
  // Lines stay available to later checks (against a manifest) without showing up in the data.
  Object.defineProperty(scenario, 'lineOf', { value: src.lineOf, enumerable: false });
  return scenario;
}

/** Reads one scenario file; name and vertical default from its path. */
export async function loadScenarioFile(path: string, displayRoot = process.cwd()): Promise<Scenario> {
  const shown = relative(displayRoot, path) || path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScenarioError([{ file: shown, line: 0, path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  const identity = scenarioIdentityFromPath(path);
  return parseScenario(text, { file: shown, name: identity.name, ...(identity.vertical ? { vertical: identity.vertical } : {}) });
}

/** Scenarios by id (`salon/booking`). */
export class ScenarioLibrary {
  private readonly byId = new Map<string, Scenario>();

  constructor(scenarios: Iterable<Scenario> = []) {
    for (const s of scenarios) this.add(s);
  }

  add(scenario: Scenario): void {
    if (this.byId.has(scenario.id)) {
      throw new AppError('SCENARIO_DUPLICATE', `two scenarios are called ${scenario.id}`);
    }
    this.byId.set(scenario.id, scenario);
  }

  /** By id; a bare name works when it is unambiguous. */
  get(idOrName: string): Scenario | undefined {
    const exact = this.byId.get(idOrName);
    if (exact) return exact;
    const matches = [...this.byId.values()].filter((s) => s.name === idOrName);
    return matches.length === 1 ? matches[0] : undefined;
  }

  list(vertical?: string): Scenario[] {
    const all = [...this.byId.values()];
    return (vertical ? all.filter((s) => s.vertical === vertical) : all).sort((a, b) => a.id.localeCompare(b.id));
  }

  get size(): number {
    return this.byId.size;
  }
}

async function yamlFilesIn(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name)).map((e) => join(dir, e.name)).sort();
  } catch {
    return [];
  }
}

/**
 * Loads every `verticals/<id>/scenarios/*.yaml` under `verticalsDir` (or one vertical's when
 * `vertical` is given). All problems of all files are reported together.
 */
export async function loadScenarios(verticalsDir: string, options: { vertical?: string; displayRoot?: string } = {}): Promise<ScenarioLibrary> {
  let verticals: string[];
  if (options.vertical) {
    verticals = [options.vertical];
  } else {
    try {
      verticals = (await readdir(verticalsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch (err) {
      throw new AppError('SCENARIO_DIR', `cannot read ${verticalsDir}: ${(err as Error).message}`);
    }
  }
  const library = new ScenarioLibrary();
  const problems: ScenarioProblem[] = [];
  for (const v of verticals) {
    for (const file of await yamlFilesIn(join(verticalsDir, v, 'scenarios'))) {
      try {
        library.add(await loadScenarioFile(file, options.displayRoot));
      } catch (err) {
        if (err instanceof ScenarioError) problems.push(...err.problems);
        else throw err;
      }
    }
  }
  if (problems.length > 0) throw new ScenarioError(problems);
  return library;
}
