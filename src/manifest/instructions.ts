/**
 * Resolves an agent's instructions to text: inline text, a prompt file under the vertical, or a
 * shared fragment from `agents/fragments/`, followed by every `include`d fragment.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { DocPath } from './problems.js';
import type { PathProblem } from './issues.js';
import { asList, asMap, asText } from './raw.js';

const FRAGMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export interface InstructionEnv {
  verticalDir: string;
  /** The repository-level `agents/` directory (fragments live in `agents/fragments/`). */
  agentsDir: string;
  /** How a path is shown in a message (relative to the working directory). */
  display(file: string): string;
}

export function fragmentFile(agentsDir: string, name: string): string {
  return join(agentsDir, 'fragments', name.endsWith('.md') ? name : `${name}.md`);
}

function readFile(file: string): string | undefined {
  try {
    return statSync(file).isFile() ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function loadFragment(name: string, at: DocPath, env: InstructionEnv, problems: PathProblem[]): string | undefined {
  if (!FRAGMENT_NAME.test(name)) {
    problems.push({ path: at, severity: 'error', message: `fragment name "${name}" must be a plain file name (letters, digits, "_", "-", ".")` });
    return undefined;
  }
  const file = fragmentFile(env.agentsDir, name);
  const text = readFile(file);
  if (text === undefined) {
    problems.push({ path: at, severity: 'error', message: `fragment "${name}" not found (${env.display(file)})` });
    return undefined;
  }
  if (text.trim() === '') {
    problems.push({ path: at, severity: 'error', message: `fragment "${name}" is empty (${env.display(file)})` });
    return undefined;
  }
  return text.trim();
}

/** The resolved text, or undefined when a piece is missing (the problem is recorded). */
export function resolveInstructions(agent: unknown, at: DocPath, env: InstructionEnv, problems: PathProblem[]): string | undefined {
  const spec = asMap(agent);
  if (!spec) return undefined;
  const source = spec.instructions;
  let base: string | undefined;
  const inline = asText(source);
  const sourceMap = asMap(source);
  if (inline !== undefined) {
    base = inline.trim();
  } else if (sourceMap && asText(sourceMap.file) !== undefined) {
    const rel = sourceMap.file as string;
    const file = resolve(env.verticalDir, rel);
    const inside = relative(env.verticalDir, file);
    if (isAbsolute(rel) || inside.startsWith('..') || isAbsolute(inside)) {
      problems.push({ path: [...at, 'instructions', 'file'], severity: 'error', message: `prompt file "${rel}" must be inside the vertical directory` });
    } else {
      const text = existsSync(file) ? readFile(file) : undefined;
      if (text === undefined) {
        problems.push({ path: [...at, 'instructions', 'file'], severity: 'error', message: `prompt file "${rel}" not found (${env.display(file)})` });
      } else if (text.trim() === '') {
        problems.push({ path: [...at, 'instructions', 'file'], severity: 'error', message: `prompt file "${rel}" is empty` });
      } else {
        base = text.trim();
      }
    }
  } else if (sourceMap && asText(sourceMap.fragment) !== undefined) {
    base = loadFragment(sourceMap.fragment as string, [...at, 'instructions', 'fragment'], env, problems);
  }
  const parts: (string | undefined)[] = [base];
  asList(spec.include).forEach((name, i) => {
    if (typeof name === 'string' && name.length > 0) parts.push(loadFragment(name, [...at, 'include', i], env, problems));
  });
  if (parts.some((p) => p === undefined)) return undefined;
  return (parts as string[]).join('\n\n');
}

/** A language's instruction overlay: inline text, or a file inside the vertical directory. */
export function resolveOverlay(source: unknown, at: DocPath, verticalDir: string, problems: PathProblem[]): string | undefined {
  const inline = asText(source);
  if (inline !== undefined) return inline.trim();
  const rel = asText(asMap(source)?.file);
  if (rel === undefined) return undefined;
  const file = resolve(verticalDir, rel);
  const inside = relative(verticalDir, file);
  if (isAbsolute(rel) || inside.startsWith('..') || isAbsolute(inside)) {
    problems.push({ path: [...at, 'file'], severity: 'error', message: `instructions file "${rel}" must be inside the vertical directory` });
    return undefined;
  }
  const text = existsSync(file) ? readFile(file)?.trim() : undefined;
  if (!text) problems.push({ path: [...at, 'file'], severity: 'error', message: `instructions file "${rel}" ${text === undefined ? 'not found' : 'is empty'}` });
  return text || undefined;
}
