/**
 * `switchboard verticals [--json]`: what the catalog would serve from a verticals directory:
 * each vertical's version, numbers, engine, entry agent, agents with their tools and handoffs.
 */
import type { Command } from 'commander';
import type { CompiledVertical } from '../../catalog/index.js';
import { cascadeModels } from '../../engines/index.js';
import { formatProblem, requestedEngine } from '../../manifest/index.js';
import { action, EXIT_FAILED, type CliRun, type RegisterCommand } from '../context.js';
import { compileForCli, defaultManifestDeps, type ManifestCommandDeps, type ManifestCommandOptions } from './validate.js';

export interface VerticalListing {
  id: string;
  version: string;
  numbers: string[];
  entryAgent: string;
  /** `engine`: what serves the agent's calls (`realtime`, `cascade`); `model`: the model it thinks with there. */
  agents: { name: string; tools: string[]; handoffs: string[]; engine: string; model: string }[];
  /** Union of every agent's tools. */
  tools: string[];
  engine: { requested: string; effective: string };
}

export function describeVertical(v: CompiledVertical): VerticalListing {
  // What the graph was built from (handoffs already without repeats), in the manifest's order.
  // An agent's own engine where it names one; cascade only where this process can serve it.
  const cascadeOk = v.engine.requested !== 'cascade' || v.engine.effective === 'cascade';
  const engineOf = (name: string): string => (requestedEngine(v.manifest, name) === 'cascade' && cascadeOk ? 'cascade' : 'realtime');
  const { models, defaultModel } = cascadeModels(v.manifest);
  const modelOf = (name: string): string => (engineOf(name) === 'cascade' ? models.get(name) ?? defaultModel : v.manifest.engine.realtime.model);
  const agents = [...v.graph.nodes.values()].map((n) => ({ name: n.name, tools: [...n.tools], handoffs: [...n.handoffs], engine: engineOf(n.name), model: modelOf(n.name) }));
  return {
    id: v.id,
    version: v.version,
    numbers: [...v.numbers],
    entryAgent: v.manifest.entryAgent,
    agents,
    tools: [...new Set(agents.flatMap((a) => a.tools))].sort(),
    engine: { ...v.engine },
  };
}

/** A plain text table: columns padded to their widest cell. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

function engineLabel(e: VerticalListing['engine']): string {
  return e.requested === e.effective ? e.effective : `${e.requested}→${e.effective}`;
}

export function makeVerticalsCommand(deps: ManifestCommandDeps = defaultManifestDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('verticals')
      .description('list the verticals: version, numbers, engine, entry agent, agents and tools')
      .argument('[dir]', 'verticals directory (default: config paths.verticals)')
      .option('--json', 'print a JSON array instead of a table')
      .option('--agents <dir>', 'shared agents directory holding fragments/ (default: config paths.agents)')
      .addHelpText('after', `
JSON fields: id, version, numbers, entryAgent, agents [{name, tools, handoffs, engine, model}], tools, engine {requested, effective}.
Exit code 1 when the manifests do not validate (the problems go to stderr).

Examples:
  $ switchboard verticals                      a table of every vertical
  $ switchboard verticals --json | jq '.[].id'
  $ switchboard verticals ./my-verticals --json`)
      .action(action(run, async (dir: string | undefined, options: ManifestCommandOptions & { json?: boolean }) => {
        const { result } = await compileForCli(deps, dir, options);
        for (const p of result.problems) run.io.err(formatProblem(p));
        if (!result.verticals) {
          run.io.err(`cannot list verticals: ${result.problems.filter((p) => p.severity === 'error').length} error(s); run \`switchboard validate\``);
          run.exitCode = EXIT_FAILED;
          return;
        }
        const listing = result.verticals.map(describeVertical);
        if (options.json) {
          run.io.out(JSON.stringify(listing, null, 2));
          return;
        }
        run.io.out(renderTable(
          ['ID', 'VERSION', 'ENGINE', 'NUMBERS', 'ENTRY', 'AGENTS', 'TOOLS'],
          listing.map((v) => [
            v.id, v.version, engineLabel(v.engine), v.numbers.join(',') || '-', v.entryAgent,
            String(v.agents.length), String(v.tools.length),
          ]),
        ));
      }));
  };
}

export const verticalsCommand: RegisterCommand = makeVerticalsCommand();
