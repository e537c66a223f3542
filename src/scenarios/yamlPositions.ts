/**
 * YAML parsed with node positions, so a scenario problem names its line. (src/manifest has the
 * same idea for manifests; this small copy keeps scenarios independent of its internals.)
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export type DocPath = readonly (string | number)[];

export interface PositionedYaml {
  data: unknown;
  errors: { line: number; message: string }[];
  /** Line of the node at `path`, or of its closest existing ancestor. */
  lineOf(path: DocPath): number;
}

function childOf(node: unknown, seg: string | number): Node | undefined {
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

export function parsePositionedYaml(text: string): PositionedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number | undefined): number => (offset === undefined ? 1 : Math.max(1, lineCounter.linePos(offset).line));
  const errors = doc.errors.map((e) => ({
    line: e.linePos?.[0]?.line ?? lineAt(e.pos[0]),
    message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
  }));
  let data: unknown;
  if (errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      errors.push({ line: 1, message: (err as Error).message });
    }
  }
  const lineOf = (path: DocPath): number => {
    let node: Node | undefined = (doc.contents ?? undefined) as Node | undefined;
    let found = node;
    for (const seg of path) {
      node = childOf(node, seg);
      if (!node) break;
      found = node;
    }
    return lineAt(found?.range?.[0]);
  };
  return { data, errors, lineOf };
}

/** `['turns', 2, 'agent', 0]` → `turns[2].agent[0]`. */
export function formatDocPath(path: DocPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}
