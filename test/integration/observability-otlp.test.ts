/**
 * The gateway as operators run it (`src/bin/server.ts` in its own process, embedded database,
 * emulator engine) with `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at a local OTLP/HTTP receiver:
 * a call's spans arrive over the wire in the trace derived from its Call SID, and neither the
 * exported spans nor the process's log lines carry the caller's number or words.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callSpanIdFromTraceId, traceIdFromCallSid } from '../../src/shared/index.js';
import { startOtlpReceiver, type OtlpReceiver } from '../fakes/otlpReceiver.js';
import { TwilioCaller } from './twilioCaller.js';

const SALON = '+15550100100';
const CALLER = '+15550123456';

let receiver: OtlpReceiver;
let gateway: ChildProcess;
let dataDir: string;
const stderr: string[] = [];
let baseUrl = '';

async function until<T>(fn: () => T | undefined | false, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; gateway stderr:\n${stderr.join('').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-otlp-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'OPENAI_API_KEY', 'JEST_WORKER_ID', 'NODE_OPTIONS']) delete env[k];
  Object.assign(env, {
    PORT: '0', HOST: '127.0.0.1', SWITCHBOARD_ENGINE: 'emulator', SWITCHBOARD_DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_FORMAT: 'json',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'switchboard-otlp-test', OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  gateway = spawn(process.execPath, ['--import', 'tsx', 'src/bin/server.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  gateway.stdout!.on('data', (c: Buffer) => { stdout += c.toString(); });
  gateway.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  baseUrl = await until(() => /listening on (http:\/\/\S+)/.exec(stdout)?.[1], 'the gateway to listen', 90_000);
}, 120_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null) {
    const exited = new Promise((r) => gateway.once('exit', r));
    gateway.kill('SIGTERM');
    await exited;
  }
  await receiver?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

it('exports the call\'s spans over OTLP/HTTP in the trace derived from the Call SID, with nothing personal in them', async () => {
  const caller = await TwilioCaller.place({ baseUrl, to: SALON, from: CALLER, speed: 4 });
  await caller.waitFor(() => caller.media().length > 20, 'greeting audio');
  await caller.waitPlayed();
  const greeting = caller.media().length;
  await caller.say('Hi, can I book a haircut for tomorrow?');
  await caller.waitFor(() => caller.media().length > greeting + 20, 'an answer');
  await caller.waitPlayed();
  await caller.hangUp();

  const traceId = traceIdFromCallSid(caller.callSid);
  const spans = await until(() => {
    const mine = receiver.spans.filter((s) => s.traceId === traceId);
    return mine.some((s) => s.name === 'call') && mine.some((s) => s.name === 'webhook voice') ? mine : undefined;
  }, 'the call span over the wire');
  const call = spans.find((s) => s.name === 'call')!;
  expect(call.spanId).toBe(callSpanIdFromTraceId(traceId));
  expect(call.service).toBe('switchboard-otlp-test');
  expect(spans.find((s) => s.name === 'webhook voice')!.parentSpanId).toBe(call.spanId);
  expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['model.connect', 'media.stream', 'turn']));

  const wire = JSON.stringify(receiver.spans);
  const logs = stderr.join('');
  expect(logs).toContain(`"trace_id":"${traceId}"`);
  for (const secret of ['5550123456', 'book a haircut']) {
    expect([secret, wire.includes(secret), logs.includes(secret)]).toEqual([secret, false, false]);
  }
}, 90_000);
