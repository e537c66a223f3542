/**
 * Retention on real Postgres (and Redis for the schedule): `switchboard purge --dry-run` reports
 * and deletes nothing; `switchboard purge` leaves an old call its metadata (times, end reason,
 * sentiment, intent, scores, pass/fail) and takes its content (transcript, tool arguments and
 * results, recording references, the analysis' free text, in every revision); a recent call and
 * kinds without retention are untouched; the BullMQ job scheduler and the in-process timer run it.
 */
import { tmpdir } from 'node:os';
import { Queue } from 'bullmq';
import { buildProcessor, startRetentionScheduler, startRetentionTimer, type PurgeReport } from '../../src/analysis/index.js';
import { buildProgram } from '../../src/cli/main.js';
import type { CliIo, CliRun } from '../../src/cli/context.js';
import { makePurgeCommand } from '../../src/cli/commands/purge.js';
import { callRetentionSection } from '../../src/cli/commands/callRetention.js';
import type { StoredCall } from '../../src/store/index.js';
import type { Manifest } from '../../src/manifest/index.js';
import { openStore } from '../../src/store/index.js';
import {
  TEST_DATABASE_URL, TEST_REDIS_URL, endedCall, eventually, openAnalysisEnv, testConfig, uniqueSuffix, type AnalysisTestEnv,
} from './analysis.helpers.js';

let env: AnalysisTestEnv;
let manifest: Manifest;
beforeAll(async () => {
  env = await openAnalysisEnv({
    fields: [
      { name: 'service_requested', type: 'string', description: 'Service asked for.' },
      { name: 'wants_colour', type: 'boolean', description: 'Asked for colour.', keywords: { yes: ['highlights'] } },
    ],
    success: { criteria: [{ name: 'booked', description: 'Booked.', when: { toolSucceeded: 'salon_book_appointment' } }] },
  });
  // Transcripts and tool arguments kept 30 days, recordings 7, analysis text 90.
  manifest = { ...env.manifest, retention: { transcripts: 30, toolArguments: 30, recordings: 7, analysis: 90 } };
  env.catalog.swap(manifest, 'v-retention');
});
afterAll(async () => { await env.close(); });

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const run: CliRun = { io, exitCode: 0 };
  const program = buildProgram(run, [
    makePurgeCommand({
      config: () => ({ ...testConfig(), database: { url: TEST_DATABASE_URL, poolSize: 4 } }),
      openStore: (o) => openStore({ ...o, schema: env.coreSchema }),
      loadCatalog: async () => ({ get: (id: string) => env.catalog.get(id), list: () => env.catalog.list().map((v) => ({ ...v, dir: tmpdir() })) }),
    }),
  ]);
  return { run, out, err, exec: (...args: string[]) => program.parseAsync(['node', 'switchboard', ...args]) };
}

const vdb = () => env.store.dbForVertical(manifest);
const count = async (sql: string, id: string) => Number((await env.store.db.query<{ n: number }>(sql, [id])).rows[0]!.n);

/** An analysed call that ended `daysAgo` days ago, with a recording reference. */
async function oldCall(daysAgo: number): Promise<string> {
  const id = await endedCall(env);
  await env.store.calls.mergeMetadata(id, { recordingSid: 'RE0123', recordingUrl: 'https://api.twilio.com/rec/RE0123', language: 'en' });
  await env.store.db.query('UPDATE calls SET recording_url = $2 WHERE id = $1', [id, 'https://api.twilio.com/rec/RE0123']);
  await buildProcessor({ config: testConfig(), store: env.store, catalog: env.catalog })({ data: { callId: id, vertical: manifest.id } });
  await env.store.db.query(
    `UPDATE calls SET started_at = now() - make_interval(days => $2) - interval '2 minutes', ended_at = now() - make_interval(days => $2) WHERE id = $1`,
    [id, daysAgo],
  );
  return id;
}

it('dry-run reports what would go and deletes nothing; purge keeps metadata and removes content', async () => {
  // The recording feature may keep references in columns of its own on calls; the purge follows the naming convention.
  await env.store.db.query('ALTER TABLE calls ADD COLUMN IF NOT EXISTS recording_url text');
  const old = await oldCall(100);
  const recent = await oldCall(1);
  const before = await env.store.db.query('SELECT * FROM calls WHERE id = $1', [old]);
  const analysisBefore = (await env.store.analysis.get(vdb(), old))!;
  expect(analysisBefore.summary.length).toBeGreaterThan(0);
  expect(analysisBefore.fields.service_requested).toBeTruthy();

  const dry = cli();
  await dry.exec('purge', '--dry-run');
  expect(dry.err).toEqual([]);
  const text = dry.out.join('\n');
  expect(text).toMatch(new RegExp(`${manifest.id}: would purge transcript lines of 1 call \\(6 rows\\) ended before .* \\(30 days\\)`));
  expect(text).toContain(`${manifest.id}: would purge tool arguments/results of 1 call (1 rows)`);
  expect(text).toContain(`${manifest.id}: would purge recording references of 1 call`);
  expect(text).toContain(`${manifest.id}: would purge analysis free text of 1 call`);
  expect(text).toContain('dry run: nothing was deleted');
  expect(await count('SELECT count(*)::int AS n FROM transcript_items WHERE call_id = $1', old)).toBe(6);
  expect(await count('SELECT count(*)::int AS n FROM tool_invocations WHERE call_id = $1 AND arguments IS NOT NULL', old)).toBe(1);
  expect((await env.store.calls.get(old))!.metadata).toHaveProperty('recordingSid');

  const run = cli();
  await run.exec('purge', '--json');
  const report = JSON.parse(run.out.join('\n')) as PurgeReport;
  expect(report.dryRun).toBe(false);
  expect(report.lines.map((l) => [l.kind, l.calls])).toEqual([['transcripts', 1], ['toolArguments', 1], ['recordings', 1], ['analysis', 1]]);

  // Metadata kept.
  const after = (await env.store.db.query('SELECT * FROM calls WHERE id = $1', [old])).rows[0]!;
  for (const key of ['started_at', 'ended_at', 'end_reason', 'duration_ms', 'status', 'vertical', 'manifest_version']) {
    expect(after[key]).toEqual(before.rows[0]![key]);
  }
  expect(Object.keys(after.purged as object).sort()).toEqual(['analysis', 'recordings', 'toolArguments', 'transcripts']);
  const analysis = (await env.store.analysis.get(vdb(), old))!;
  expect(analysis).toMatchObject({
    intent: analysisBefore.intent, leadScore: analysisBefore.leadScore, sentiment: analysisBefore.sentiment,
    leadReasons: analysisBefore.leadReasons, fields: { wants_colour: true, service_requested: null },
    success: { passed: true, criteria: [{ name: 'booked', passed: true, reason: '' }] },
  });
  expect(analysis.purgedAt).toBeInstanceOf(Date);
  const tools = await env.store.toolInvocations.list(old);
  expect(tools.map((t) => [t.toolName, t.status, t.arguments, t.result])).toEqual([['salon_book_appointment', 'ok', null, null]]);

  // Content gone, in every revision too.
  expect(analysis.summary).toBe('');
  expect((await env.store.analysis.revisions(vdb(), old)).map((r) => r.summary)).toEqual(['']);
  expect(await count('SELECT count(*)::int AS n FROM transcript_items WHERE call_id = $1', old)).toBe(0);
  expect(after.metadata).toEqual({ language: 'en' });
  expect(after.recording_url).toBeNull();

  // `calls show` says what went and when; nothing for the recent call.
  const shown = await callRetentionSection.load(env.store, { call: { id: old } } as StoredCall);
  expect(shown!.text).toContain('transcripts removed by retention on');
  expect(Object.keys(shown!.json as object)).toHaveLength(4);
  expect(await callRetentionSection.load(env.store, { call: { id: recent } } as StoredCall)).toBeNull();

  // The recent call keeps everything.
  expect(await count('SELECT count(*)::int AS n FROM transcript_items WHERE call_id = $1', recent)).toBe(6);
  expect((await env.store.analysis.get(vdb(), recent))!.summary.length).toBeGreaterThan(0);
  expect((await env.store.calls.get(recent))!.metadata).toHaveProperty('recordingUrl');

  // Purging again finds nothing; an unknown vertical is a usage error.
  const again = cli();
  await again.exec('purge', '--vertical', manifest.id);
  expect(again.out.join('\n')).toContain('purged transcript lines of 0 calls');
  const bad = cli();
  await bad.exec('purge', '--vertical', 'nope');
  expect(bad.err.join('\n')).toContain('error CLI_USAGE: no vertical "nope"');
});

it('runs on a BullMQ job scheduler in the worker, and on a timer without Redis', async () => {
  const suffix = uniqueSuffix();
  const settings = { redisUrl: TEST_REDIS_URL, prefix: `sbtest-${suffix}` };
  let runs = 0;
  const run = async (): Promise<PurgeReport> => { runs++; return { dryRun: false, lines: [] }; };
  const schedule = await startRetentionScheduler(settings, { intervalMs: 200, run, queueName: `retention-${suffix}` });
  try {
    await eventually(async () => runs >= 2, 'two scheduled purges');
  } finally {
    await schedule.close();
    const q = new Queue(`retention-${suffix}`, { connection: { url: TEST_REDIS_URL }, prefix: settings.prefix });
    expect((await q.getJobSchedulers()).map((s) => s.key)).toEqual(['retention-purge']);
    await q.obliterate({ force: true });
    await q.close();
  }

  let timerRuns = 0;
  const timer = startRetentionTimer({ intervalMs: 60_000, firstRunMs: 10, run: async () => { timerRuns++; return { dryRun: false, lines: [] }; } });
  await eventually(async () => timerRuns === 1, 'the first in-process purge');
  await timer.close();
});
