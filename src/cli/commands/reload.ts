/** `switchboard reload`: asks a running gateway to recompile its verticals (POST /admin/reload). */
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { AppError } from '../../shared/index.js';
import { httpSend, type HttpResponse } from '../../telephony/index.js';
import type { FleetReloadReport } from '../../server/index.js';
import { reloadOverRedis } from './reloadFleet.js';
import { action, EXIT_FAILED, EXIT_OK, type CliRun, type RegisterCommand } from '../context.js';

interface ReloadOptions {
  url?: string;
  json?: boolean;
}

interface InstanceOutcome {
  instance: string;
  kind: string;
  ok: boolean;
  code?: string;
  generation: number | null;
  versions: Record<string, string>;
  problems: string[];
}

interface ReloadAnswer {
  ok?: boolean;
  /** A fleet reload (REDIS_URL on the gateways): each instance's outcome, and who did not answer. */
  instances?: InstanceOutcome[];
  missing?: string[];
  generation?: number;
  verticals?: Array<{ id: string; version: string }>;
  added?: string[];
  removed?: string[];
  changed?: Array<{ id: string; from: string; to: string }>;
  problems?: Array<{ severity: string; text: string }>;
  error?: { code: string; message: string; problems?: Array<{ severity: string; text: string }>; instances?: InstanceOutcome[]; missing?: string[] };
}

/** One line per instance: its outcome and the versions it gives new calls now. */
export function formatInstanceOutcomes(instances: readonly InstanceOutcome[], missing: readonly string[]): string[] {
  const lines: string[] = [];
  for (const i of instances) {
    const versions = Object.entries(i.versions).sort(([a], [b]) => a.localeCompare(b)).map(([id, v]) => `${id}@${v}`).join(' ') || '-';
    lines.push(`  ${i.instance} (${i.kind}): ${i.ok ? `reloaded, generation ${i.generation ?? '?'}` : `kept its running versions (${i.code ?? 'rejected'})`}  ${versions}`);
    if (!i.ok) for (const p of i.problems.slice(0, 5)) lines.push(`      ${p}`);
  }
  for (const id of missing) lines.push(`  ${id}: no answer (lost or busy)`);
  return lines;
}

export interface GatewayClientSettings {
  url: string;
  adminToken: string | null;
}

export function gatewaySettings(url?: string): GatewayClientSettings {
  const env = process.env;
  let port = env.PORT ?? '3000';
  let adminToken = env.ADMIN_TOKEN ?? null;
  try {
    const config = loadConfig();
    port = String(config.server.port);
    adminToken = config.admin.token;
  } catch {
    // A broken config must not stop a client command that needs only a URL and a token.
  }
  return { url: (url ?? `http://localhost:${port}`).replace(/\/+$/, ''), adminToken };
}

export function makeReloadCommand(
  settings: (url?: string) => GatewayClientSettings = gatewaySettings,
  overRedis: () => Promise<FleetReloadReport | undefined> = () => reloadOverRedis(),
): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('reload')
      .description('recompile the verticals of a running gateway; new calls get the new versions, live calls keep theirs')
      .option('--url <url>', 'the gateway (default http://localhost:$PORT)')
      .option('--json', 'print the gateway\'s answer as JSON')
      .addHelpText('after', `
With REDIS_URL, DATABASE_URL and ADMIN_TOKEN set (and no --url), publishes a signed reload request
on Redis: every gateway and worker reloads, and each one's outcome and versions are printed.
Otherwise sends POST /admin/reload with "Authorization: Bearer $ADMIN_TOKEN" to one gateway (which
reloads the whole fleet when it has Redis). An instance whose manifests have an error keeps its
running versions; the command prints the problems and exits 1.

Examples:
  $ switchboard reload
  $ ADMIN_TOKEN=... switchboard reload --url https://gw.example.com`)
      .action(action(run, async (options: ReloadOptions) => {
        // With REDIS_URL, DATABASE_URL and ADMIN_TOKEN here, every instance is asked over Redis directly.
        const direct = options.url ? undefined : await overRedis();
        if (direct) {
          if (options.json) run.io.out(JSON.stringify(direct, null, 2));
          else {
            const rejected = direct.instances.filter((i) => !i.ok).length;
            const say = (t: string) => (direct.ok ? run.io.out(t) : run.io.err(t));
            say(direct.ok ? `reloaded on ${direct.instances.length} instance(s)` : `reload incomplete: ${rejected} kept their running versions, ${direct.missing.length} did not answer`);
            for (const line of formatInstanceOutcomes(direct.instances, direct.missing)) say(line);
          }
          run.exitCode = direct.ok ? EXIT_OK : EXIT_FAILED;
          return;
        }
        const { url, adminToken } = settings(options.url);
        let res: HttpResponse;
        try {
          res = await httpSend({
            method: 'POST',
            url: `${url}/admin/reload`,
            headers: adminToken ? { authorization: `Bearer ${adminToken}` } : {},
            timeoutMs: 60_000,
          });
        } catch (err) {
          throw new AppError('GATEWAY_UNREACHABLE', `no gateway answers at ${url}: ${(err as Error).message}`);
        }
        let body: ReloadAnswer = {};
        try {
          body = JSON.parse(res.text) as ReloadAnswer;
        } catch {
          // an answer that is not JSON is reported below by its status
        }
        const ok = res.status >= 200 && res.status < 300;
        if (options.json) {
          run.io.out(JSON.stringify(body, null, 2));
          run.exitCode = ok ? EXIT_OK : EXIT_FAILED;
          return;
        }
        const fleet = body.instances ?? body.error?.instances;
        if (fleet) {
          const missing = body.missing ?? body.error?.missing ?? [];
          const rejected = fleet.filter((i) => !i.ok).length;
          const head = ok && body.ok ? `reloaded on ${fleet.length} instance(s)` : `reload incomplete: ${rejected} kept their running versions, ${missing.length} did not answer`;
          const say = (t: string) => (ok && body.ok ? run.io.out(t) : run.io.err(t));
          say(head);
          for (const line of formatInstanceOutcomes(fleet, missing)) say(line);
          run.exitCode = ok && body.ok ? EXIT_OK : EXIT_FAILED;
          return;
        }
        if (ok && body.ok) {
          run.io.out(`reloaded: generation ${body.generation}`);
          for (const v of body.verticals ?? []) {
            const change = body.changed?.find((c) => c.id === v.id);
            const note = body.added?.includes(v.id) ? '  (added)' : change ? `  (was ${change.from})` : '';
            run.io.out(`  ${v.id}@${v.version}${note}`);
          }
          for (const id of body.removed ?? []) run.io.out(`  ${id}  (removed)`);
          for (const p of body.problems ?? []) run.io.out(`  ${p.text}`);
          run.exitCode = EXIT_OK;
          return;
        }
        if (body.error?.code === 'CATALOG_RELOAD_REJECTED') {
          run.io.err(`reload rejected: ${body.error.message}`);
          for (const p of body.error.problems ?? []) run.io.err(`  ${p.text}`);
          run.exitCode = EXIT_FAILED;
          return;
        }
        throw new AppError(body.error?.code ?? 'GATEWAY_ERROR', `${url}/admin/reload answered ${res.status}${body.error ? `: ${body.error.message}` : ''}`);
      }));
  };
}

export const reloadCommand: RegisterCommand = makeReloadCommand();
