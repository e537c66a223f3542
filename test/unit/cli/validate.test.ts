import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram, main, type CliIo, type CliRun } from '../../../src/cli/index.js';
import { makeValidateCommand, type ManifestCommandDeps } from '../../../src/cli/commands/validate.js';
import { makeVerticalsCommand, renderTable } from '../../../src/cli/commands/verticals.js';
import { CommanderError } from 'commander';
import { fixtureRegistry } from '../../fixtures/manifests/registry.js';

interface Captured extends CliIo {
  stdout: string[];
  stderr: string[];
}
const capture = (): Captured => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(...t.replace(/\n$/, '').split('\n')), err: (t) => stderr.push(...t.replace(/\n$/, '').split('\n')) };
};

/** Runs the CLI with the fixture tool registry (the real registry is exercised through `main`). */
async function runWithFixtures(args: string[]): Promise<{ code: number; io: Captured }> {
  const io = capture();
  const run: CliRun = { io, exitCode: 0 };
  const deps: ManifestCommandDeps = {
    loadRegistry: async () => fixtureRegistry,
    paths: () => ({ verticals: 'test/fixtures/manifests/valid/verticals', agents: 'test/fixtures/manifests/valid/agents' }),
  };
  const program = buildProgram(run, [makeValidateCommand(deps), makeVerticalsCommand(deps)]);
  try {
    await program.parseAsync(['node', 'switchboard', ...args]);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return { code: err.exitCode === 0 ? 0 : 2, io };
  }
  return { code: run.exitCode, io };
}

const fixture = (name: string) => [`test/fixtures/manifests/${name}/verticals`, '--agents', `test/fixtures/manifests/${name}/agents`];

describe('switchboard validate', () => {
  it('prints ok and exits 0 for valid manifests', async () => {
    const { code, io } = await runWithFixtures(['validate']);
    expect(code).toBe(0);
    expect(io.stdout).toEqual(['ok: 1 vertical valid in test/fixtures/manifests/valid/verticals (salon), 0 scenarios, 0 warnings']);
  });

  it('prints every problem line and a summary, and exits 1 on errors', async () => {
    const { code, io } = await runWithFixtures(['validate', ...fixture('many-errors')]);
    expect(code).toBe(1);
    const file = 'test/fixtures/manifests/many-errors/verticals/salon/vertical.yaml';
    expect(io.stdout).toEqual([
      `${file}:7 languages.extra: unknown key "extra"`,
      `${file}:18 agents[0].tools[1]: unknown tool "charge_card"`,
      `${file}:24 agents[1].handoffs[0]: unknown agent "billing"`,
      'failed: 3 errors, 0 warnings in test/fixtures/manifests/many-errors/verticals',
    ]);
  });

  it('prints warnings but exits 0', async () => {
    const { code, io } = await runWithFixtures(['validate', ...fixture('unreachable')]);
    expect(code).toBe(0);
    expect(io.stdout).toEqual([
      'test/fixtures/manifests/unreachable/verticals/salon/vertical.yaml:24 agents[2].name: warning: agent "Archivist" is not reachable from the entry agent "Receptionist"',
      'ok: 1 vertical valid in test/fixtures/manifests/unreachable/verticals (salon), 0 scenarios, 1 warning',
    ]);
  });

  it('checks numbers across the whole directory', async () => {
    const { code, io } = await runWithFixtures(['validate', ...fixture('number-conflict')]);
    expect(code).toBe(1);
    expect(io.stdout.at(-1)).toBe('failed: 2 errors, 0 warnings in test/fixtures/manifests/number-conflict/verticals');
  });

  it('shows help with examples', async () => {
    const { code, io } = await runWithFixtures(['validate', '--help']);
    expect(code).toBe(0);
    const help = io.stdout.join('\n');
    expect(help).toContain('Usage: switchboard validate [options] [dir]');
    expect(help).toContain('$ switchboard validate ./my-verticals');
  });
});

describe('switchboard verticals', () => {
  it('prints a table', async () => {
    const { code, io } = await runWithFixtures(['verticals']);
    expect(code).toBe(0);
    expect(io.stdout[0]).toMatch(/^ID\s+VERSION\s+ENGINE\s+NUMBERS\s+ENTRY\s+AGENTS\s+TOOLS$/);
    expect(io.stdout[1]).toMatch(/^salon\s+[0-9a-f]{12}\s+realtime\s+\+14155550100\s+Receptionist\s+3\s+2$/);
    expect(io.stdout).toHaveLength(2);
  });

  it('prints JSON with agents, tools and engine', async () => {
    const { code, io } = await runWithFixtures(['verticals', '--json']);
    expect(code).toBe(0);
    const listing = JSON.parse(io.stdout.join('\n'));
    expect(listing).toEqual([{
      id: 'salon',
      version: expect.stringMatching(/^[0-9a-f]{12}$/),
      numbers: ['+14155550100'],
      entryAgent: 'Receptionist',
      agents: [
        { name: 'Receptionist', tools: ['lookup_service'], handoffs: ['Booking', 'Manager'], engine: 'realtime', model: 'gpt-realtime' },
        { name: 'Booking', tools: ['book_appointment'], handoffs: ['Receptionist'], engine: 'realtime', model: 'gpt-realtime' },
        { name: 'Manager', tools: [], handoffs: ['Receptionist'], engine: 'realtime', model: 'gpt-realtime' },
      ],
      tools: ['book_appointment', 'lookup_service'],
      engine: { requested: 'realtime', effective: 'realtime' },
    }]);
    expect(io.stderr).toEqual([]);
  });

  it('refuses to list invalid manifests, with the problems on stderr and exit 1', async () => {
    const { code, io } = await runWithFixtures(['verticals', '--json', ...fixture('unknown-handoff')]);
    expect(code).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toEqual([
      'test/fixtures/manifests/unknown-handoff/verticals/salon/vertical.yaml:23 agents[1].handoffs[1]: unknown agent "billing"',
      'cannot list verticals: 1 error(s); run `switchboard validate`',
    ]);
  });

  it('shows help with examples', async () => {
    const { io } = await runWithFixtures(['verticals', '--help']);
    expect(io.stdout.join('\n')).toContain("$ switchboard verticals --json | jq '.[].id'");
  });

  it('pads table columns to the widest cell', () => {
    expect(renderTable(['A', 'B'], [['long', 'x'], ['s', 'y']])).toBe('A     B\nlong  x\ns     y');
  });
});

describe('main with the real tool registry', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-cli-'));
    mkdirSync(join(root, 'verticals', 'demo'), { recursive: true });
    mkdirSync(join(root, 'agents', 'fragments'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (extra: string) => writeFileSync(join(root, 'verticals', 'demo', 'vertical.yaml'), `id: demo
name: Demo
numbers: ["+14155550142"]
languages: { default: en-US, supported: [{ code: en-US, voice: alloy }] }
greeting: Hello
entryAgent: Main
agents:
  - name: Main
    description: Answers.
    instructions: Answer.
${extra}`);
  const argv = (...args: string[]) => ['node', 'switchboard', ...args];

  it('validates a directory and exits 0', async () => {
    write('');
    const io = capture();
    const code = await main(argv('validate', join(root, 'verticals'), '--agents', join(root, 'agents')), io);
    expect(io.stdout.at(-1)).toMatch(/^ok: 1 vertical valid in .* \(demo\), 0 scenarios, 0 warnings$/);
    expect(code).toBe(0);
  });

  it('reports a tool the real registry does not have and exits 1', async () => {
    write('    tools: [definitely_not_a_tool]\n');
    const io = capture();
    const code = await main(argv('validate', join(root, 'verticals'), '--agents', join(root, 'agents')), io);
    expect(code).toBe(1);
    expect(io.stdout[0]).toMatch(/verticals\/demo\/vertical\.yaml:11 agents\[0\]\.tools\[0\]: unknown tool "definitely_not_a_tool"$/);
  });

  it('lists verticals as JSON', async () => {
    cpSync(join(root, 'verticals'), join(root, 'copy'), { recursive: true });
    write('');
    const io = capture();
    const code = await main(argv('verticals', join(root, 'verticals'), '--json', '--agents', join(root, 'agents')), io);
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout.join('\n')).map((v: { id: string }) => v.id)).toEqual(['demo']);
  });

  it('lists both commands in the top-level help', async () => {
    const io = capture();
    const code = await main(argv('--help'), io);
    expect(code).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/validate \[options\] \[dir\]/);
    expect(io.stdout.join('\n')).toMatch(/verticals \[options\] \[dir\]/);
  });
});
