import { RunContext, invokeFunctionTool } from '@openai/agents';
import { z } from 'zod';
import { defineTool, toSdkTool, idempotencyKeyFor } from '../../../src/toolkit/index.js';
import { makeEnv } from './helpers.js';

const book = defineTool({
  name: 'demo_book',
  description: 'Books a demo slot.',
  input: z.object({ day: z.string().describe('date as YYYY-MM-DD'), note: z.string().optional() }),
  output: z.object({ booked: z.boolean(), day: z.string() }),
  idempotent: false,
  async execute({ day }) {
    return { booked: true, day };
  },
});

const toolCall = (callId: string, args: string) => ({ toolCall: { type: 'function_call' as const, callId, name: 'demo_book', arguments: args } });

describe('toSdkTool', () => {
  it('exposes a strict JSON schema derived from zod', () => {
    const t = toSdkTool(book);
    expect(t.name).toBe('demo_book');
    expect(t.strict).toBe(true);
    expect(t.parameters).toMatchObject({ type: 'object', additionalProperties: false, required: ['day', 'note'] });
  });

  it('runs through the SDK invoker with the call env from the run context, keyed by the tool call id', async () => {
    const env = makeEnv();
    const t = toSdkTool(book);
    const ctx = new RunContext({ switchboard: env });
    const out = await invokeFunctionTool({ tool: t, runContext: ctx, input: '{"day":"2030-06-04","note":null}', details: toolCall('call_9', '') });
    expect(out).toBe('{"booked":true,"day":"2030-06-04"}');
    expect(env.recorder.invocations.get(idempotencyKeyFor(env.callId, 'call_9'))?.status).toBe('ok');
  });

  it('answers bad arguments itself instead of throwing into the session', async () => {
    const env = makeEnv();
    const t = toSdkTool(book);
    const out = await t.invoke(new RunContext({ switchboard: env }), '{"note":"x"}', toolCall('call_bad', ''));
    expect(out).toMatch(/^invalid arguments: day:/);
  });

  it('says the tool is unavailable when the run context carries no call env', async () => {
    const out = await toSdkTool(book).invoke(new RunContext({}) as never, '{"day":"2030-06-04"}', toolCall('c', ''));
    expect(JSON.parse(String(out))).toMatchObject({ ok: false, error: 'TOOL_UNAVAILABLE' });
  });
});
