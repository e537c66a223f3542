/**
 * `switchboard validate [dir]`: checks every vertical under a directory exactly as the server
 * would compile it (schema, cross-references, tool names against the real registry, engine,
 * agent graph) and prints every problem as `file:line path: message`.
 */
import type { Command } from 'commander';
import { compileVerticals, type CompileResult } from '../../catalog/index.js';
import { loadConfig } from '../../config/index.js';
import { formatProblem } from '../../manifest/index.js';
import { checkScenarioAgainstManifest, formatScenarioProblem, loadScenarios, ScenarioError, type ScenarioProblem } from '../../scenarios/index.js';
import type { ToolRegistry } from '../../toolkit/index.js';
import { action, EXIT_FAILED, EXIT_OK, type CliRun, type RegisterCommand } from '../context.js';

/** What the manifest commands need from the outside world; tests pass their own. */
export interface ManifestCommandDeps {
  loadRegistry(): Promise<ToolRegistry>;
  /** Default directories (from config `paths.verticals` and `paths.agents`). */
  paths(): { verticals: string; agents: string };
}

export const defaultManifestDeps: ManifestCommandDeps = {
  // Imported on demand so commands that do not need tools never load them.
  async loadRegistry() {
    const { registry } = await import('../../../tools/index.js');
    return registry;
  },
  paths() {
    const config = loadConfig();
    return { verticals: config.paths.verticals, agents: config.paths.agents };
  },
};

export interface ManifestCommandOptions {
  agents?: string;
}

/** Compiles the verticals directory the way the catalog does, without serving anything. */
export async function compileForCli(deps: ManifestCommandDeps, dir: string | undefined, options: ManifestCommandOptions): Promise<{ dir: string; result: CompileResult }> {
  const needsPaths = dir === undefined || options.agents === undefined;
  const paths = needsPaths ? deps.paths() : undefined;
  const verticalsDir = dir ?? paths!.verticals;
  const agentsDir = options.agents ?? paths!.agents;
  const registry = await deps.loadRegistry();
  return { dir: verticalsDir, result: compileVerticals({ verticalsDir, agentsDir, registry }) };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Scenario files are part of a vertical: each must parse, and every tool, handoff and agent it
 * names must exist in the manifest it will be run against.
 */
export async function checkScenarios(dir: string, result: CompileResult): Promise<{ problems: ScenarioProblem[]; count: number }> {
  let scenarios;
  try {
    scenarios = (await loadScenarios(dir)).list();
  } catch (err) {
    if (err instanceof ScenarioError) return { problems: err.problems, count: 0 };
    throw err;
  }
  const manifests = new Map((result.verticals ?? []).map((v) => [v.id, v.manifest]));
  const problems = scenarios.flatMap((s) => {
    const manifest = manifests.get(s.vertical);
    return manifest ? checkScenarioAgainstManifest(s, manifest) : [];
  });
  return { problems, count: scenarios.length };
}

function runValidate(run: CliRun, dir: string, result: CompileResult, scenarios: { problems: ScenarioProblem[]; count: number }): void {
  for (const p of result.problems) run.io.out(formatProblem(p));
  for (const p of scenarios.problems) run.io.out(formatScenarioProblem(p));
  const errors = result.problems.filter((p) => p.severity === 'error').length + scenarios.problems.length;
  const warnings = result.problems.length + scenarios.problems.length - errors;
  if (result.verticals && scenarios.problems.length === 0) {
    const ids = result.verticals.map((v) => v.id).join(', ');
    run.io.out(`ok: ${plural(result.verticals.length, 'vertical')} valid in ${dir}${ids ? ` (${ids})` : ''}, ${plural(scenarios.count, 'scenario')}, ${plural(warnings, 'warning')}`);
    run.exitCode = EXIT_OK;
  } else {
    run.io.out(`failed: ${plural(errors, 'error')}, ${plural(warnings, 'warning')} in ${dir}`);
    run.exitCode = EXIT_FAILED;
  }
}

export function makeValidateCommand(deps: ManifestCommandDeps = defaultManifestDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('validate')
      .description('check every vertical manifest (schema, references, tools, prompts, numbers, languages) and its scenarios')
      .argument('[dir]', 'verticals directory (default: config paths.verticals)')
      .option('--agents <dir>', 'shared agents directory holding fragments/ (default: config paths.agents)')
      .addHelpText('after', `
Prints one line per problem, file:line path: message, then a summary.
Exit code: 0 when every manifest is valid (warnings allowed), 1 when any has an error.

Examples:
  $ switchboard validate                       check verticals/ (config paths.verticals)
  $ switchboard validate ./my-verticals        check another directory
  $ switchboard validate --agents ./agents     take shared fragments from ./agents/fragments`)
      .action(action(run, async (dir: string | undefined, options: ManifestCommandOptions) => {
        const compiled = await compileForCli(deps, dir, options);
        runValidate(run, compiled.dir, compiled.result, await checkScenarios(compiled.dir, compiled.result));
      }));
  };
}

export const validateCommand: RegisterCommand = makeValidateCommand();
