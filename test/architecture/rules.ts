/**
 * The map in /work/shared/ARCHITECTURE.md ("Inside src/") as data, and the checker that holds the
 * import graph to it. Each rule here is one the map states or one we decided and wrote down
 * (see the comments); the README "Layout" table carries the same area allowances.
 */
import { findCycles, type ImportRef } from './imports.js';

/** Every area may use these (besides itself) — except the ones listed in NO_IMPLICIT. */
export const IMPLICIT_AREAS = [
  // errors with codes, ids, time, the Db and tool-audit contracts: the framework's vocabulary
  'shared',
  // logging and metrics are cross-cutting; observability itself depends on shared only
  'observability',
] as const;

/** Areas that get no implicit allowance: `shared` imports nothing; observability takes shared only. */
export const NO_IMPLICIT: Readonly<Record<string, readonly string[]>> = {
  shared: [],
  observability: ['shared'],
};

/**
 * Area (top-level folder under src/) → the other areas it may import, besides IMPLICIT_AREAS.
 * `'*'` is a composition root. The map's table, plus edges the code needs that point down:
 * - `config` is not implicit: it is a leaf (shared only), but only the areas that assemble behaviour
 *   from settings (cli, realtime, engines, analysis) read AppConfig; lower ones take parameters.
 * - manifest → toolkit: a manifest is checked against the tool registry (ToolRegistry type).
 * - store → manifest: a vertical's storage (schema name, database env var) comes from its manifest.
 * - analysis → manifest: the vertical's analysis schema; catalog → toolkit: compiles with the registry.
 * - realtime/engines → manifest, scenarios, audio, catalog, toolkit, config: all below them.
 * - `scenarios` (scenario files) sits on manifest; `simulator` (the Twilio caller) on telephony,
 *   audio, scenarios, manifest and store (it reads the stored call back to check it).
 * - cli is the ops composition root for its commands (worker, emulator, simulate), so it reaches
 *   the areas those commands start; it never needs realtime or bin.
 */
export const AREA_RULES: Readonly<Record<string, '*' | readonly string[]>> = {
  bin: '*',
  cli: ['server', 'store', 'manifest', 'catalog', 'analysis', 'config', 'engines', 'scenarios', 'simulator', 'telephony', 'toolkit'],
  server: ['realtime', 'analysis', 'store', 'catalog', 'telephony', 'manifest'],
  realtime: ['telephony', 'orchestration', 'engines', 'store', 'audio', 'catalog', 'config', 'manifest', 'scenarios', 'toolkit'],
  engines: ['audio', 'orchestration', 'config', 'manifest', 'scenarios', 'toolkit'],
  analysis: ['store', 'manifest', 'config'],
  simulator: ['telephony', 'audio', 'scenarios', 'manifest', 'store'],
  catalog: ['manifest', 'orchestration', 'toolkit'],
  orchestration: ['manifest', 'toolkit'],
  scenarios: ['manifest'],
  telephony: ['audio'],
  store: ['manifest'],
  manifest: ['toolkit'],
  audio: [],
  toolkit: [],
  config: [],
  observability: [],
  shared: [],
};

/** `tools/` (outside src) sees the framework through these areas only — never store or a driver. */
export const TOOLS_MAY_IMPORT = ['toolkit', 'shared', 'observability'] as const;

/** Only composition roots load the tool registry; they reach it through `tools/index.ts`. */
export const TOOL_REGISTRY_IMPORTERS = ['bin', 'cli'] as const;

export interface PackageRule {
  /** Exact names, or prefixes ending in `/` (`@openai/`). `node:` built-ins are written with the prefix. */
  packages: readonly string[];
  /** The rule holds for files whose path starts with one of these... */
  appliesTo: readonly string[];
  /** ...except these paths (exact files or folders ending in `/`). */
  except?: readonly string[];
  why: string;
}

export const PACKAGE_RULES: readonly PackageRule[] = [
  {
    packages: ['pg', '@electric-sql/pglite'], appliesTo: ['src/', 'tools/'], except: ['src/store/'],
    why: 'only src/store imports a database driver (tools reach the database through ToolContext.db)',
  },
  { packages: ['bullmq'], appliesTo: ['src/', 'tools/'], except: ['src/analysis/'], why: 'only src/analysis imports bullmq' },
  { packages: ['@openai/', 'openai'], appliesTo: ['src/telephony/'], why: 'a carrier never talks to a model SDK' },
  {
    packages: ['@openai/', 'openai', 'ws'], appliesTo: ['src/realtime/'],
    why: 'the call session speaks only to a ModelSession (src/engines) and a carrier connection, never to a model SDK or socket',
  },
  {
    packages: ['@openai/', 'openai', 'pg', '@electric-sql/pglite', 'bullmq', 'ioredis', 'ws', 'express'],
    appliesTo: ['src/manifest/'], why: 'a manifest is pure data',
  },
  {
    // The loader reads vertical.yaml and the prompt fragments it names; schema, checks, problems stay pure.
    packages: ['node:fs', 'node:fs/promises'], appliesTo: ['src/manifest/'],
    except: ['src/manifest/load.ts', 'src/manifest/instructions.ts'],
    why: 'a manifest is pure data: only its loader (load.ts, instructions.ts) reads files',
  },
];

export interface Violation {
  file: string;
  line: number;
  message: string;
}

export interface Rules {
  areas: Readonly<Record<string, '*' | readonly string[]>>;
  implicit: readonly string[];
  noImplicit: Readonly<Record<string, readonly string[]>>;
  toolsMayImport: readonly string[];
  registryImporters: readonly string[];
  packages: readonly PackageRule[];
}

export const RULES: Rules = {
  areas: AREA_RULES, implicit: IMPLICIT_AREAS, noImplicit: NO_IMPLICIT,
  toolsMayImport: TOOLS_MAY_IMPORT, registryImporters: TOOL_REGISTRY_IMPORTERS, packages: PACKAGE_RULES,
};

/** The area of a `src/<area>/...` path; undefined outside src (or for a file directly in src/). */
export function areaOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'src' && parts.length > 2 ? parts[1] : undefined;
}

/** The areas `area` may import (itself included); '*' for a composition root. */
export function allowedFor(area: string, rules: Rules = RULES): '*' | ReadonlySet<string> {
  const own = rules.areas[area];
  if (own === '*') return '*';
  const implicit = rules.noImplicit[area] ?? rules.implicit;
  return new Set([area, ...implicit, ...(own ?? [])]);
}

/** A bare specifier's package name: `@scope/name`, `name`, or `node:x` (sub-paths kept for node:). */
function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const NODE_BUILTIN_ALIASES: Readonly<Record<string, string>> = { fs: 'node:fs', 'fs/promises': 'node:fs/promises' };

function matchesPackage(specifier: string, patterns: readonly string[]): boolean {
  const name = NODE_BUILTIN_ALIASES[specifier] ?? packageOf(specifier);
  return patterns.some((p) => (p.endsWith('/') ? name.startsWith(p) : name === p));
}

const under = (path: string, prefixes: readonly string[]): boolean =>
  prefixes.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));

const indexOf = (area: string): string => `src/${area}/index.ts`;

/** Every rule broken by one import. */
export function checkImport(ref: ImportRef, rules: Rules = RULES): Violation[] {
  const out: Violation[] = [];
  const at = (message: string): void => { out.push({ file: ref.from, line: ref.line, message: `${ref.from}:${ref.line} ${message}` }); };
  const isRelative = ref.specifier.startsWith('./') || ref.specifier.startsWith('../');

  if (!isRelative) {
    for (const rule of rules.packages) {
      if (under(ref.from, rule.appliesTo) && !under(ref.from, rule.except ?? []) && matchesPackage(ref.specifier, rule.packages)) {
        at(`imports ${ref.specifier}: ${rule.why}`);
      }
    }
    return out;
  }
  if (!ref.resolved) {
    at(`imports ${ref.specifier}, which resolves to no file`);
    return out;
  }

  const target = ref.resolved;
  const fromArea = areaOf(ref.from);
  const toArea = areaOf(target);

  if (ref.from.startsWith('tools/')) {
    if (!toArea) return out; // tools importing tools (or fixtures) is free
    if (!rules.toolsMayImport.includes(toArea)) {
      at(`imports ${target}: tools/ may import only ${rules.toolsMayImport.join(', ')} from src (the database only through ToolContext)`);
    } else if (target !== indexOf(toArea)) {
      at(`imports ${target}: tools/ may import ${toArea} only through ${indexOf(toArea)}`);
    }
    return out;
  }

  if (!fromArea) return out; // only src/ and tools/ are held to the map
  if (!toArea) {
    if (!rules.registryImporters.includes(fromArea) || target !== 'tools/index.ts') {
      at(`imports ${target}: src/ reaches outside itself only for the tool registry (tools/index.ts), from ${rules.registryImporters.join(' or ')}`);
    }
    return out;
  }
  if (toArea === fromArea) return out;
  if (!(fromArea in rules.areas)) {
    at(`imports ${target}: src/${fromArea} has no entry in the architecture rules (decide what it may import)`);
    return out;
  }

  const allowed = allowedFor(fromArea, rules);
  if (allowed !== '*' && !allowed.has(toArea)) {
    const list = [...allowed].filter((a) => a !== fromArea).sort();
    at(`imports ${target}: ${fromArea} may not import ${toArea} (${fromArea} may import: ${list.length ? list.join(', ') : 'nothing'})`);
  } else if (target !== indexOf(toArea)) {
    at(`imports ${target}: ${fromArea} may import ${toArea} only through ${indexOf(toArea)}`);
  }
  return out;
}

/** All violations of the area, index and package rules, plus every import cycle among src/ files. */
export function checkArchitecture(refs: readonly ImportRef[], rules: Rules = RULES): Violation[] {
  const violations = refs.flatMap((ref) => checkImport(ref, rules));
  for (const cycle of cyclesOf(refs)) {
    violations.push({ file: cycle[0]!, line: 0, message: `import cycle: ${cycle.join(' -> ')}` });
  }
  return violations;
}

/** The import cycles among files under src/ (type-only imports included: a cycle is a cycle). */
export function cyclesOf(refs: readonly ImportRef[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const ref of refs) {
    if (!ref.resolved || !ref.from.startsWith('src/') || !ref.resolved.startsWith('src/')) continue;
    let targets = edges.get(ref.from);
    if (!targets) edges.set(ref.from, (targets = new Set()));
    targets.add(ref.resolved);
  }
  return findCycles(edges);
}

/** Area-level cycles in the rules themselves: the table must point down. */
export function ruleCycles(rules: Rules = RULES): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const area of Object.keys(rules.areas)) {
    const allowed = allowedFor(area, rules);
    if (allowed === '*') continue;
    edges.set(area, new Set([...allowed].filter((a) => a !== area)));
  }
  return findCycles(edges);
}
