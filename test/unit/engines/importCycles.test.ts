import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Every relative import (type-only included) of the .ts files under `dirs`, resolved to files. */
function importGraph(dirs: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) graph.set(path, []);
    }
  };
  dirs.forEach(walk);
  for (const [file, edges] of graph) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s+'(\.[^']+)\.js'/g)) {
      const target = resolve(dirname(file), `${m[1]}.ts`);
      if (graph.has(target)) edges.push(target);
    }
  }
  return graph;
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('module structure of the runtime and the engines', () => {
  const root = resolve(dirname(new URL(import.meta.url).pathname), '../../..');
  const dirs = [join(root, 'src/realtime'), join(root, 'src/engines')];

  it('has no import cycle in src/realtime or src/engines (type imports included)', () => {
    const cycle = findCycle(importGraph(dirs));
    expect(cycle?.map((f) => f.slice(root.length + 1))).toBeUndefined();
  });

  it('keeps the call session away from the SDK and the wire format', () => {
    for (const [file] of importGraph([join(root, 'src/realtime')])) {
      const text = readFileSync(file, 'utf8');
      expect({ file, sdk: /from '@openai\//.test(text), wire: /openai-realtime\//.test(text) }).toEqual({ file, sdk: false, wire: false });
    }
  });
});
