/**
 * Manifest problems are data: each names the file, the line, the path inside the document
 * (`agents[2].handoffs[0]`) and a message, and prints as one line an operator can jump to:
 * `verticals/salon/vertical.yaml:14 agents[2].handoffs[0]: unknown agent "billing"`.
 */
import { AppError } from '../shared/index.js';

export type ProblemSeverity = 'error' | 'warning';

export interface ManifestProblem {
  /** Path shown to people: relative to the working directory. */
  file: string;
  /** 1-based; 0 when the problem has no place in the file (e.g. it cannot be read). */
  line: number;
  /** `a.b[2].c`; empty for the document as a whole. */
  path: string;
  message: string;
  severity: ProblemSeverity;
}

/** A path inside a YAML document as segments: keys and array indexes. */
export type DocPath = readonly (string | number)[];

/** `['agents', 2, 'handoffs', 0]` → `agents[2].handoffs[0]`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** One line: `file:line path: message`, warnings marked as such. */
export function formatProblem(p: ManifestProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  const head = p.path === '' ? where : `${where} ${p.path}`;
  return `${head}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

export function hasErrors(problems: readonly ManifestProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Stable order: by file, then line, then path; errors before warnings on the same spot. */
export function sortProblems(problems: readonly ManifestProblem[]): ManifestProblem[] {
  return [...problems].sort((a, b) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.path.localeCompare(b.path)
    || (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1) || a.message.localeCompare(b.message));
}

/** Thrown when a manifest (or a set of them) cannot serve calls; carries every problem found. */
export class ManifestError extends AppError {
  readonly problems: ManifestProblem[];

  constructor(problems: readonly ManifestProblem[], options: { cause?: unknown } = {}) {
    const sorted = sortProblems(problems);
    const errors = sorted.filter((p) => p.severity === 'error');
    const first = errors[0] ?? sorted[0];
    const summary = first
      ? `${formatProblem(first)}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`
      : 'invalid manifest';
    super('MANIFEST_INVALID', summary, { ...options, details: { errors: errors.length, problems: sorted.length } });
    this.problems = sorted;
  }

  /** Every problem, one line each. */
  format(): string {
    return this.problems.map(formatProblem).join('\n');
  }
}
