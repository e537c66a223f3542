/**
 * `switchboard numbers`: which number rings which vertical. `list` shows the manifests' numbers
 * with the operator's assignments applied; `assign` and `release` change the assignments
 * (phone_numbers), which every running gateway applies to new calls without a restart; `sync`
 * points the Twilio account's numbers at this deployment (numbersSync.ts).
 */
import type { Command } from 'commander';
import type { NumberRoute } from '../../catalog/index.js';
import { AppError } from '../../shared/index.js';
import { action, type CliRun, type RegisterCommand } from '../context.js';
import {
  announceRoutingChange, currentNumbers, defaultRoutingDeps, loadDeployedVerticals, requireE164, requireVertical, withRoutingStore,
  type RoutingCommandDeps,
} from './routingDeps.js';
import { registerNumbersSync } from './numbersSync.js';
import { renderTable } from './verticals.js';

function describeRoute(r: NumberRoute): string {
  if (r.unknownVertical && r.source === 'manifest') return `assigned to unknown vertical "${r.unknownVertical}" (ignored)`;
  if (r.unknownVertical) return 'assigned to a vertical that is not deployed: rings nothing';
  if (r.manifestVertical) return `moved from ${r.manifestVertical}'s manifest`;
  return '';
}

export function makeNumbersCommand(deps: RoutingCommandDeps = defaultRoutingDeps): RegisterCommand {
  return (program: Command, run: CliRun) => {
    const numbers = program
      .command('numbers')
      .description('which phone number rings which vertical; assign, release, and point Twilio at this gateway')
      .addHelpText('after', `
A vertical's manifest lists its default numbers; an assignment made here overrides them (and
survives reloads). Every running gateway applies a change to new calls within seconds (at once
when REDIS_URL is set); calls in progress are not touched.

Examples:
  $ switchboard numbers list
  $ switchboard numbers assign +14155550100 salon
  $ switchboard numbers assign +14155550100 healthcare --move
  $ switchboard numbers release +14155550100
  $ switchboard numbers sync --dry-run`);

    numbers
      .command('list')
      .description('every number and the vertical it rings (source: manifest or assigned)')
      .option('--json', 'print a JSON array')
      .action(action(run, async (options: { json?: boolean }) => {
        const routes = await currentNumbers(deps);
        if (options.json) {
          run.io.out(JSON.stringify(routes, null, 2));
          return;
        }
        if (routes.length === 0) {
          run.io.out('no numbers: list them in a manifest (numbers:) or `switchboard numbers assign <E.164> <vertical>`');
          return;
        }
        run.io.out(renderTable(['NUMBER', 'VERTICAL', 'SOURCE', 'NOTE'], routes.map((r) => [r.number, r.vertical, r.source, describeRoute(r)])));
      }));

    numbers
      .command('assign')
      .description('make a number ring a vertical (overrides the manifests)')
      .argument('<number>', 'E.164, e.g. +14155550100')
      .argument('<vertical>', 'vertical id')
      .option('--move', 'take the number from the vertical it is assigned to')
      .action(action(run, async (number: string, verticalId: string, options: { move?: boolean }) => {
        requireE164(number);
        const settings = deps.settings();
        const verticals = await loadDeployedVerticals(deps, settings);
        requireVertical(verticals, verticalId);
        const outcome = await withRoutingStore(deps, settings, (store) => store.phoneNumbers.assign(number, verticalId, { move: Boolean(options.move) }));
        if (outcome.kind === 'conflict') {
          throw new AppError('NUMBER_ASSIGNED_ELSEWHERE', `${number} is assigned to "${outcome.assignment.vertical}"; release it first, or pass --move to take it`);
        }
        if (outcome.kind === 'unchanged') {
          run.io.out(`${number} already rings ${verticalId}`);
          return;
        }
        const manifestOwner = [...verticals.values()].find((v) => v.manifest.numbers.includes(number))?.manifest.id;
        const note = manifestOwner && manifestOwner !== verticalId ? ` (overrides ${manifestOwner}'s manifest)` : '';
        run.io.out(`${number} → ${verticalId}${note}: ${await announceRoutingChange(deps, settings)}`);
      }));

    numbers
      .command('release')
      .description('remove an assignment (the manifests\' default applies again)')
      .argument('<number>', 'E.164')
      .action(action(run, async (number: string) => {
        requireE164(number);
        const settings = deps.settings();
        const verticals = await loadDeployedVerticals(deps, settings);
        const manifestOwner = [...verticals.values()].find((v) => v.manifest.numbers.includes(number))?.manifest.id;
        const released = await withRoutingStore(deps, settings, (store) => store.phoneNumbers.release(number));
        if (!released) {
          const why = manifestOwner ? `; it rings ${manifestOwner} because that vertical's manifest lists it (edit the manifest to change that)` : '';
          throw new AppError('NUMBER_NOT_ASSIGNED', `${number} has no assignment to release${why}`);
        }
        const now = manifestOwner ? `rings ${manifestOwner} again (its manifest's default)` : 'rings no vertical';
        run.io.out(`${number} released from ${released.vertical}; it ${now}: ${await announceRoutingChange(deps, settings)}`);
      }));

    registerNumbersSync(numbers, run, deps);
  };
}

export const numbersCommand: RegisterCommand = makeNumbersCommand();
