/**
 * The processes of a fleet, shared by the fleet tests (fleetHarness.ts) and the benchmark
 * (bench/sections/fleetProxy.ts): a throwaway Postgres database, gateway processes as operators
 * start them (node with tsx as a loader, so a signal reaches the gateway itself), and Debian's
 * haproxy in front with the routing config the README documents (`haproxyConfig`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

export const HAPROXY = '/usr/sbin/haproxy';

/** The reason a proxy test or benchmark cannot run here, or null. */
export function proxyUnavailable(): string | null {
  return existsSync(HAPROXY) ? null : `${HAPROXY} is not installed (apt-get install haproxy)`;
}

/**
 * The haproxy routing the README documents: webhooks and everything else round-robin over the
 * gateways whose /readyz answers 200 (503 while draining); a media stream whose path names an
 * instance (`/twilio/stream/<id>`) goes to that instance, or, when it is down, to any other
 * (which claims the call). WebSockets need the long tunnel timeout. The check forgives a slow
 * answer (5 s) and two failures: with a 1 s timeout and two failures, gateways busy taking 400
 * calls at once on 2 cores were both marked down and half the calls got haproxy's 503.
 */
export function haproxyConfig(listenPort: number, gateways: ReadonlyArray<{ id: string; host: string; port: number }>): string {
  const routes = gateways.map((g) => `  use-server ${g.id} if { path /twilio/stream/${g.id} }`).join('\n');
  const servers = gateways.map((g) => `  server ${g.id} ${g.host}:${g.port} check inter 2s fastinter 500ms fall 3 rise 2`).join('\n');
  return `global
  maxconn 4000

defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout tunnel 2h
  timeout check 5s
  option http-server-close

frontend switchboard
  bind 127.0.0.1:${listenPort}
  default_backend gateways

backend gateways
  balance roundrobin
  option httpchk GET /readyz
${routes}
${servers}
`;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh database on the server of `serverUrl`; `drop()` removes it (forcing off what is still connected). */
export async function createFleetDatabase(serverUrl: string, prefix = 'fleet'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface FleetGateway {
  id: string;
  port: number;
  url: string;
  proc: ChildProcess;
  /** Everything the process printed. */
  output: string[];
  readonly exited: boolean;
  /** Settles with the exit code (null when ended by a signal). */
  readonly exit: Promise<number | null>;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (a drain), then SIGKILL after `graceMs`; settles on exit. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * `node --import tsx src/bin/server.ts <args>` on `port` with `env` (added to this process's
 * environment without NODE_OPTIONS; `undefined` values are removed).
 */
export function launchGateway(id: string, port: number, env: Record<string, string | undefined>, args: string[] = []): FleetGateway {
  const full: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', PORT: String(port), HOST: '127.0.0.1', SWITCHBOARD_INSTANCE_ID: id };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete full[k]; else full[k] = v;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/bin/server.ts', ...args], { env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let exited = false;
  proc.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => { exited = true; r(code); }));
  return {
    id, port, url: `http://127.0.0.1:${port}`, proc, output, exit,
    get exited() { return exited; },
    async kill9() {
      if (exited) return;
      proc.kill('SIGKILL');
      await exit;
    },
    async stop(graceMs = 15_000) {
      if (exited) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(t);
    },
  };
}

/** Resolves once `/healthz` answers 200; throws if the process exits first or time runs out. */
export async function waitHealthy(g: FleetGateway, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (g.exited) throw new Error(`gateway ${g.id} exited during start-up:\n${g.output.slice(-20).join('')}`);
    const ok = await fetch(`${g.url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await sleep(250);
  }
  throw new Error(`gateway ${g.id} not healthy after ${timeoutMs} ms:\n${g.output.slice(-20).join('')}`);
}

export interface RunningProxy {
  url: string;
  proc: ChildProcess;
  /** What haproxy printed (server state changes: `Server gateways/gw-a is DOWN`). */
  output: string[];
  close(): Promise<void>;
}

/** haproxy on `port` (config written into `dir`) in front of `gateways`; resolves once it answers /healthz. */
export async function startHaproxy(dir: string, port: number, gateways: ReadonlyArray<{ id: string; port: number }>): Promise<RunningProxy> {
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(port, gateways.map((g) => ({ id: g.id, host: '127.0.0.1', port: g.port }))));
  const proc = spawn(HAPROXY, ['-f', cfg, '-db'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await gone;
  };
  const end = Date.now() + 15_000;
  for (;;) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) return { url, proc, output: out, close };
    if (Date.now() > end || proc.exitCode !== null) {
      await close();
      throw new Error(`haproxy did not come up:\n${out.join('')}`);
    }
    await sleep(200);
  }
}
