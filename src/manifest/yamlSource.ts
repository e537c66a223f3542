/**
 * YAML with positions: parse a manifest keeping node ranges so every problem can name the line
 * it is about. `lineOf(path)` finds the closest node that exists for a path (a missing key is
 * reported on the line of the mapping that should hold it).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { DocPath } from './problems.js';

export interface YamlSourceError {
  line: number;
  message: string;
}

export interface YamlSource {
  /** Plain data, or undefined when the text is not valid YAML. */
  data: unknown;
  errors: YamlSourceError[];
  /** The line of the node at `path` (or of its closest existing ancestor). */
  lineOf(path: DocPath): number;
  /** The line of a mapping key (for "unknown key" problems); falls back to `lineOf(path)`. */
  lineOfKey(path: DocPath, key: string): number;
}

/** `Map keys must be unique at line 6, column 1:\n\n...` → `Map keys must be unique`. */
function shortYamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
}

function child(node: unknown, seg: string | number): Node | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(key) === String(seg)) return (pair.value ?? pair.key) as Node | undefined;
    }
    return undefined;
  }
  if (isSeq(node) && typeof seg === 'number') return node.items[seg] as Node | undefined;
  return undefined;
}

function keyNode(node: unknown, key: string): Node | undefined {
  if (!isMap(node)) return undefined;
  for (const pair of node.items) {
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (String(k) === key) return pair.key as Node;
  }
  return undefined;
}

export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, keepSourceTokens: true, prettyErrors: false });
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : Math.max(1, lineCounter.linePos(offset).line));

  const errors: YamlSourceError[] = doc.errors.map((e) => ({
    line: e.linePos?.[0]?.line ?? lineAt(e.pos[0]),
    message: shortYamlMessage(e.message),
  }));

  const walk = (path: DocPath): Node | undefined => {
    let node: Node | undefined = doc.contents ?? undefined;
    let found = node;
    for (const seg of path) {
      node = child(node, seg);
      if (!node) break;
      found = node;
    }
    return found;
  };

  const lineOf = (path: DocPath): number => lineAt(walk(path)?.range?.[0]);
  const lineOfKey = (path: DocPath, key: string): number => {
    const k = keyNode(walk(path), key);
    return k?.range ? lineAt(k.range[0]) : lineOf(path);
  };

  let data: unknown;
  if (errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      errors.push({ line: 1, message: (err as Error).message });
    }
  }
  return { data, errors, lineOf, lineOfKey };
}
