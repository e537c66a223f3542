/**
 * `switchboard numbers sync [--dry-run]`: reads every incoming phone number of the Twilio account
 * (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN) and points each number a vertical answers at this
 * deployment's PUBLIC_URL (voice webhook, status callback, both POST). Reports the numbers the
 * account lacks and the account's numbers no vertical answers (those are left alone).
 *
 * Everything is read and checked before the first change, so bad credentials or a bad
 * PUBLIC_URL change nothing. The updates are one request per number and each is idempotent: if
 * one fails midway, the command says which were done and running it again finishes the job.
 */
import type { Command } from 'commander';
import { isLoopbackUrl } from '../../server/index.js';
import { AppError, describeError } from '../../shared/index.js';
import { planNumberSync, TwilioNumbersClient, type NumberSyncPlan } from '../../telephony/index.js';
import { action, EXIT_FAILED, type CliRun } from '../context.js';
import { routeAnswers } from '../../catalog/index.js';
import { currentNumbers, type RoutingCommandDeps, type RoutingSettings } from './routingDeps.js';

function requireTwilio(settings: RoutingSettings): { accountSid: string; authToken: string } {
  const { accountSid, authToken } = settings.twilio;
  if (!accountSid || !authToken) {
    throw new AppError('TWILIO_NOT_CONFIGURED', 'numbers sync needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (Twilio Console → Account → API keys & tokens)');
  }
  return { accountSid, authToken };
}

function requirePublicUrl(publicUrl: string): void {
  if (isLoopbackUrl(publicUrl)) {
    throw new AppError('PUBLIC_URL_NOT_PUBLIC', `PUBLIC_URL is ${publicUrl}, which Twilio cannot reach: set PUBLIC_URL to the https address in front of this gateway`);
  }
  if (!publicUrl.startsWith('https://')) {
    throw new AppError('PUBLIC_URL_NOT_HTTPS', `PUBLIC_URL is ${publicUrl}: Twilio must reach the gateway over https (set PUBLIC_URL to its https address)`);
  }
}

function printPlan(run: CliRun, plan: NumberSyncPlan, dryRun: boolean): void {
  run.io.out(`voice webhook:   POST ${plan.webhooks.VoiceUrl}`);
  run.io.out(`status callback: POST ${plan.webhooks.StatusCallback}`);
  const verb = dryRun ? 'would update' : 'updating';
  for (const u of plan.update) run.io.out(`${verb} ${u.number} (${u.vertical}): voice URL was ${u.from.voiceUrl ?? 'none'}`);
  for (const s of plan.inSync) run.io.out(`in sync ${s.number} (${s.vertical})`);
  for (const o of plan.overridden) run.io.err(`warning: ${o.number} (${o.vertical}) has a ${o.by}, which Twilio uses instead of the voice URL: remove it in the Twilio Console`);
  for (const m of plan.missing) run.io.err(`warning: ${m.number} (${m.vertical}) is not a number of this Twilio account: buy or port it, or release/reassign it`);
  for (const u of plan.unassigned) run.io.out(`not answered here: ${u.number} (no vertical answers it; left alone)`);
}

export function registerNumbersSync(numbers: Command, run: CliRun, deps: RoutingCommandDeps): void {
  numbers
    .command('sync')
    .description("point the Twilio account's numbers at this gateway's PUBLIC_URL")
    .option('--dry-run', 'show what would change, change nothing')
    .option('--json', 'print the plan (and what was done) as JSON')
    .addHelpText('after', `
Needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and an https PUBLIC_URL. Sets VoiceUrl
(PUBLIC_URL/twilio/voice), VoiceMethod POST, StatusCallback (PUBLIC_URL/twilio/status) and
StatusCallbackMethod POST on every number of the account that a vertical answers.

Examples:
  $ switchboard numbers sync --dry-run
  $ PUBLIC_URL=https://voice.example.com switchboard numbers sync`)
    .action(action(run, async (options: { dryRun?: boolean; json?: boolean }) => {
      const settings = deps.settings();
      const creds = requireTwilio(settings);
      requirePublicUrl(settings.publicUrl);
      const routes = (await currentNumbers(deps)).filter(routeAnswers);
      const client = new TwilioNumbersClient({ ...creds, apiBaseUrl: settings.twilio.apiBaseUrl, ...deps.twilioRest });
      const account = await client.list();
      const plan = planNumberSync(new Map(routes.map((r) => [r.number, r.vertical])), account, settings.publicUrl);
      if (!options.json) printPlan(run, plan, Boolean(options.dryRun));
      const updated: string[] = [];
      let failure: { number: string; error: string } | null = null;
      if (!options.dryRun) {
        for (const u of plan.update) {
          try {
            await client.update(u.sid, plan.webhooks);
            updated.push(u.number);
          } catch (err) {
            failure = { number: u.number, error: describeError(err) };
            break;
          }
        }
      }
      if (options.json) run.io.out(JSON.stringify({ dryRun: Boolean(options.dryRun), ...plan, updated, failure }, null, 2));
      if (failure) {
        run.io.err(`error: updating ${failure.number} failed (${failure.error}); updated before it: ${updated.join(', ') || 'none'}. Run the command again to finish.`);
        run.exitCode = EXIT_FAILED;
        return;
      }
      if (!options.json) {
        run.io.out(options.dryRun
          ? `dry run: ${plan.update.length} to update, ${plan.inSync.length} in sync, ${plan.missing.length} missing from the account, ${plan.unassigned.length} not answered here`
          : `done: ${updated.length} updated, ${plan.inSync.length} already in sync, ${plan.missing.length} missing from the account, ${plan.unassigned.length} not answered here`);
      }
    }));
}
