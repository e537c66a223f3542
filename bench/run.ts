/**
 * `npm run bench`: Switchboard's figures, one section after another.
 *
 *   npm run bench                               every section with the defaults
 *   npm run bench -- --only edge --calls 50     one section, one load
 *   npm run bench -- --modes passthrough --seconds 10 --profile   (gateway CPU profiles in bench/profiles)
 *   npm run bench -- --json                     results as JSON on stdout as well
 *   npm run bench -- --only fleet --calls 100   one process vs --workers 2 on one port (Postgres)
 *   npm run bench -- --only soak --calls 40 --minutes 2   the soak (faults every few seconds), shortened
 *   npm run bench -- --only language --runs 5   language detection on the labelled set, and the switch's cut-over (Postgres)
 *   npm run bench -- --only cascade           100 calls (or --calls) on the cascade engine against the emulator's
 *                                               instant peers: frames lost, the engine's own time per turn from the
 *                                               calls' latency samples (Postgres), gateway CPU next to realtime's
 *   npm run bench -- --only edge --tracing on   gateway tracing to a local OTLP receiver (off | on | both;
 *                                               both, the default, runs passthrough twice and reports the overhead)
 *
 * To add a section: write `bench/sections/<name>.ts` exporting a `BenchSection` and append it
 * to SECTIONS below.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { edgeSection } from './sections/edge.js';
import { analysisSection } from './analysis.js';
import { webrtcSection } from './sections/webrtc.js';
import { fleetSection } from './sections/fleet.js';
import { soakSection } from './sections/soak.js';
import { languageSection } from './sections/language.js';
import { cascadeSection } from './sections/cascade.js';
import type { BenchContext, BenchSection, SectionResult } from './types.js';

const SECTIONS: BenchSection[] = [
  edgeSection,
  // Append further sections here (e.g. post-call analysis throughput).
  analysisSection,
  webrtcSection,
  fleetSection,
  soakSection,
  languageSection,
  cascadeSection,
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

async function main(): Promise<void> {
  const profileDir = join(process.cwd(), 'bench', 'profiles');
  const ctx: BenchContext = {
    calls: (arg('calls') ?? '50,200').split(',').map(Number).filter((n) => n > 0),
    callsGiven: arg('calls') !== undefined,
    modes: (arg('modes') ?? 'passthrough,transcoding').split(',') as BenchContext['modes'],
    windowSec: Number(arg('seconds') ?? 15),
    profile: flag('profile'),
    tracing: (arg('tracing') ?? 'both') as BenchContext['tracing'],
    profileDir,
    databaseUrl: process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    log: (line) => process.stderr.write(`${line}\n`),
  };
  if (ctx.profile) mkdirSync(profileDir, { recursive: true });
  const only = arg('only');
  const sections = only ? SECTIONS.filter((s) => only.split(',').includes(s.name)) : SECTIONS;
  const all: Array<{ section: string; results: SectionResult[] }> = [];
  let missed = 0;
  for (const section of sections) {
    const results = await section.run(ctx);
    all.push({ section: section.name, results });
    process.stdout.write(`\n== ${section.title}\n`);
    for (const r of results) {
      process.stdout.write(`\n  ${r.heading}\n`);
      const width = Math.max(...r.figures.map((f) => f.name.length));
      for (const f of r.figures) {
        const mark = f.ok === undefined ? '' : f.ok ? '  ✓' : '  ✗ target missed';
        if (f.ok === false) missed++;
        process.stdout.write(`    ${f.name.padEnd(width)}  ${f.value}${mark}\n`);
      }
    }
  }
  if (flag('json')) process.stdout.write(`\n${JSON.stringify(all.map((s) => ({ section: s.section, results: s.results.map((r) => ({ heading: r.heading, raw: r.raw })) })), null, 2)}\n`);
  process.stdout.write(`\n${missed === 0 ? 'All targets met.' : `${missed} target(s) missed.`}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
