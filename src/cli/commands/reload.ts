/** `switchboard reload`: asks a running gateway to recompile its verticals (POST /admin/reload). */
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { AppError } from '../../shared/index.js';
import { httpSend, type HttpResponse } from '../../telephony/index.js';
import { action, EXIT_FAILED, EXIT_OK, type CliRun, type RegisterCommand } from '../context.js';

interface ReloadOptions {
  url?: string;
  json?: boolean;
}

interface ReloadAnswer {
  ok?: boolean;
  generation?: number;
  verticals?: Array<{ id: string; version: string }>;
  added?: string[];
  removed?: string[];
  changed?: Array<{ id: string; from: string; to: string }>;
  problems?: Array<{ severity: string; text: string }>;
  error?: { code: string; message: string; problems?: Array<{ severity: string; text: string }> };
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

export function makeReloadCommand(settings: (url?: string) => GatewayClientSettings = gatewaySettings): RegisterCommand {
  return (program: Command, run: CliRun) => {
    program
      .command('reload')
      .description('recompile the verticals of a running gateway; new calls get the new versions, live calls keep theirs')
      .option('--url <url>', 'the gateway (default http://localhost:$PORT)')
      .option('--json', 'print the gateway\'s answer as JSON')
      .addHelpText('after', `
Sends POST /admin/reload with "Authorization: Bearer $ADMIN_TOKEN" (a gateway started without
ADMIN_TOKEN has its admin API disabled). When any manifest has an error the gateway
keeps the running versions and this command prints the problems and exits 1.

Examples:
  $ switchboard reload
  $ ADMIN_TOKEN=... switchboard reload --url https://gw.example.com`)
      .action(action(run, async (options: ReloadOptions) => {
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
