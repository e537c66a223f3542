import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { buildProgram, type CliIo, type CliRun } from '../../../src/cli/index.js';
import { makeValidateCommand } from '../../../src/cli/commands/validate.js';
import { fixtureRegistry } from '../../fixtures/manifests/registry.js';

const SCENARIO = (tool: string, handoff: string) => `description: a caller asks about a service
opening:
  - say: Hello, Salon Demo.
turns:
  - caller: How much is a cut?
    agent:
      - handoff: ${handoff}
      - call:
          tool: ${tool}
          args: {}
      - say: Done.
expect:
  tools:
    - name: ${tool}
`;

async function validate(verticals: string, agents: string): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const io: CliIo = { out: (t) => out.push(...t.replace(/\n$/, '').split('\n')), err: (t) => out.push(t) };
  const run: CliRun = { io, exitCode: 0 };
  const program = buildProgram(run, [makeValidateCommand({ loadRegistry: async () => fixtureRegistry, paths: () => ({ verticals, agents }) })]);
  try {
    await program.parseAsync(['node', 'switchboard', 'validate']);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    return { code: 2, out };
  }
  return { code: run.exitCode, out };
}

describe('switchboard validate with scenarios', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sb-validate-scen-'));
    cpSync('test/fixtures/manifests/valid', root, { recursive: true });
    mkdirSync(join(root, 'verticals/salon/scenarios'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('counts scenarios that match their manifest', async () => {
    writeFileSync(join(root, 'verticals/salon/scenarios/ok.yaml'), SCENARIO('book_appointment', 'Booking'));
    const { code, out } = await validate(join(root, 'verticals'), join(root, 'agents'));
    expect(code).toBe(0);
    expect(out.at(-1)).toMatch(/^ok: 1 vertical valid in .* \(salon\), 1 scenario, 0 warnings$/);
  });

  it('fails with file:line for a scenario that calls a tool its agent does not have', async () => {
    writeFileSync(join(root, 'verticals/salon/scenarios/bad.yaml'), SCENARIO('charge_card', 'Booking'));
    const { code, out } = await validate(join(root, 'verticals'), join(root, 'agents'));
    expect(code).toBe(1);
    expect(out.some((l) => /bad\.yaml:\d+ turns\[0\]\.agent\[1\]\.call\.tool: .*charge_card/.test(l))).toBe(true);
    expect(out.at(-1)).toMatch(/^failed: /);
  });

  it('fails with file:line for a scenario file that does not parse', async () => {
    writeFileSync(join(root, 'verticals/salon/scenarios/broken.yaml'), 'description: x\nturns: 7\n');
    const { code, out } = await validate(join(root, 'verticals'), join(root, 'agents'));
    expect(code).toBe(1);
    expect(out.some((l) => /broken\.yaml:2 turns/.test(l))).toBe(true);
  });
});
