/**
 * The runtime CLI commands on real sockets and real Postgres: `calls` and `calls show`,
 * `reload` against a running gateway, and `simulate`'s exit codes (pass, failed expectation,
 * usage error, unreachable gateway).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main.js';
import type { CliIo, CliRun, RegisterCommand } from '../../src/cli/context.js';
import { makeCallsCommand } from '../../src/cli/commands/calls.js';
import { makeReloadCommand } from '../../src/cli/commands/reload.js';
import { makeSimulateCommand } from '../../src/cli/commands/simulate.js';
import { loadConfig } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/server/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createTwilioCarrier } from '../../src/telephony/index.js';
import { FakeCallHandler } from '../fakes/callHandler.js';
import { DEMO_NUMBER, fixtureCatalog, type FixtureCatalog } from './serverHelpers.js';
import { randomSchema, TEST_DATABASE_URL } from './storeSuite.js';

const ADMIN = 'cli-admin-token-0123456789';
let schema: string;
let store: Store;
let fixture: FixtureCatalog;
let gateway: Gateway;
let url: string;

async function cli(commands: RegisterCommand[], argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const run: CliRun = { io, exitCode: 0 };
  const program = buildProgram(run, commands);
  try {
    await program.parseAsync(['node', 'switchboard', ...argv]);
  } catch {
    run.exitCode = run.exitCode || 2;
  }
  return { code: run.exitCode, out: out.join('\n'), err: err.join('\n') };
}

const storeOptions = () => ({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 2 });
const callsCommand = () => makeCallsCommand({ storeOptions, openStore });
const reloadCommand = (target = () => url) => makeReloadCommand(() => ({ url: target(), adminToken: ADMIN }));
const simulateCommand = (records = true) => makeSimulateCommand({
  config: () => loadConfig({ env: { SWITCHBOARD_VERTICALS_DIR: join(fixture.dir, 'verticals'), PORT: '1' } }),
  openStore: async () => (records ? openStore(storeOptions()) : Promise.reject(new Error('no store'))),
});

beforeAll(async () => {
  schema = randomSchema('cli');
  store = await openStore(storeOptions());
  await store.migrate();
  fixture = fixtureCatalog();
  mkdirSync(join(fixture.dir, 'verticals', 'demo', 'scenarios'));
  writeFileSync(join(fixture.dir, 'verticals', 'demo', 'scenarios', 'hello.yaml'), 'brain: rules\nturns:\n  - caller: Hello?\nhangUpAfterMs: 200\n');
  writeFileSync(join(fixture.dir, 'verticals', 'demo', 'scenarios', 'strict.yaml'), 'brain: rules\nturns:\n  - caller: Hello?\nhangUpAfterMs: 200\nexpect:\n  agentSays: [welcome to the demo]\n');
  gateway = createGateway({ catalog: fixture.catalog, handler: new FakeCallHandler(), carriers: [createTwilioCarrier({ publicUrl: 'http://127.0.0.1' })], adminToken: ADMIN });
  const { port } = await gateway.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await gateway.close();
  fixture.cleanup();
  await store.db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await store.db.query(`DELETE FROM public.schema_migrations WHERE scope LIKE $1`, [`%${schema}%`]);
  await store.close();
});

describe('switchboard calls', () => {
  it('lists calls and shows one with transcript, tools, handoffs and latency', async () => {
    const id = randomUUID();
    const callSid = `CA${randomUUID().replace(/-/g, '')}`;
    await store.calls.create({ id, callSid, vertical: 'demo', manifestVersion: 'v1abc', engine: 'emulator' });
    await store.transcripts.append(id, { role: 'assistant', agent: 'Front Desk', text: 'Hello, how can I help?', startedMs: 100 });
    await store.transcripts.append(id, { role: 'caller', text: 'Are you open on Monday?', startedMs: 2100 });
    await store.transcripts.append(id, { role: 'assistant', agent: 'Front Desk', text: 'We are open nine to', startedMs: 4000, interrupted: true });
    await store.toolInvocations.begin({ callId: id, toolCallId: 'tc1', toolName: 'rt_lookup', agent: 'Front Desk', idempotencyKey: `${id}:tc1`, arguments: { day: 'monday' } });
    await store.toolInvocations.finish(`${id}:tc1`, { status: 'ok', result: { hours: '9 to 5' }, durationMs: 12 });
    await store.handoffs.record(id, 'Front Desk', 'Billing', 5000);
    await store.latency.record(id, [{ metric: 'turn.speech_end_to_first_audio', valueMs: 420, turn: 1 }, { metric: 'turn.speech_end_to_first_audio', valueMs: 380, turn: 2 }]);
    await store.calls.finalize(id, { status: 'completed', endReason: 'caller_hangup' });

    const list = await cli([callsCommand()], ['calls']);
    expect(list.code).toBe(0);
    expect(list.out).toContain(id);
    expect(list.out).toContain('demo@v1abc');
    expect(list.out).toContain('caller_hangup');

    const json = await cli([callsCommand()], ['calls', '--json', '--vertical', 'demo', '--limit', '5']);
    expect(JSON.parse(json.out)).toEqual([expect.objectContaining({ id, callSid, status: 'completed' })]);
    expect(JSON.parse((await cli([callsCommand()], ['calls', '--json', '--vertical', 'other'])).out)).toEqual([]);

    const show = await cli([callsCommand()], ['calls', 'show', callSid]);
    expect(show.code).toBe(0);
    expect(show.out).toContain('agent (Front Desk): We are open nine to  [cut short]');
    expect(show.out).toContain('caller: Are you open on Monday?');
    expect(show.out).toContain('rt_lookup {"day":"monday"} → ok in 12 ms');
    expect(show.out).toContain('Front Desk → Billing');
    expect(show.out).toMatch(/turn\.speech_end_to_first_audio\s+n=2/);

    const showJson = JSON.parse((await cli([callsCommand()], ['calls', 'show', id, '--json'])).out) as { call: { id: string }; transcript: unknown[]; tools: unknown[]; handoffs: unknown[]; latency: unknown[] };
    expect(showJson.call.id).toBe(id);
    expect([showJson.transcript.length, showJson.tools.length, showJson.handoffs.length, showJson.latency.length]).toEqual([3, 1, 1, 2]);
  });

  it('exits 1 for a call that does not exist, 2 for a bad --limit', async () => {
    const missing = await cli([callsCommand()], ['calls', 'show', 'CAnothere']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no call CAnothere');
    expect((await cli([callsCommand()], ['calls', '--limit', 'lots'])).code).toBe(2);
  });
});

describe('switchboard reload', () => {
  it('reloads a running gateway and prints the versions', async () => {
    const res = await cli([reloadCommand()], ['reload']);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/reloaded: generation \d+/);
    expect(res.out).toContain(`demo@${fixture.catalog.get('demo')!.version}`);
  });

  it('exits 1 and prints the problems when a manifest is broken, and the old versions stay', async () => {
    const before = fixture.catalog.get('other')!.version;
    fixture.writeVertical('other', '+1bad', 'x');
    try {
      const res = await cli([reloadCommand()], ['reload']);
      expect(res.code).toBe(1);
      expect(res.err).toContain('reload rejected');
      expect(res.err).toMatch(/verticals\/other\/vertical\.yaml:\d+ numbers\[0\]/);
      expect(fixture.catalog.get('other')!.version).toBe(before);
    } finally {
      fixture.writeVertical('other', '+15550002222', 'Be brief.');
    }
  });

  it('exits 2 when no gateway answers', async () => {
    const res = await cli([reloadCommand(() => 'http://127.0.0.1:1')], ['reload']);
    expect(res.code).toBe(2);
    expect(res.err).toContain('GATEWAY_UNREACHABLE');
  });
});

describe('switchboard simulate', () => {
  it('passes a scenario without expectations (exit 0)', async () => {
    const res = await cli([simulateCommand(false)], ['simulate', 'demo', 'hello', '--url', url, '--fast', '--no-records']);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(res.out).toContain('answered: demo@');
    expect(res.out).toContain('caller  "Hello?"');
    expect(res.out).toContain('1/1 scenario(s) passed');
  }, 60_000);

  it('exits 1 when an expectation fails (no call record, the agent never said it)', async () => {
    const res = await cli([simulateCommand()], ['simulate', 'demo', '--all', '--url', url, '--fast']);
    expect(res.code).toBe(1);
    expect(res.out).toContain('✗ FAIL  demo/strict');
    expect(res.out).toMatch(/✗ a call record exists/);
    expect(res.out).toContain('0/2 scenario(s) passed');
  }, 60_000);

  it('exits 2 on usage errors and when no gateway answers', async () => {
    const usage = await cli([simulateCommand()], ['simulate', 'demo', '--url', url]);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('name a scenario or pass --all');
    expect(usage.err).toContain('demo/hello');
    const unknown = await cli([simulateCommand()], ['simulate', 'demo', 'nope', '--url', url]);
    expect(unknown.code).toBe(2);
    const down = await cli([simulateCommand(false)], ['simulate', 'demo', 'hello', '--url', 'http://127.0.0.1:1', '--no-records']);
    expect(down.code).toBe(2);
    expect(down.err).toContain('SIMULATOR_GATEWAY_UNREACHABLE');
  }, 60_000);
});
