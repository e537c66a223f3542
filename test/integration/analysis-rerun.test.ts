/**
 * `switchboard analysis rerun` on real Postgres: a call analysed by its post-call job is analysed
 * again after its vertical gained a field (revision 2, the first kept), then every call of the
 * vertical since a date with the OpenAI analyser against the local fake API (auto + a key);
 * `calls show` prints the current revision and how many are kept.
 */
import { tmpdir } from 'node:os';
import { buildProcessor } from '../../src/analysis/index.js';
import { buildProgram } from '../../src/cli/main.js';
import type { CliIo, CliRun } from '../../src/cli/context.js';
import { makeAnalysisCommand } from '../../src/cli/commands/analysis.js';
import { makeCallAnalysisSection } from '../../src/cli/commands/callAnalysis.js';
import { openStore } from '../../src/store/index.js';
import { startFakeOpenAiApi, type FakeOpenAiApi } from '../fakes/openaiApi.js';
import {
  TEST_DATABASE_URL, analysisManifest, endedCall, openAnalysisEnv, testConfig, type AnalysisTestEnv,
} from './analysis.helpers.js';

let env: AnalysisTestEnv;
let fake: FakeOpenAiApi;
beforeAll(async () => {
  env = await openAnalysisEnv({ analyser: 'auto' });
  fake = await startFakeOpenAiApi();
});
afterAll(async () => {
  await fake.close();
  await env.close();
});

function cli(openAi: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const run: CliRun = { io, exitCode: 0 };
  const base = testConfig(openAi ? { openAiKey: 'sk-test', openAiBaseUrl: fake.baseUrl } : {});
  const program = buildProgram(run, [
    makeAnalysisCommand({
      config: () => ({ ...base, database: { url: TEST_DATABASE_URL, poolSize: 4 } }),
      openStore: (o) => openStore({ ...o, schema: env.coreSchema }),
      loadCatalog: async () => ({ get: (id: string) => env.catalog.get(id), list: () => env.catalog.list().map((v) => ({ ...v, dir: tmpdir() })) }),
    }),
  ]);
  return { run, out, err, exec: (...args: string[]) => program.parseAsync(['node', 'switchboard', ...args]) };
}

const vdb = () => env.store.dbForVertical(env.manifest);

it('re-runs one call with the current manifest and keeps the earlier revision', async () => {
  const callId = await endedCall(env);
  const processor = buildProcessor({ config: testConfig(), store: env.store, catalog: env.catalog });
  await processor({ id: callId, data: { callId, vertical: env.manifest.id } });
  const first = await env.store.analysis.get(vdb(), callId);
  expect(first).toMatchObject({ revision: 1, revisionCount: 1, analyser: 'heuristic' });
  expect(first!.fields).not.toHaveProperty('wants_colour');

  // The vertical gains a field (and a success rubric) after the call.
  const changed = analysisManifest(env.manifest.id, env.manifest.storage.schema!, {
    analyser: 'auto',
    fields: [
      ...env.manifest.analysis.fields,
      { name: 'wants_colour', type: 'boolean', description: 'Asked for colour.', keywords: { yes: ['highlights'] } },
    ],
    success: { criteria: [{ name: 'booked', description: 'Booked.', when: { toolSucceeded: 'salon_book_appointment' } }] },
  });
  env.catalog.swap(changed, 'v2');

  const c = cli(false);
  await c.exec('analysis', 'rerun', callId);
  expect(c.err).toEqual([]);
  expect(c.run.exitCode).toBe(0);
  expect(c.out.join('\n')).toContain(`${callId}  revision 2 (2 kept)  heuristic  intent book`);

  const current = await env.store.analysis.get(vdb(), callId);
  expect(current).toMatchObject({ revision: 2, revisionCount: 2, fields: { wants_colour: true } });
  expect(current!.success).toEqual({ passed: true, criteria: [{ name: 'booked', passed: true, reason: 'salon_book_appointment succeeded' }] });
  const revisions = await env.store.analysis.revisions(vdb(), callId);
  expect(revisions.map((r) => [r.revision, r.origin])).toEqual([[1, 'job'], [2, 'rerun']]);
  expect(revisions[0]!.fields).not.toHaveProperty('wants_colour');
  expect(revisions[0]!.summary).toBe(first!.summary);

  const section = makeCallAnalysisSection({ manifestFor: async (id) => env.catalog.get(id)?.manifest });
  const shown = await section.load(env.store, { call: { id: callId, vertical: env.manifest.id } });
  expect(shown!.text).toContain('revision 2, 2 kept');
  expect(shown!.text).toContain('Success:    pass');
  expect(shown!.json).toMatchObject({ revision: 2, revisionCount: 2, success: { passed: true } });
});

it('re-runs a vertical since a date with the OpenAI analyser when a key is configured, and reports bad input', async () => {
  const since = new Date(Date.now() - 60_000).toISOString();
  const reply = {
    summary: 'The caller booked highlights.',
    sentiment: { label: 'positive', score: 0.6 },
    intent: 'book',
    fields: { service_requested: 'Highlights', topics: ['color'], wants_colour: true },
  };
  const before = await env.store.analysis.endedCallIds(env.manifest.id, new Date(since));
  fake.script(...before.map(() => ({ kind: 'json' as const, content: reply })));
  const c = cli(true);
  await c.exec('analysis', 'rerun', '--vertical', env.manifest.id, '--since', since, '--json');
  expect(c.err).toEqual([]);
  const outcomes = JSON.parse(c.out.join('\n')) as Array<{ ok: boolean; analyser: string; revision: number }>;
  expect(outcomes.length).toBe(before.length);
  expect(outcomes.length).toBeGreaterThan(0);
  expect(outcomes.every((o) => o.ok && o.analyser === 'openai')).toBe(true);
  expect(fake.requests.every((r) => r.problems.length === 0)).toBe(true);
  const latest = await env.store.analysis.get(vdb(), before[0]!);
  expect(latest).toMatchObject({ analyser: 'openai', summary: reply.summary, revision: 3, revisionCount: 3 });

  const bad = cli(false);
  await bad.exec('analysis', 'rerun', '--vertical', env.manifest.id, '--since', 'last tuesday');
  expect(bad.err.join('\n')).toContain('error CLI_USAGE: --since must be a date');
  const missing = cli(false);
  await missing.exec('analysis', 'rerun', '00000000-0000-4000-8000-000000000000');
  expect(missing.out.join('\n')).toContain('ANALYSIS_CALL_NOT_FOUND');
  expect(missing.run.exitCode).toBe(1);
});
