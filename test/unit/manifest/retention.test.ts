/** Manifest `retention`: days per kind; zero, negative or fractional days are errors at file:line. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { formatProblem, loadVerticals } from '../../../src/manifest/index.js';
import { fixtureCase, fixtureRegistry } from '../../fixtures/manifests/registry.js';

function loadWith(extra: string) {
  const c = fixtureCase('valid');
  const root = mkdtempSync(join(tmpdir(), 'sb-retention-'));
  try {
    cpSync(c.verticalsDir, join(root, 'verticals'), { recursive: true });
    const file = join(root, 'verticals', 'salon', 'vertical.yaml');
    const source = readFileSync(file, 'utf8');
    writeFileSync(file, `${source.trimEnd()}\n${extra}`);
    const result = loadVerticals(join(root, 'verticals'), { registry: fixtureRegistry, agentsDir: c.agentsDir });
    const text = readFileSync(file, 'utf8');
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    return { result, lines: result.problems.map(formatProblem), file: relative(process.cwd(), file), lineOf };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('manifest retention', () => {
  it('parses days per kind and leaves omitted kinds unlimited', () => {
    const { result, lines } = loadWith('retention:\n  transcripts: 30\n  analysis: 365\n');
    expect(lines).toEqual([]);
    expect(result.verticals[0]!.manifest.retention).toEqual({ transcripts: 30, analysis: 365 });
  });

  it('reports zero, negative and fractional days at their file and line', () => {
    const { lines, file, lineOf } = loadWith('retention:\n  transcripts: 0\n  toolArguments: -3\n  recordings: 1.5\n  analysis: 7\n');
    expect(lines).toEqual(expect.arrayContaining([
      `${file}:${lineOf('transcripts: 0')} retention.transcripts: must be at least 1`,
      `${file}:${lineOf('toolArguments: -3')} retention.toolArguments: must be at least 1`,
      `${file}:${lineOf('recordings: 1.5')} retention.recordings: expected a whole number, got a number`,
    ]));
    expect(lines).toHaveLength(3);
  });

  it('refuses an unknown kind', () => {
    const { lines } = loadWith('retention:\n  voicemail: 3\n');
    expect(lines.join('\n')).toMatch(/vertical\.yaml:\d+ retention.*voicemail/);
  });
});
