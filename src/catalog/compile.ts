/**
 * Compiles a verticals directory into a catalog snapshot: load and check every manifest, settle
 * the engine each vertical runs on, build its agent graph and version it. Pure with respect to
 * the running catalog: a failed compile changes nothing.
 */
import { relative } from 'node:path';
import {
  hasErrors, loadVerticals, sortProblems, type LoadedVertical, type Manifest, type ManifestProblem,
} from '../manifest/index.js';
import { buildAgentGraph, sessionTemplate, type AgentGraph, type SessionTemplate, type ToolAdapter } from '../orchestration/index.js';
import { contentHash } from '../shared/index.js';
import type { ToolRegistry } from '../toolkit/index.js';

export type EngineType = Manifest['engine']['type'];

export interface CompiledVertical {
  id: string;
  /** Content hash of the manifest, every resolved prompt and fragment, and the tool names. */
  version: string;
  manifest: Manifest;
  /** Absolute directory of the vertical. */
  dir: string;
  /** Compiled once per version and shared by every call pinned to it. */
  graph: AgentGraph;
  /** E.164 numbers that ring this vertical. */
  numbers: readonly string[];
  /** What the manifest asks for and what calls actually run on in this build. */
  engine: { requested: EngineType; effective: EngineType };
  /** Resolved instructions by agent name. */
  instructions: ReadonlyMap<string, string>;
  /** Resolved per-language instruction overlays by language code. */
  languageInstructions: ReadonlyMap<string, string>;
  /** Each agent's voice (its own, else the default language's), by agent name. */
  voices: ReadonlyMap<string, string | undefined>;
  /** The engine-neutral part of every model session's configuration. */
  session: SessionTemplate;
}

export interface CompileOptions {
  verticalsDir: string;
  agentsDir: string;
  registry: ToolRegistry;
  /** Registry tool → SDK tool; defaults to the toolkit's `toSdkTool`. */
  toTool?: ToolAdapter;
  /** Whether this process can run the cascade engine (default true; false without ELEVENLABS_API_KEY on the real services): otherwise cascade verticals fall back. */
  cascadeAvailable?: boolean;
  /** Problems name files relative to this directory; defaults to process.cwd(). */
  cwd?: string;
}

export interface CompileResult {
  /** Present only when there is no error anywhere. */
  verticals: CompiledVertical[] | undefined;
  problems: ManifestProblem[];
}

/** The version of a loaded vertical: any change to what the model would see changes it. */
export function verticalVersion(loaded: LoadedVertical): string {
  const prompts = [...loaded.instructions.entries(), ...[...loaded.languageInstructions.entries()].map(([code, text]) => [`language:${code}`, text])]
    .sort(([a], [b]) => a!.localeCompare(b!)).flatMap(([name, text]) => [name!, text!]);
  const tools = [...new Set(loaded.manifest.agents.flatMap((a) => a.tools))].sort();
  return contentHash(loaded.source, ...prompts, tools.join(','));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Compiles one loaded vertical. `previous` (same id and version) is returned as is, so a
 * reload that changes nothing keeps the very same objects.
 */
export function compileVertical(loaded: LoadedVertical, options: CompileOptions, previous?: CompiledVertical): CompiledVertical {
  const version = verticalVersion(loaded);
  if (previous && previous.id === loaded.manifest.id && previous.version === version) return previous;
  const graph = buildAgentGraph(loaded, options.registry, options.toTool ? { toTool: options.toTool } : {});
  const manifest = deepFreeze(loaded.manifest);
  return Object.freeze({
    id: manifest.id,
    version,
    manifest,
    dir: loaded.dir,
    graph,
    numbers: manifest.numbers,
    engine: Object.freeze({ requested: manifest.engine.type, effective: manifest.engine.type === 'cascade' && (options.cascadeAvailable ?? true) ? 'cascade' as const : 'realtime' as const }),
    instructions: loaded.instructions,
    languageInstructions: loaded.languageInstructions,
    voices: new Map([...graph.nodes].map(([name, node]) => [name, node.voice])),
    session: deepFreeze(sessionTemplate(manifest)),
  });
}

export function compileVerticals(options: CompileOptions, previous?: ReadonlyMap<string, CompiledVertical>): CompileResult {
  // The loader checks the engine too (a cascade vertical this build cannot serve is a problem of its manifest).
  const loadedResult = loadVerticals(options.verticalsDir, {
    registry: options.registry, agentsDir: options.agentsDir, cascadeAvailable: options.cascadeAvailable ?? true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  const problems = [...loadedResult.problems];
  const compiled: CompiledVertical[] = [];
  for (const loaded of loadedResult.verticals) {
    try {
      compiled.push(compileVertical(loaded, options, previous?.get(loaded.manifest.id)));
    } catch (err) {
      const file = relative(options.cwd ?? process.cwd(), loaded.file) || loaded.file;
      problems.push({ file, line: 0, path: '', severity: 'error', message: `cannot build the agent graph: ${(err as Error).message}` });
    }
  }
  const sorted = sortProblems(problems);
  return { verticals: hasErrors(sorted) ? undefined : compiled, problems: sorted };
}
