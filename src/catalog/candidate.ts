/**
 * A canary's candidate: one vertical folder compiled beside the live catalog. The operator's
 * folder is checked exactly like `validate` checks it and read into a snapshot of its files;
 * every gateway compiles that snapshot (written to a private temporary folder) and must arrive
 * at the same version, so all of them serve the same bytes without sharing a filesystem.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { loadManifest, MANIFEST_FILE, sortProblems, type ManifestProblem } from '../manifest/index.js';
import { AppError } from '../shared/index.js';
import { compileVertical, type CompileOptions, type CompiledVertical } from './compile.js';

/** One file may be this large, the whole folder ten times that (prompts and knowledge are text). */
export const CANDIDATE_MAX_FILE_BYTES = 1024 * 1024;
export const CANDIDATE_MAX_TOTAL_BYTES = 10 * CANDIDATE_MAX_FILE_BYTES;

export type CandidateFiles = Record<string, string>;

export interface CandidateResult {
  /** Present only when the folder compiles without error and is the expected vertical. */
  vertical: CompiledVertical | undefined;
  problems: ManifestProblem[];
}

/**
 * Compiles the vertical folder `dir` (holding vertical.yaml) as a candidate for `expectedId`.
 * Problems read `file:line path: message` like `switchboard validate`.
 */
export function compileCandidate(dir: string, expectedId: string, options: CompileOptions): CandidateResult {
  const cwd = options.cwd ?? process.cwd();
  const file = join(resolve(cwd, dir), MANIFEST_FILE);
  const loaded = loadManifest(file, {
    registry: options.registry, agentsDir: options.agentsDir, cascadeAvailable: options.cascadeAvailable ?? true, cwd,
  });
  const problems = [...loaded.problems];
  const display = relative(cwd, file) || file;
  if (loaded.vertical && loaded.vertical.manifest.id !== expectedId) {
    problems.push({ file: display, line: 1, path: 'id', severity: 'error', message: `the candidate is vertical "${loaded.vertical.manifest.id}", not "${expectedId}"` });
  }
  if (!loaded.vertical || problems.some((p) => p.severity === 'error')) return { vertical: undefined, problems: sortProblems(problems) };
  try {
    return { vertical: compileVertical(loaded.vertical, options), problems: sortProblems(problems) };
  } catch (err) {
    problems.push({ file: display, line: 0, path: '', severity: 'error', message: `cannot build the agent graph: ${(err as Error).message}` });
    return { vertical: undefined, problems: sortProblems(problems) };
  }
}

/** Every file under `dir` (dot-files and folders skipped) as relative path → UTF-8 text. */
export function readCandidateFiles(dir: string): CandidateFiles {
  const root = resolve(dir);
  const files: CandidateFiles = {};
  let total = 0;
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.')) continue;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const size = statSync(path).size;
        const rel = relative(root, path).split(sep).join('/');
        if (size > CANDIDATE_MAX_FILE_BYTES) throw new AppError('CANARY_CANDIDATE_TOO_LARGE', `${rel} is ${size} bytes; a candidate file may have ${CANDIDATE_MAX_FILE_BYTES}`);
        total += size;
        if (total > CANDIDATE_MAX_TOTAL_BYTES) throw new AppError('CANARY_CANDIDATE_TOO_LARGE', `the candidate folder is over ${CANDIDATE_MAX_TOTAL_BYTES} bytes`);
        files[rel] = readFileSync(path, 'utf8');
      }
    }
  };
  walk(root);
  return files;
}

/** A snapshot written out to a fresh private folder `<tmp>/<id>/`; `remove` deletes it. */
export function materializeCandidate(id: string, files: CandidateFiles): { dir: string; remove(): void } {
  const base = mkdtempSync(join(tmpdir(), 'switchboard-canary-'));
  const dir = join(base, id);
  for (const [rel, text] of Object.entries(files)) {
    const path = resolve(dir, rel);
    // A snapshot comes from our own table, but a path never leaves its folder.
    if (!path.startsWith(dir + sep)) throw new AppError('CANARY_BAD_SNAPSHOT', `candidate file ${JSON.stringify(rel)} is outside its folder`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  return { dir, remove: () => rmSync(base, { recursive: true, force: true }) };
}
