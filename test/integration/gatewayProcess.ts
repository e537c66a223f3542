/**
 * The gateway as operators run it: `npm start` (npm → tsx → node) in its own process group, on a
 * throwaway Postgres database of its own and a fixture verticals directory, with the emulator
 * engine. Signals go to the whole group, as a terminal's Ctrl-C or a container runtime sends them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { httpSend } from '../../src/telephony/http.js';
import { demoManifest } from './serverHelpers.js';
import { TEST_DATABASE_URL } from './storeSuite.js';

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly databaseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` to npm's whole process group. */
  signalGroup(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (null when killed by a signal) within `timeoutMs`. */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Kills what is left of the group and drops the database. */
  cleanup(): Promise<void>;
}

export interface GatewayProcessOptions {
  /** Extra environment (config keys, SWITCHBOARD_* settings). */
  env?: Record<string, string>;
  /** Extra `npm start -- <args>`. */
  args?: string[];
  /** Manifest text appended to the demo vertical (e.g. an `overflow:` block). */
  manifestExtra?: string;
  /** The number the demo vertical answers. */
  number?: string;
  startTimeoutMs?: number;
}

const ADMIN_URL = TEST_DATABASE_URL;

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function startGatewayProcess(opts: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const dbName = `sb_gw_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await adminQuery(`CREATE DATABASE ${dbName}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-gwproc-'));
  mkdirSync(join(dir, 'verticals', 'demo'), { recursive: true });
  writeFileSync(join(dir, 'verticals', 'demo', 'vertical.yaml'), demoManifest('demo', opts.number ?? '+15550001111', 'Be helpful.') + (opts.manifestExtra ?? ''));

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['REDIS_URL', 'OPENAI_API_KEY', 'JEST_WORKER_ID', 'NODE_OPTIONS', 'PUBLIC_URL', 'TWILIO_AUTH_TOKEN', 'ADMIN_TOKEN', 'npm_config_loglevel']) delete env[k];
  Object.assign(env, {
    PORT: '0', HOST: '127.0.0.1', SWITCHBOARD_ENGINE: 'emulator', DATABASE_URL: databaseUrl, SWITCHBOARD_DATA_DIR: join(dir, 'data'),
    SWITCHBOARD_VERTICALS_DIR: join(dir, 'verticals'), LOG_LEVEL: 'info', LOG_FORMAT: 'json', SWITCHBOARD_CONSOLE: 'false',
    ...opts.env,
  });
  const args = ['start', '--silent', ...(opts.args?.length ? ['--', ...opts.args] : [])];
  const child = spawn('npm', args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const cleanup = async (): Promise<void> => {
    try {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await Promise.race([exit, new Promise((r) => setTimeout(r, 5000))]);
    await pool.end().catch(() => undefined);
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 90_000);
  let baseUrl: string | undefined;
  while (!baseUrl) {
    baseUrl = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (baseUrl) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await cleanup();
      throw new Error(`the gateway did not start:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    baseUrl: baseUrl.replace('localhost', '127.0.0.1'),
    databaseUrl,
    output: () => out,
    signalGroup: (signal) => process.kill(-child.pid!, signal),
    exited: (timeoutMs) => Promise.race([
      exit,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the gateway did not exit within ${timeoutMs} ms:\n${out.slice(-3000)}`)), timeoutMs).unref()),
    ]),
    query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[],
    cleanup,
  };
}

/** A Twilio voice webhook (unsigned: the process runs without TWILIO_AUTH_TOKEN). */
export async function voiceWebhook(baseUrl: string, callSid: string, to: string): Promise<{ status: number; twiml: string }> {
  const res = await httpSend({
    method: 'POST', url: `${baseUrl}/twilio/voice`, timeoutMs: 60_000,
    // A connection per webhook, as from many carrier edge hosts (`--workers` hands out connections).
    headers: { 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
    body: new URLSearchParams({ CallSid: callSid, From: '+15550123456', To: to, CallStatus: 'ringing', Direction: 'inbound' }).toString(),
  });
  return { status: res.status, twiml: res.text };
}

/** Opens a media stream for a call the webhook answered and sends `connected` + `start`. */
export async function openStream(baseUrl: string, callSid: string, params: Record<string, string>, path = '/twilio/stream'): Promise<WebSocket> {
  const ws = new WebSocket(baseUrl.replace(/^http/, 'ws') + path);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('error', () => undefined);
  const streamSid = `MZ${randomUUID().replace(/-/g, '')}`;
  ws.send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
  ws.send(JSON.stringify({
    event: 'start', sequenceNumber: '1', streamSid,
    start: {
      accountSid: 'AC' + '0'.repeat(32), streamSid, callSid, tracks: ['inbound'],
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: params,
    },
  }));
  return ws;
}

/** The `<Parameter>`s of a `<Connect><Stream>` answer. */
export function streamParams(twiml: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) params[m[1]!] = m[2]!;
  return params;
}

/** The stream URL of a `<Connect><Stream>` answer. */
export function streamUrl(twiml: string): string | undefined {
  return /<Stream url="([^"]+)"/.exec(twiml)?.[1]?.replace(/&amp;/g, '&');
}

export function newCallSid(): string {
  return `CA${randomUUID().replace(/-/g, '')}`;
}
