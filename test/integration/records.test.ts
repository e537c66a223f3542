/**
 * Every call leaves its records, however it ends: a caller hanging up during a slow tool, a
 * server shutdown mid-call; DTMF reaches the agent; a tool call with broken arguments is
 * answered and recorded instead of left dangling.
 */
import { eventually, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const scenarios = [
  rtScenario('slow', `
opening:
  - say: Hello.
turns:
  - caller: Please check my reference.
    agent:
      - call: { tool: rt_slow, args: { ref: A1 } }
      - say: All done.
`),
  rtScenario('hours', `
opening:
  - say: Hello.
turns:
  - caller: When are you open on sunday?
    agent:
      - call: { tool: rt_lookup, args: { day: sunday } }
      - say: Let me see.
`),
];

async function endedRow(h: Harness, callSid: string) {
  return eventually(async () => {
    const r = await h.store.calls.getBySid(callSid);
    return r?.endedAt ? r : undefined;
  }, 'finalised call row');
}

describe('call records', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ scenarios });
  });
  afterAll(async () => {
    h.proxy.rewriteServer = undefined;
    await h?.close();
  });

  it('finalises the call and records the tool outcome when the caller hangs up during a slow tool', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/slow', speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    await caller.say('Please check my reference.');
    const call = await eventually(() => h.store.calls.getBySid(caller.callSid), 'call row');
    await eventually(async () => (await h.store.toolInvocations.list(call.id)).find((t) => t.status === 'running'), 'tool running');
    // Audio keeps flowing while the tool runs: the caller's frames still reach the model.
    const appendsBefore = h.proxy.events.filter((e) => e.type === 'input_audio_buffer.append').length;
    await new Promise((r) => setTimeout(r, 300));
    expect(h.proxy.events.filter((e) => e.type === 'input_audio_buffer.append').length).toBeGreaterThan(appendsBefore);
    await caller.hangUp();

    const row = await endedRow(h, caller.callSid);
    expect(row.endReason).toBe('caller_hangup');
    const tools = await h.store.toolInvocations.list(row.id);
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({ toolName: 'rt_slow', status: 'cancelled', agent: 'Front Desk' });
    expect(tools[0]!.endedAt).not.toBeNull();
    const outbox = await h.store.db.query('SELECT 1 FROM post_call_outbox WHERE call_id = $1', [row.id]);
    expect(outbox.rows).toHaveLength(1);
  });

  it('gives DTMF digits to the agent as a caller text item', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    caller.dtmf('4');
    caller.dtmf('2');
    caller.dtmf('#');
    await eventually(async () => h.proxy.events.find((e) => e.dir === 'client' && e.type === 'conversation.item.create'
      && e.event.item?.content?.[0]?.text === '[DTMF 42#]'), 'DTMF item sent to the model');
    await eventually(async () => h.proxy.events.find((e) => e.dir === 'server' && e.type === 'conversation.item.added'
      && e.event.item?.content?.[0]?.text === '[DTMF 42#]'), 'DTMF item in the conversation');
    await caller.hangUp();
    const row = await endedRow(h, caller.callSid);
    const transcript = await h.store.transcripts.list(row.id);
    expect(transcript.filter((t) => t.role === 'caller').map((t) => t.text)).toContain('[DTMF 42#]');
  });

  it('answers and records a tool call whose arguments are not JSON', async () => {
    h.proxy.rewriteServer = (e) => {
      if (e.type === 'response.output_item.done' && e.item?.type === 'function_call') e.item.arguments = '{"day": sunday';
      if (e.type === 'response.function_call_arguments.done') e.arguments = '{"day": sunday';
      return e;
    };
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, scenario: 'rt/hours', speed: 4 });
    await caller.waitFor(() => caller.media().length > 5, 'greeting');
    await caller.waitPlayed();
    await caller.say('When are you open on sunday?');
    const output = await eventually(async () => h.proxy.events.find((e) => e.dir === 'client' && e.type === 'conversation.item.create'
      && e.event.item?.type === 'function_call_output'), 'function_call_output for the broken call');
    expect(output.event.item.output).toMatch(/invalid arguments/);
    await caller.hangUp();
    h.proxy.rewriteServer = undefined;
    const row = await endedRow(h, caller.callSid);
    const tools = await eventually(async () => {
      const list = await h.store.toolInvocations.list(row.id);
      return list.length > 0 && list[0]!.status !== 'running' ? list : undefined;
    }, 'recorded invalid call');
    expect(tools[0]).toMatchObject({ toolName: 'rt_lookup', status: 'invalid_arguments', errorCode: 'INVALID_ARGUMENTS' });
  });
});

describe('server shutdown', () => {
  it('ends and finalises every live call', async () => {
    const h = await startHarness({ scenarios });
    try {
      const callers = await Promise.all([1, 2].map(() => TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, speed: 4 })));
      await Promise.all(callers.map((c) => c.waitFor(() => c.media().length > 5, 'greeting')));
      expect(h.manager.stats().active).toBe(2);
      await h.gateway.close('shutdown');
      for (const c of callers) {
        const row = await endedRow(h, c.callSid);
        expect(row.endReason).toBe('shutdown');
        await c.waitFor(() => c.closed, 'stream closed by the gateway');
      }
      expect(h.manager.stats().active).toBe(0);
    } finally {
      await h?.close();
    }
  });
});
