import { z } from 'zod';
import { defineTool, executeTool, ToolError, createRegistry, idempotencyKeyFor } from '../../../src/toolkit/index.js';
import { makeEnv } from './helpers.js';

const echo = defineTool({
  name: 'echo_twice',
  description: 'Echoes a word twice.',
  input: z.object({ word: z.string().min(1), times: z.number().int().min(1).max(3).optional() }),
  output: z.object({ text: z.string() }),
  idempotent: true,
  async execute({ word, times }) {
    return { text: Array(times ?? 2).fill(word).join(' ') };
  },
});

describe('defineTool', () => {
  it('defaults the timeout to 8 seconds and refuses bad names or non-object inputs', () => {
    expect(echo.timeoutMs).toBe(8000);
    expect(() => defineTool({ ...echo, name: 'Bad-Name' })).toThrow(/snake_case/);
    expect(() => defineTool({ ...echo, name: 'ok_name', input: z.string() as never })).toThrow(/z.object/);
  });

  it('builds a registry and refuses duplicate names', () => {
    const reg = createRegistry([echo]);
    expect(reg.has('echo_twice')).toBe(true);
    expect(reg.get('echo_twice')).toBe(echo);
    expect(reg.names()).toEqual(['echo_twice']);
    expect(() => createRegistry([echo, echo])).toThrow(/defined twice/);
  });
});

describe('executeTool', () => {
  it('runs a valid call, returns JSON to the model and records it ok', async () => {
    const env = makeEnv();
    const out = await executeTool(echo, '{"word":"hi"}', env, 'call_1');
    expect(out).toMatchObject({ status: 'ok', output: '{"text":"hi hi"}', replayed: false });
    const row = env.recorder.invocations.get(idempotencyKeyFor(env.callId, 'call_1'));
    expect(row).toMatchObject({ status: 'ok', toolName: 'echo_twice', agent: 'Front Desk', result: { text: 'hi hi' }, arguments: { word: 'hi' } });
  });

  it('treats nulls for optional fields as absent (strict-mode models send them)', async () => {
    const out = await executeTool(echo, '{"word":"hi","times":null}', makeEnv(), 'call_n');
    expect(out.status).toBe('ok');
  });

  it('keeps a null the schema accepts while dropping nulls for optional fields', async () => {
    const t = defineTool({
      ...echo, name: 'mixed',
      input: z.object({ word: z.string(), note: z.string().nullable(), times: z.number().optional(), nested: z.object({ tag: z.string().optional() }).optional() }),
      async execute({ word, note, nested }) { return { text: `${word}|${note}|${nested?.tag ?? '-'}` }; },
    });
    const out = await executeTool(t, { word: 'w', note: null, times: null, nested: { tag: null } }, makeEnv(), 'c_mixed');
    expect(out).toMatchObject({ status: 'ok', output: '{"text":"w|null|-"}' });
  });

  it('replays a finished call instead of executing it again', async () => {
    const env = makeEnv();
    let runs = 0;
    const counted = defineTool({ ...echo, name: 'counted', idempotent: false, async execute() { runs++; return { text: `run ${runs}` }; } });
    const first = await executeTool(counted, '{"word":"a"}', env, 'call_r');
    const second = await executeTool(counted, '{"word":"a"}', env, 'call_r');
    expect(runs).toBe(1);
    expect(second).toMatchObject({ status: 'ok', replayed: true, output: first.output });
    const third = await executeTool(counted, '{"word":"a"}', env, 'call_other');
    expect(third.output).toBe('{"text":"run 2"}');
  });

  it('never runs a non-idempotent tool twice for one key: a timed-out attempt settles it', async () => {
    const env = makeEnv();
    let runs = 0;
    const booking = defineTool({
      ...echo, name: 'slow_booking', idempotent: false, timeoutMs: 20,
      async execute(_input, ctx) {
        runs++;
        // The first attempt commits and then overruns its timeout; a re-run would book twice.
        if (runs === 1) await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
        return { text: `booked ${runs}` };
      },
    });
    const first = await executeTool(booking, '{"word":"a"}', env, 'call_b');
    expect(first).toMatchObject({ status: 'timeout', errorCode: 'TIMEOUT', replayed: false });
    const again = await executeTool(booking, '{"word":"a"}', env, 'call_b');
    expect(runs).toBe(1);
    expect(again).toMatchObject({ status: 'timeout', errorCode: 'TIMEOUT', replayed: true, output: first.output });
    expect(env.recorder.list()[0]).toMatchObject({ status: 'timeout', attempts: 1 });
    // the model asking again is a new tool call id, so a new key: that one runs
    expect((await executeTool(booking, '{"word":"a"}', env, 'call_b2')).output).toBe('{"text":"booked 2"}');
  });

  it('gives a non-idempotent tool\'s ToolError again for the same key without running it', async () => {
    const env = makeEnv();
    let runs = 0;
    const taken = defineTool({
      ...echo, name: 'taken_slot', idempotent: false,
      async execute() { runs++; throw new ToolError('SLOT_TAKEN', 'That time was just taken.', { retryable: true }); },
    });
    const first = await executeTool(taken, '{"word":"a"}', env, 'call_t');
    const again = await executeTool(taken, '{"word":"a"}', env, 'call_t');
    expect(runs).toBe(1);
    expect(again).toMatchObject({ status: 'error', errorCode: 'SLOT_TAKEN', replayed: true });
    expect(JSON.parse(again.output)).toEqual(JSON.parse(first.output));
  });

  it('runs a non-idempotent tool once its invalid arguments are corrected under the same key', async () => {
    const env = makeEnv();
    let runs = 0;
    const booking = defineTool({ ...echo, name: 'book_once', idempotent: false, async execute() { runs++; return { text: 'booked' }; } });
    expect((await executeTool(booking, '{"word":""}', env, 'call_i')).status).toBe('invalid_arguments');
    expect(await executeTool(booking, '{"word":"a"}', env, 'call_i')).toMatchObject({ status: 'ok', replayed: false });
    expect(runs).toBe(1);
  });

  it('runs an idempotent tool again for a key whose earlier attempt failed', async () => {
    const env = makeEnv();
    let runs = 0;
    const flaky = defineTool({
      ...echo, name: 'flaky_read', idempotent: true,
      async execute() { runs++; if (runs === 1) throw new Error('connection reset'); return { text: 'read' }; },
    });
    expect((await executeTool(flaky, '{"word":"a"}', env, 'call_f')).errorCode).toBe('INTERNAL');
    expect(await executeTool(flaky, '{"word":"a"}', env, 'call_f')).toMatchObject({ status: 'ok', output: '{"text":"read"}', replayed: false });
    expect(runs).toBe(2);
  });

  it('answers malformed JSON and schema violations with a short invalid-arguments message', async () => {
    const env = makeEnv();
    const bad = await executeTool(echo, '{"word":', env, 'c1');
    expect(bad).toMatchObject({ status: 'invalid_arguments', output: 'invalid arguments: not valid JSON' });
    const wrong = await executeTool(echo, { word: '', times: 9 }, env, 'c2');
    expect(wrong.status).toBe('invalid_arguments');
    expect(wrong.output).toMatch(/^invalid arguments: word: .*; times: /);
    expect(env.recorder.invocations.get(idempotencyKeyFor(env.callId, 'c2'))?.status).toBe('invalid_arguments');
  });

  it('passes a ToolError message to the model and records its code', async () => {
    const failing = defineTool({ ...echo, name: 'failing', async execute() { throw new ToolError('SLOT_TAKEN', 'That time was just taken.', { retryable: true }); } });
    const env = makeEnv();
    const out = await executeTool(failing, { word: 'x' }, env, 'c');
    expect(out).toMatchObject({ status: 'error', errorCode: 'SLOT_TAKEN' });
    expect(JSON.parse(out.output)).toEqual({ ok: false, error: 'SLOT_TAKEN', message: 'That time was just taken.', retryable: true });
  });

  it('never lets an unexpected exception or its stack reach the model', async () => {
    const exploding = defineTool({ ...echo, name: 'exploding', async execute() { throw new Error('connection to 10.0.0.7 refused at Socket.connect (/srv/app.js:12)'); } });
    const sync = defineTool({ ...echo, name: 'sync_throw', execute: (() => { throw new TypeError('x is undefined'); }) as never });
    for (const def of [exploding, sync]) {
      const out = await executeTool(def, { word: 'x' }, makeEnv(), 'c');
      expect(out.status).toBe('error');
      expect(out.errorCode).toBe('INTERNAL');
      expect(out.output).not.toMatch(/10\.0\.0\.7|app\.js|undefined|Socket/);
    }
  });

  it('stops a tool at its timeout, aborts its signal and says so', async () => {
    let sawAbort = false;
    const slow = defineTool({
      ...echo, name: 'slow', timeoutMs: 30,
      execute: (_input, ctx) => new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => { sawAbort = true; resolve({ text: 'late' }); });
      }),
    });
    const env = makeEnv();
    const out = await executeTool(slow, { word: 'x' }, env, 'c');
    expect(out).toMatchObject({ status: 'timeout', errorCode: 'TIMEOUT' });
    expect(sawAbort).toBe(true);
    expect(env.recorder.list()[0]?.status).toBe('timeout');
  });

  it('cancels an in-flight tool when the call ends', async () => {
    const env = makeEnv();
    const hanging = defineTool({ ...echo, name: 'hanging', timeoutMs: 60_000, execute: () => new Promise<{ text: string }>(() => undefined) });
    const pending = executeTool(hanging, { word: 'x' }, env, 'c');
    setTimeout(() => env.controller.abort(), 5);
    const out = await pending;
    expect(out.status).toBe('cancelled');
    expect(env.recorder.list()[0]?.status).toBe('cancelled');
  });

  it('refuses output that does not match the schema with a safe message', async () => {
    const liar = defineTool({ ...echo, name: 'liar', execute: async () => ({ txt: 1 }) as never });
    const out = await executeTool(liar, { word: 'x' }, makeEnv(), 'c');
    expect(out.status).toBe('invalid_output');
    expect(out.output).not.toMatch(/txt/);
  });

  it('does not run the tool when the invocation cannot be recorded', async () => {
    let ran = false;
    const env = makeEnv();
    env.recorder.begin = async () => { throw new Error('db down'); };
    const t = defineTool({ ...echo, name: 'guarded', async execute() { ran = true; return { text: '' }; } });
    const out = await executeTool(t, { word: 'x' }, env, 'c');
    expect(ran).toBe(false);
    expect(out).toMatchObject({ status: 'error', errorCode: 'TOOL_UNAVAILABLE' });
  });

  it('keeps the event loop free while a tool awaits I/O', async () => {
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    const io = defineTool({ ...echo, name: 'io', execute: () => new Promise<{ text: string }>((r) => setTimeout(() => r({ text: "done" }), 25)) });
    const out = await executeTool(io, { word: 'x' }, makeEnv(), 'c');
    clearInterval(interval);
    expect(out.status).toBe('ok');
    expect(ticks).toBeGreaterThan(0);
  });
});
