/**
 * Loads vertical manifests: YAML with positions → schema → cross-checks, collecting every
 * problem of every file with its line. A manifest with errors never becomes a LoadedVertical;
 * warnings are reported but do not stop it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { ToolRegistry } from '../toolkit/index.js';
import { crossCheck } from './checks.js';
import { issuesToProblems, type PathProblem } from './issues.js';
import { formatPath, hasErrors, ManifestError, sortProblems, type ManifestProblem } from './problems.js';
import { asMap, textItems } from './raw.js';
import { manifestSchema, type Manifest } from './schema.js';
import { parseYamlSource, type YamlSource } from './yamlSource.js';

export const MANIFEST_FILE = 'vertical.yaml';

export interface LoadOptions {
  /** Tool names are checked against it. */
  registry: Pick<ToolRegistry, 'has'>;
  /** The repository-level `agents/` directory (shared fragments in `agents/fragments/`). */
  agentsDir: string;
  /** Problems name files relative to this directory; defaults to process.cwd(). */
  cwd?: string;
  /**
   * Whether this build runs the cascade engine. Given, a cascade manifest is checked against it
   * (`engine.type`: a warning with `fallback: realtime`, an error with `none`); undefined, not checked.
   */
  cascadeAvailable?: boolean;
  /** Where webhook secrets (`env:NAME`) are looked up: a missing one is a warning. Defaults to process.env; `null` skips the check. */
  secretsEnv?: Readonly<Record<string, string | undefined>> | null;
}

export interface LoadedVertical {
  manifest: Manifest;
  /** Absolute directory of the vertical. */
  dir: string;
  /** Absolute path of its vertical.yaml. */
  file: string;
  /** Resolved instructions by agent name: the instructions text plus every included fragment. */
  instructions: Map<string, string>;
  /** Resolved per-language instruction overlays (see languageOverlay). */
  languageInstructions: Map<string, string>;
  /** The manifest's raw text (for hashing a version). */
  source: string;
}

export interface ManifestLoadResult {
  /** Present when the manifest has no errors (it may have warnings). */
  vertical: LoadedVertical | undefined;
  problems: ManifestProblem[];
}

export interface VerticalsLoadResult {
  /** Every vertical without errors, by directory name order. */
  verticals: LoadedVertical[];
  problems: ManifestProblem[];
}

interface ParsedFile extends ManifestLoadResult {
  display: string;
  yaml: YamlSource | undefined;
  data: Record<string, unknown> | undefined;
}

function displayPath(file: string, cwd: string): string {
  return relative(cwd, file) || file;
}

function parseFile(file: string, options: LoadOptions): ParsedFile {
  const cwd = options.cwd ?? process.cwd();
  const abs = resolve(cwd, file);
  const display = displayPath(abs, cwd);
  const problem = (line: number, path: string, message: string, severity: 'error' | 'warning' = 'error'): ManifestProblem =>
    ({ file: display, line, path, message, severity });
  const fail = (p: ManifestProblem): ParsedFile => ({ vertical: undefined, problems: [p], display, yaml: undefined, data: undefined });

  let source: string;
  try {
    source = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(problem(0, '', code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? (err as Error).message})`));
  }
  const yaml = parseYamlSource(source);
  if (yaml.errors.length > 0) {
    return { vertical: undefined, display, yaml, data: undefined, problems: yaml.errors.map((e) => problem(e.line, '', `invalid YAML: ${e.message}`)) };
  }
  const data = asMap(yaml.data);
  if (!data) return { ...fail(problem(1, '', 'must be a mapping (key: value) at the top level')), yaml };

  const pathProblems: PathProblem[] = [];
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) pathProblems.push(...issuesToProblems(parsed.error.issues, data, manifestSchema));
  const dir = dirname(abs);
  const checked = crossCheck(data, {
    registry: options.registry,
    verticalDir: dir,
    agentsDir: resolve(cwd, options.agentsDir),
    display: (f) => displayPath(f, cwd),
    cascadeAvailable: options.cascadeAvailable,
    secretsEnv: options.secretsEnv === null ? undefined : options.secretsEnv ?? process.env,
  });
  pathProblems.push(...checked.problems);

  const problems = pathProblems.map((p) => {
    const path = p.key === undefined ? p.path : [...p.path, p.key];
    const line = p.key === undefined ? yaml.lineOf(p.path) : yaml.lineOfKey(p.path, p.key);
    return problem(line, formatPath(path), p.message, p.severity);
  });
  const vertical = parsed.success && !hasErrors(problems)
    ? { manifest: parsed.data, dir, file: abs, instructions: checked.instructions, languageInstructions: checked.languageInstructions, source }
    : undefined;
  return { vertical, problems: sortProblems(problems), display, yaml, data };
}

/** Loads and checks one `vertical.yaml`. Numbers claimed by other verticals are checked by loadVerticals. */
export function loadManifest(file: string, options: LoadOptions): ManifestLoadResult {
  const { vertical, problems } = parseFile(file, options);
  return { vertical, problems };
}

/** Every `<dir>/<id>/vertical.yaml`, checked one by one and then across each other (phone numbers). */
export function loadVerticals(dir: string, options: LoadOptions): VerticalsLoadResult {
  const cwd = options.cwd ?? process.cwd();
  const root = resolve(cwd, dir);
  const display = displayPath(root, cwd);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    return { verticals: [], problems: [{ file: display, line: 0, path: '', message: 'verticals directory not found', severity: 'error' }] };
  }
  const files: ParsedFile[] = [];
  const problems: ManifestProblem[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
    const file = join(root, entry.name, MANIFEST_FILE);
    if (!existsSync(file)) {
      problems.push({ file: displayPath(join(root, entry.name), cwd), line: 0, path: '', message: `no ${MANIFEST_FILE} in this directory`, severity: 'warning' });
      continue;
    }
    files.push(parseFile(file, { ...options, cwd }));
  }

  // A number rings exactly one vertical: every claimant of a shared number gets an error.
  const claims = new Map<string, { parsed: ParsedFile; index: number; id: string }[]>();
  for (const parsed of files) {
    if (!parsed.data) continue;
    const id = typeof parsed.data.id === 'string' ? parsed.data.id : parsed.display;
    for (const [number, index] of textItems(parsed.data.numbers)) {
      const list = claims.get(number) ?? [];
      if (!list.some((c) => c.parsed === parsed)) list.push({ parsed, index, id });
      claims.set(number, list);
    }
  }
  for (const [number, list] of claims) {
    if (list.length < 2) continue;
    for (const claim of list) {
      const others = list.filter((c) => c !== claim).map((c) => `"${c.id}" (${c.parsed.display}:${c.parsed.yaml?.lineOf(['numbers', c.index]) ?? 0})`);
      claim.parsed.problems.push({
        file: claim.parsed.display, line: claim.parsed.yaml?.lineOf(['numbers', claim.index]) ?? 0, path: `numbers[${claim.index}]`,
        severity: 'error', message: `"${number}" is also claimed by vertical ${others.join(', ')}`,
      });
      claim.parsed.vertical = undefined;
    }
  }

  const verticals: LoadedVertical[] = [];
  for (const parsed of files) {
    problems.push(...parsed.problems);
    if (parsed.vertical) verticals.push(parsed.vertical);
  }
  return { verticals, problems: sortProblems(problems) };
}

/** The verticals, or a ManifestError carrying every problem when any is an error. */
export function requireValid(result: VerticalsLoadResult): LoadedVertical[] {
  if (hasErrors(result.problems)) throw new ManifestError(result.problems);
  return result.verticals;
}
