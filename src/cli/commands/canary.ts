/**
 * `switchboard canary`: try a new version of a vertical on a share of real calls. `start`
 * validates a candidate folder exactly like `validate` and stores it (files and version) in the
 * canaries table; every gateway compiles it beside the live version and sends P % of new calls
 * (by a hash of the CallSid, optionally only on one number) to it. `status` compares the two,
 * `promote` makes the candidate what every new call runs, `abort` drops it. Calls in progress
 * keep the version they started on either way.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { recordManifestVersions } from '../../analysis/index.js';
import { compileCandidate, compileVertical, readCandidateFiles, routeAnswers } from '../../catalog/index.js';
import { formatProblem } from '../../manifest/index.js';
import { AppError } from '../../shared/index.js';
import { action, EXIT_FAILED, type CliRun, type RegisterCommand } from '../context.js';
import { compareCanary, formatComparison } from './canaryStatus.js';
import {
  announceRoutingChange, currentNumbers, defaultRoutingDeps, loadDeployedVerticals, requireE164, requireVertical, withRoutingStore,
  type RoutingCommandDeps,
} from './routingDeps.js';

interface StartOptions {
  from: string;
  percent: string;
  number?: string;
}

function parsePercent(text: string): number {
  const p = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(p > 0 && p <= 100)) throw new AppError('CANARY_BAD_PERCENT', `--percent must be a number above 0 and at most 100, not "${text}"`);
  return p;
}

export function makeCanaryCommand(deps: RoutingCommandDeps = defaultRoutingDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    const canary = program
      .command('canary')
      .description('try a candidate version of a vertical on a share of new calls; compare, promote or abort')
      .addHelpText('after', `
Examples:
  $ switchboard canary start salon --from ./candidates/salon --percent 10
  $ switchboard canary start salon --from ./candidates/salon --percent 50 --number +14155550100
  $ switchboard canary status
  $ switchboard canary promote salon
  $ switchboard canary abort salon`);

    canary
      .command('start')
      .description('validate a candidate folder and send a share of the vertical\'s new calls to it')
      .argument('<vertical>', 'vertical id')
      .requiredOption('--from <dir>', 'the candidate vertical folder (holding vertical.yaml)')
      .requiredOption('--percent <P>', 'share of new calls, above 0 and at most 100')
      .option('--number <E.164>', 'only calls to this number of the vertical')
      .action(action(run, async (verticalId: string, options: StartOptions) => {
        const percent = parsePercent(options.percent);
        const number = options.number === undefined ? null : requireE164(options.number);
        const settings = deps.settings();
        const registry = await deps.loadRegistry();
        const compile = { verticalsDir: settings.verticals, agentsDir: settings.agents, registry };
        const live = compileVertical(requireVertical(await loadDeployedVerticals(deps, settings), verticalId), compile);
        const result = compileCandidate(options.from, verticalId, compile);
        for (const p of result.problems) run.io.err(formatProblem(p));
        const candidate = result.vertical;
        if (!candidate) {
          run.io.err(`canary refused: the candidate has ${result.problems.filter((p) => p.severity === 'error').length} error(s); nothing was changed`);
          run.exitCode = EXIT_FAILED;
          return;
        }
        if (candidate.version === live.version) throw new AppError('CANARY_SAME_VERSION', `the candidate is the live version of ${verticalId} (${live.version}): nothing to try`);
        if (number !== null) {
          const route = (await currentNumbers(deps)).find((r) => r.number === number && routeAnswers(r));
          if (route?.vertical !== verticalId) throw new AppError('CANARY_NUMBER_NOT_OF_VERTICAL', `${number} does not ring ${verticalId}${route ? ` (it rings ${route.vertical})` : ''}: see \`switchboard numbers list\``);
        }
        const files = readCandidateFiles(options.from);
        const started = await withRoutingStore(deps, settings, async (store) => {
          // First the manifest analysis will read for the candidate's calls, then the canary itself.
          await recordManifestVersions(store.manifestVersions, { list: () => [candidate] });
          return store.canaries.start({ vertical: verticalId, version: candidate.version, baseVersion: live.version, sourceDir: resolve(options.from), files, percent, number });
        });
        if (!started) throw new AppError('CANARY_RUNNING', `a canary of ${verticalId} is already running: \`switchboard canary promote ${verticalId}\` or \`switchboard canary abort ${verticalId}\` first`);
        run.io.out(`canary ${verticalId}: candidate ${candidate.version} takes ${percent}% of new calls${number ? ` to ${number}` : ''} (live ${live.version}): ${await announceRoutingChange(deps, settings)}`);
      }));

    canary
      .command('status')
      .description('each canary\'s live and candidate versions side by side')
      .argument('[vertical]', 'only this vertical')
      .option('--json', 'print JSON')
      .action(action(run, async (verticalId: string | undefined, options: { json?: boolean }) => {
        const settings = deps.settings();
        const verticals = await loadDeployedVerticals(deps, settings);
        const comparisons = await withRoutingStore(deps, settings, async (store) => {
          const canaries = (await store.canaries.list()).filter((c) => verticalId === undefined || c.vertical === verticalId);
          return Promise.all(canaries.map((c) => compareCanary(store, c, verticals.get(c.vertical)?.manifest)));
        });
        if (options.json) {
          run.io.out(JSON.stringify(comparisons, null, 2));
          return;
        }
        if (comparisons.length === 0) {
          run.io.out(verticalId ? `no canary of ${verticalId}` : 'no canaries');
          return;
        }
        run.io.out(comparisons.map(formatComparison).join('\n\n'));
      }));

    canary
      .command('promote')
      .description('every new call of the vertical runs the candidate, on every gateway')
      .argument('<vertical>', 'vertical id')
      .action(action(run, async (verticalId: string) => {
        const settings = deps.settings();
        const promoted = await withRoutingStore(deps, settings, (store) => store.canaries.promote(verticalId));
        if (!promoted) throw new AppError('CANARY_NOT_RUNNING', `no running canary of ${verticalId}: \`switchboard canary status\``);
        run.io.out(`promoted ${verticalId}@${promoted.version}: ${await announceRoutingChange(deps, settings)}; calls in progress keep their version.`);
        run.io.out(`Make it permanent: copy ${promoted.sourceDir} over ${settings.verticals}/${verticalId} and reload; the promotion stops applying once the deployed version is no longer ${promoted.baseVersion}.`);
      }));

    canary
      .command('abort')
      .description('drop the vertical\'s canary (new calls run the live version again)')
      .argument('<vertical>', 'vertical id')
      .action(action(run, async (verticalId: string) => {
        const settings = deps.settings();
        const dropped = await withRoutingStore(deps, settings, (store) => store.canaries.remove(verticalId));
        if (!dropped) throw new AppError('CANARY_NOT_RUNNING', `no canary of ${verticalId}`);
        run.io.out(`canary ${verticalId}@${dropped.version} dropped: ${await announceRoutingChange(deps, settings)}; calls in progress keep their version.`);
      }));
  };
}

export const canaryCommand: RegisterCommand = makeCanaryCommand();
