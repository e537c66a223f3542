/**
 * zod validation problems as readable `path: message` lines (STYLE.md: problems are data with a
 * path; print them as lines). Structural on the issue shape, so this area needs no zod import.
 */
export interface IssueLike {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export interface FormatIssuesOptions {
  /** Names the whole value when an issue's path is empty ("body", "arguments"). Default `(root)`. */
  root?: string;
  /** Print at most this many issues (the first ones). Default: all. */
  limit?: number;
  /** Between issues. Default a newline: one issue per line. */
  separator?: string;
  /** Cut the text to this many characters, ending with `…`. */
  maxChars?: number;
}

/** `items.0.name`: the dotted path of an issue ('' for the root). */
export const issuePath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/** `items.0.name: Expected string`, or `<root>: message` when the path is empty. */
export const formatIssue = (issue: IssueLike, root = '(root)'): string => `${issuePath(issue.path) || root}: ${issue.message}`;

/** The issues as `path: message` lines; `<root>: invalid` for an empty list (never an empty string). */
export function formatIssues(issues: readonly IssueLike[], options: FormatIssuesOptions = {}): string {
  const root = options.root ?? '(root)';
  const shown = issues.slice(0, options.limit ?? issues.length);
  const text = shown.length ? shown.map((i) => formatIssue(i, root)).join(options.separator ?? '\n') : `${root}: invalid`;
  const max = options.maxChars;
  return max !== undefined && text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}
