/**
 * Reads the import graph of TypeScript sources: every `import`/`export ... from`, `import type`,
 * `import x = require()` and `import('literal')`, with its line, resolved to a file when relative.
 * Works on an in-memory set of files so the checker can be tested on small fixtures.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

export interface ImportRef {
  /** Repository-relative path with forward slashes, e.g. `src/realtime/callSession.ts`. */
  from: string;
  /** 1-based line of the import. */
  line: number;
  specifier: string;
  typeOnly: boolean;
  /** The imported file (repository-relative) when the specifier is relative and resolves. */
  resolved?: string;
}

/** Path → source text, repository-relative paths with forward slashes. */
export type SourceTree = ReadonlyMap<string, string>;

/** The module specifiers `text` imports, in source order. */
export function extractImports(fileName: string, text: string): Omit<ImportRef, 'from' | 'resolved'>[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: Omit<ImportRef, 'from' | 'resolved'>[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined, typeOnly: boolean): void => {
    if (!literal || !ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ line, specifier: literal.text, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const typeOnly = !!clause && (clause.isTypeOnly || allNamedTypeOnly(clause.namedBindings, !!clause.name));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      const typeOnly = node.isTypeOnly
        || (!!node.exportClause && ts.isNamedExports(node.exportClause)
          && node.exportClause.elements.length > 0 && node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      // `typeof import('./x.js')` in a type position
      add(node, node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function allNamedTypeOnly(bindings: ts.NamedImportBindings | undefined, hasDefault: boolean): boolean {
  if (hasDefault || !bindings || !ts.isNamedImports(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/**
 * Resolves a relative specifier the way NodeNext + our jest mapper do: `./x.js` → `x.ts`, then
 * `x.d.ts`, `x/index.ts`; a path with another extension (`.json`) stays as written.
 */
export function resolveSpecifier(fromFile: string, specifier: string, exists: (path: string) => boolean): string | undefined {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  const stem = base.replace(/\.(js|ts|mjs|cjs)$/, '');
  const candidates = [`${stem}.ts`, `${stem}.d.ts`, `${stem}/index.ts`, base];
  return candidates.find(exists);
}

/** Every import of every file in `tree`, relative ones resolved against the tree. */
export function importsOf(tree: SourceTree): ImportRef[] {
  const exists = (p: string): boolean => tree.has(p);
  const refs: ImportRef[] = [];
  for (const [from, text] of tree) {
    for (const ref of extractImports(from, text)) {
      const resolved = resolveSpecifier(from, ref.specifier, exists);
      refs.push({ from, ...ref, ...(resolved ? { resolved } : {}) });
    }
  }
  return refs;
}

/** The `.ts` files under each of `dirs` (relative to `root`), as a SourceTree. */
export function readTree(root: string, dirs: readonly string[]): Map<string, string> {
  const tree = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts')) tree.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  for (const dir of dirs) walk(join(root, dir));
  return tree;
}

/**
 * One cycle (as a closed file chain, first file repeated at the end) per strongly connected
 * component of the graph that has more than one file or a file importing itself.
 */
export function findCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  // Iterative Tarjan: the src graph is small, but recursion depth should not depend on it.
  const nodes = [...new Set([...edges.keys(), ...[...edges.values()].flatMap((s) => [...s])])].sort();
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; targets: string[]; i: number }[] = [];
    const open = (node: string): void => {
      index.set(node, next); low.set(node, next); next++;
      stack.push(node); onStack.add(node);
      work.push({ node, targets: [...(edges.get(node) ?? [])].sort(), i: 0 });
    };
    open(start);
    while (work.length) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.targets.length) {
        const target = frame.targets[frame.i++]!;
        if (!index.has(target)) open(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  const cycles: string[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const first = [...component].sort()[0]!;
    if (component.length === 1 && !edges.get(first)?.has(first)) continue;
    cycles.push(shortestCycleThrough(first, members, edges));
  }
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** Breadth-first from `start` back to itself inside one component: the shortest chain to report. */
function shortestCycleThrough(start: string, members: ReadonlySet<string>, edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const target of [...(edges.get(node) ?? [])].sort()) {
      if (!members.has(target)) continue;
      if (target === start) {
        const chain = [node];
        while (chain[0] !== start) chain.unshift(previous.get(chain[0]!)!);
        return [...chain, start];
      }
      if (!previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
