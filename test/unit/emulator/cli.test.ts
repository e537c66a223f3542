import { join } from 'node:path';
import { buildProgram } from '../../../src/cli/main.js';
import type { CliRun } from '../../../src/cli/context.js';
import { makeEmulatorCommand } from '../../../src/cli/commands/emulator.js';
import { RawClient } from './rawClient.js';

function runCli(args: string[], onRunning: (url: string) => Promise<void>): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const run: CliRun = { io: { out: (t) => void out.push(t), err: (t) => void err.push(t) }, exitCode: 0 };
  const command = makeEmulatorCommand({
    defaultVerticalsDir: () => join(process.cwd(), 'verticals'),
    waitForStop: async (emulator) => onRunning(emulator.url),
  });
  const program = buildProgram(run, [command]);
  return program.parseAsync(['node', 'switchboard', 'emulator', ...args]).then(() => ({ out, err, code: run.exitCode }));
}

describe('switchboard emulator', () => {
  it('listens on 127.0.0.1, prints its URL and serves scenarios per connection', async () => {
    let seen = '';
    const result = await runCli(['--port', '0', '--voice', 'synthetic', '--speed', 'inf'], async (url) => {
      const c = await RawClient.connect(`${url}?scenario=salon/booking`);
      await c.waitFor('session.created');
      c.send({ type: 'response.create' });
      const done = await c.waitFor('response.done');
      seen = JSON.stringify(done);
      await c.close();
    });
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^Realtime emulator listening on ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime$/);
    expect(result.out.join('\n')).toContain('salon/booking');
    expect(result.out.join('\n')).toContain('not a language model');
    expect(seen).toContain('Thanks for calling Luna Hair Studio');
    expect(result.out.at(-1)).toBe('emulator stopped after 1 session(s)');
  });

  it('refuses an unknown scenario and a bad brain with exit code 1', async () => {
    const never = async (): Promise<void> => {
      throw new Error('should not start');
    };
    const unknown = await runCli(['--port', '0', '--scenario', 'salon/nope'], never);
    expect(unknown.code).toBe(1);
    expect(unknown.err.join('\n')).toMatch(/unknown scenario "salon\/nope"/);
    const brain = await runCli(['--port', '0', '--brain', 'gpt'], never);
    expect(brain.code).toBe(1);
    expect(brain.err.join('\n')).toMatch(/--brain must be scripted or rules/);
  });
});
