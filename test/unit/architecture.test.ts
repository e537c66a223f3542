/**
 * The map enforced: every import under src/ and tools/ is held to the area rules of ARCHITECTURE.md
 * (encoded in test/architecture/rules.ts), cross-area imports go through the target's index.ts,
 * there is no import cycle, and the package rules hold. The checker itself is tested first on
 * small in-memory trees, so each rule is shown to catch what it claims to.
 */
import { fileURLToPath } from 'node:url';
import { extractImports, importsOf, readTree, resolveSpecifier } from '../architecture/imports.js';
import { AREA_RULES, RULES, checkArchitecture, ruleCycles, type Violation } from '../architecture/rules.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const check = (files: Record<string, string>): string[] =>
  checkArchitecture(importsOf(new Map(Object.entries(files)))).map((v) => v.message);

describe('the import checker', () => {
  it('reads static, type-only, re-export, dynamic and require imports with their lines', () => {
    const found = extractImports('src/a/x.ts', [
      "import { a } from './a.js';",
      "import type { B } from '../b/index.js';",
      "import { type C, type D } from '../c/index.js';",
      "export { e } from './e.js';",
      "export type { F } from './f.js';",
      'const g = await import(\'./g.js\');',
      "type H = typeof import('./h.js');",
      "import i = require('./i.js');",
      'const notAnImport = `import x from "./nope.js"`;',
    ].join('\n'));
    expect(found).toEqual([
      { line: 1, specifier: './a.js', typeOnly: false },
      { line: 2, specifier: '../b/index.js', typeOnly: true },
      { line: 3, specifier: '../c/index.js', typeOnly: true },
      { line: 4, specifier: './e.js', typeOnly: false },
      { line: 5, specifier: './f.js', typeOnly: true },
      { line: 6, specifier: './g.js', typeOnly: false },
      { line: 7, specifier: './h.js', typeOnly: true },
      { line: 8, specifier: './i.js', typeOnly: false },
    ]);
  });

  it('resolves .js specifiers to .ts files and folders to their index.ts', () => {
    const files = new Set(['src/store/index.ts', 'src/store/types.ts', 'src/audio/speex.d.ts']);
    const exists = (p: string): boolean => files.has(p);
    expect(resolveSpecifier('src/toolkit/types.ts', '../store/types.js', exists)).toBe('src/store/types.ts');
    expect(resolveSpecifier('src/toolkit/types.ts', '../store', exists)).toBe('src/store/index.ts');
    expect(resolveSpecifier('src/audio/x.ts', './speex.js', exists)).toBe('src/audio/speex.d.ts');
    expect(resolveSpecifier('src/toolkit/types.ts', 'zod', exists)).toBeUndefined();
  });

  it('lets an area import an allowed area through its index.ts, and itself freely', () => {
    expect(check({
      'src/realtime/callSession.ts': "import { x } from '../engines/index.js';\nimport { y } from './parts/deep.js';",
      'src/realtime/parts/deep.ts': "import { AppError } from '../../shared/index.js';",
      'src/engines/index.ts': 'export const x = 1;',
      'src/shared/index.ts': 'export class AppError {}',
    })).toEqual([]);
  });

  it('names the file, line and import of a forbidden area edge', () => {
    expect(check({
      'src/telephony/twilio.ts': "\n\nimport type { Session } from '../realtime/index.js';",
      'src/realtime/index.ts': 'export type Session = {};',
    })).toEqual([
      'src/telephony/twilio.ts:3 imports src/realtime/index.ts: telephony may not import realtime (telephony may import: audio, observability, shared)',
    ]);
  });

  it('refuses a deep import into another area', () => {
    expect(check({
      'src/realtime/callSession.ts': Array(9).fill('').join('\n') + "\nimport { openai } from '../engines/openai.js';",
      'src/engines/openai.ts': 'export const openai = 1;',
      'src/engines/index.ts': "export * from './openai.js';",
    })).toEqual([
      'src/realtime/callSession.ts:10 imports src/engines/openai.ts: realtime may import engines only through src/engines/index.ts',
    ]);
  });

  it('reports a 3-file cycle as its file chain, type-only imports included', () => {
    expect(check({
      'src/store/a.ts': "import { b } from './b.js';",
      'src/store/b.ts': "import type { C } from './c.js';",
      'src/store/c.ts': "import { a } from './a.js';",
    })).toEqual(['import cycle: src/store/a.ts -> src/store/b.ts -> src/store/c.ts -> src/store/a.ts']);
  });

  it('keeps shared free of every other area', () => {
    expect(check({
      'src/shared/errors.ts': "import { log } from '../observability/index.js';",
      'src/observability/index.ts': 'export const log = 1;',
    })).toEqual([
      'src/shared/errors.ts:1 imports src/observability/index.ts: shared may not import observability (shared may import: nothing)',
    ]);
  });

  it('holds the package rules: drivers, queues and model SDKs stay in their areas', () => {
    expect(check({
      'src/telephony/carrier.ts': "import { tool } from '@openai/agents';",
      'src/analysis/worker.ts': "import { Queue } from 'bullmq';\nimport pg from 'pg';",
      'src/realtime/queue.ts': "import { Queue } from 'bullmq';",
      'src/store/db.ts': "import pg from 'pg';\nimport { PGlite } from '@electric-sql/pglite';",
      'src/manifest/schema.ts': "import { readFileSync } from 'node:fs';",
      'src/manifest/checks.ts': "import { readFileSync } from 'fs';",
      'src/manifest/load.ts': "import { readFileSync } from 'node:fs';",
    })).toEqual([
      'src/telephony/carrier.ts:1 imports @openai/agents: a carrier never talks to a model SDK',
      'src/analysis/worker.ts:2 imports pg: only src/store imports a database driver (tools reach the database through ToolContext.db)',
      'src/realtime/queue.ts:1 imports bullmq: only src/analysis imports bullmq',
      'src/manifest/schema.ts:1 imports node:fs: a manifest is pure data: only its loader (load.ts, instructions.ts) reads files',
      'src/manifest/checks.ts:1 imports fs: a manifest is pure data: only its loader (load.ts, instructions.ts) reads files',
    ]);
  });

  it('lets tools/ reach the framework only through the toolkit (and shared, observability), never store or pg', () => {
    expect(check({
      'tools/salon/book.ts': [
        "import { defineTool, type Db } from '../../src/toolkit/index.js';",
        "import type { Queryable } from '../../src/store/index.js';",
        "import type { ToolContext } from '../../src/toolkit/types.js';",
        "import pg from 'pg';",
        "import { phone } from '../common/phone.js';",
      ].join('\n'),
      'tools/common/phone.ts': 'export const phone = 1;',
      'src/toolkit/index.ts': 'export {};',
      'src/toolkit/types.ts': 'export {};',
      'src/store/index.ts': 'export {};',
    })).toEqual([
      'tools/salon/book.ts:2 imports src/store/index.ts: tools/ may import only toolkit, shared, observability from src (the database only through ToolContext)',
      'tools/salon/book.ts:3 imports src/toolkit/types.ts: tools/ may import toolkit only through src/toolkit/index.ts',
      'tools/salon/book.ts:4 imports pg: only src/store imports a database driver (tools reach the database through ToolContext.db)',
    ]);
  });

  it('lets only composition roots load the tool registry, and flags areas with no rules', () => {
    expect(check({
      'src/cli/worker.ts': "import { registry } from '../../tools/index.js';",
      'src/realtime/x.ts': "import { registry } from '../../tools/index.js';",
      'src/brandnew/x.ts': "import { y } from '../store/index.js';",
      'src/store/index.ts': 'export const y = 1;',
      'tools/index.ts': 'export const registry = 1;',
    })).toEqual([
      'src/realtime/x.ts:1 imports tools/index.ts: src/ reaches outside itself only for the tool registry (tools/index.ts), from bin or cli',
      'src/brandnew/x.ts:1 imports src/store/index.ts: src/brandnew has no entry in the architecture rules (decide what it may import)',
    ]);
  });
});

describe('the architecture of src/ and tools/', () => {
  const tree = readTree(ROOT, ['src', 'tools']);
  const violations: Violation[] = checkArchitecture(importsOf(tree));
  const report = (list: Violation[]): string => list.map((v) => v.message).join('\n');

  it('has rules for every area under src/', () => {
    const areas = new Set([...tree.keys()].filter((p) => p.startsWith('src/')).map((p) => p.split('/')[1]!));
    expect([...areas].filter((a) => a.includes('.') || !(a in AREA_RULES))).toEqual([]);
  });

  it('has rules whose dependencies point down (no cycle among areas)', () => {
    expect(ruleCycles(RULES)).toEqual([]);
  });

  it('follows the area rules, the index.ts rule, the package rules and has no import cycle', () => {
    expect(report(violations)).toBe('');
  });
});
