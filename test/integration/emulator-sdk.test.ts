/**
 * Conformance: the real Agents SDK (`RealtimeSession` over `OpenAIRealtimeWebSocket`) against
 * the emulator on loopback, with a small two-agent graph built here.
 */
import { z } from 'zod';
import { RealtimeAgent, tool } from '@openai/agents/realtime';
import { startEmulator, type RunningEmulator } from '../../src/engines/emulator/index.js';
import { parseScenario } from '../../src/scenarios/index.js';
import { connectSdk, itemText, type SdkCall, type WireFormat } from './emulatorSdkHarness.js';

const LONG_ANSWER = 'Your invoice A-100 is paid in full, so there is nothing left to pay on the account this month, and the next statement goes out on the first.';

const scenario = parseScenario(`
name: conformance
vertical: test
opening:
  - say: Thank you for calling Test Salon, how can I help?
turns:
  - caller: What are your hours on Saturday?
    agent:
      - say: Let me check.
        call: { tool: check_hours, args: { day: saturday } }
      - say: We are open nine to five on Saturday.
  - caller: I have a question about my bill.
    agent:
      - handoff: Billing Agent
      - say: Hi, billing here. Let me look up your invoice.
        call: { tool: lookup_invoice, args: { invoice: A-100 } }
      - say: "${LONG_ANSWER}"
  - caller: Wait, sorry, what about last month?
    bargeIn: { afterMs: 400 }
    agent:
      - say: Last month is paid too. Goodbye.
        endCall: { reason: resolved }
`);

interface Calls { tools: { name: string; args: unknown }[] }

function buildGraph(calls: Calls): RealtimeAgent<Record<string, unknown>> {
  const checkHours = tool({
    name: 'check_hours',
    description: 'Opening hours of the salon for a day of the week.',
    parameters: z.object({ day: z.string() }),
    execute: async ({ day }) => {
      calls.tools.push({ name: 'check_hours', args: { day } });
      return { day, open: '09:00', close: '17:00' };
    },
  });
  const lookupInvoice = tool({
    name: 'lookup_invoice',
    description: 'Looks up an invoice by its number.',
    parameters: z.object({ invoice: z.string() }),
    execute: async ({ invoice }) => {
      calls.tools.push({ name: 'lookup_invoice', args: { invoice } });
      return { invoice, status: 'paid' };
    },
  });
  const endCall = tool({
    name: 'end_call',
    description: 'Ends the call after saying goodbye.',
    parameters: z.object({ reason: z.string() }),
    execute: async ({ reason }) => {
      calls.tools.push({ name: 'end_call', args: { reason } });
      return { ok: true };
    },
  });
  const billing = new RealtimeAgent<Record<string, unknown>>({
    name: 'Billing Agent',
    handoffDescription: 'Questions about bills, invoices and payments.',
    instructions: 'You are the billing desk. Answer questions about invoices.',
    tools: [lookupInvoice, endCall],
  });
  return new RealtimeAgent<Record<string, unknown>>({
    name: 'Front Desk',
    instructions: 'You are the front desk of Test Salon.',
    tools: [checkHours],
    handoffs: [billing],
  });
}

describe.each<WireFormat>(['pcm', 'pcmu'])('real Agents SDK against the emulator (%s)', (format) => {
  let emulator: RunningEmulator;
  let call: SdkCall | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ scenarios: [scenario], speech: { engine: 'synthetic', msPerChar: 25 }, pacing: { speed: 4, chunkMs: 100 } });
  });
  afterEach(() => {
    call?.close();
    call = undefined;
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('greets, runs a tool, hands off, and handles a barge-in, with transcripts in history', async () => {
    const calls: Calls = { tools: [] };
    call = await connectSdk(`${emulator.url}?scenario=test/conformance`, buildGraph(calls), format);
    const c = call;
    const handoffs: string[] = [];
    c.session.on('agent_handoff', (_ctx, from, to) => handoffs.push(`${from.name}->${to.name}`));
    let interrupted = 0;
    c.session.on('audio_interrupted', () => { interrupted += 1; });
    let audioBytes = 0;
    c.session.on('audio', (e) => { audioBytes += e.data.byteLength; });

    // The server echoes the SDK's session config, formats included.
    const echo = await c.waitEvent('session.updated', (e) => JSON.stringify(e).includes('Test Salon'));
    expect(JSON.stringify(echo)).toContain(format === 'pcm' ? '"audio/pcm"' : '"audio/pcmu"');

    // Greeting.
    c.transport.sendEvent({ type: 'response.create' });
    await c.waitEvent('response.done');
    expect(audioBytes).toBeGreaterThan(0);
    await c.waitPlayback();

    // A tool call executed by the SDK, its result returned, then the next step spoken.
    let from = c.events.length;
    await c.say('What are your hours on Saturday?');
    await c.waitEvent('response.done', (e) => JSON.stringify(e).includes('nine to five'), from);
    expect(calls.tools[0]).toEqual({ name: 'check_hours', args: { day: 'saturday' } });
    const output = c.history().find((i) => i.type === 'function_call' && i.name === 'check_hours');
    expect(output).toMatchObject({ type: 'function_call', status: 'completed' });
    expect((output as { output: string }).output).toContain('17:00');
    await c.waitPlayback();

    // A handoff: agent_handoff fires and the next session.update carries the billing agent.
    from = c.events.length;
    await c.say('I have a question about my bill.');
    await c.waitSession('agent_handoff');
    const billingEcho = await c.waitEvent('session.updated', (e) => JSON.stringify(e).includes('billing desk'), from);
    const toolNames = ((billingEcho.session as { tools: { name: string }[] }).tools).map((t) => t.name).sort();
    expect(toolNames).toEqual(['end_call', 'lookup_invoice']);
    expect(handoffs).toEqual(['Front Desk->Billing Agent']);
    await c.waitEvent('response.function_call_arguments.done', (e) => e.name === 'lookup_invoice', from);

    // Barge-in: the caller talks over the long answer.
    const firstDelta = await c.waitEvent('response.output_audio_transcript.delta', (e) => String(e.delta).startsWith('Your'), from);
    const longItemId = firstDelta.item_id as string;
    await new Promise((r) => setTimeout(r, 400));
    from = c.events.length;
    await c.say('Wait, sorry, what about last month?');
    await c.waitEvent('conversation.item.truncated', (e) => e.item_id === longItemId, from);
    const cancelled = await c.waitEvent('response.done', (e) => (e.response as { status: string }).status === 'cancelled');
    expect((cancelled.response as { status_details: { reason: string } }).status_details.reason).toBe('turn_detected');
    expect(interrupted).toBeGreaterThanOrEqual(1);
    await c.waitEvent('conversation.item.retrieved', (e) => (e.item as { id: string }).id === longItemId, from);
    await c.waitEvent('response.function_call_arguments.done', (e) => e.name === 'end_call', from);
    await c.waitEvent('response.done', (e) => JSON.stringify(e).includes('end_call'), from);
    await new Promise((r) => setTimeout(r, 200));

    // History: caller transcripts as scripted, the cut answer as a shorter prefix.
    const history = c.history();
    const userTexts = history.filter((i) => i.type === 'message' && i.role === 'user').map(itemText);
    expect(userTexts).toEqual(['What are your hours on Saturday?', 'I have a question about my bill.', 'Wait, sorry, what about last month?']);
    const cut = history.find((i) => i.itemId === longItemId)!;
    const cutText = itemText(cut);
    expect(cutText.length).toBeGreaterThan(0);
    expect(cutText.length).toBeLessThan(LONG_ANSWER.length);
    expect(LONG_ANSWER.startsWith(cutText)).toBe(true);
    const assistantTexts = history.filter((i) => i.type === 'message' && i.role === 'assistant').map(itemText);
    expect(assistantTexts).toEqual(expect.arrayContaining(['Thank you for calling Test Salon, how can I help?', 'Last month is paid too. Goodbye.']));
    expect(calls.tools.map((t) => t.name)).toEqual(['check_hours', 'lookup_invoice', 'end_call']);
    expect(c.errors).toEqual([]);
  });

  it('turns every bad client event into an error event and carries on', async () => {
    const calls: Calls = { tools: [] };
    call = await connectSdk(emulator.url, buildGraph(calls), format);
    const c = call;
    c.sendRaw('{"type": "session.update", oops');
    c.sendRaw(JSON.stringify({ type: 'input_audio_buffer.shout', event_id: 'e_unknown' }));
    c.sendRaw(JSON.stringify({ type: 'input_audio_buffer.append', event_id: 'e_b64', audio: 'this is not base64!' }));
    if (format === 'pcm') c.sendRaw(JSON.stringify({ type: 'input_audio_buffer.append', event_id: 'e_odd', audio: Buffer.from([1, 2, 3, 4, 5]).toString('base64') }));
    c.sendRaw(JSON.stringify({ type: 'response.create', event_id: 'e_r1' }));
    c.sendRaw(JSON.stringify({ type: 'response.create', event_id: 'e_r2' }));
    await c.waitEvent('response.done');
    const codes = c.events.filter((e) => e.type === 'error').map((e) => [(e.error as { code: string }).code, (e.error as { event_id: string | null }).event_id]);
    expect(codes).toEqual([
      ['invalid_json', null],
      ['invalid_value', 'e_unknown'],
      ['invalid_value', 'e_b64'],
      ...(format === 'pcm' ? [['invalid_value', 'e_odd']] : []),
      ['conversation_already_has_active_response', 'e_r2'],
    ]);
    // The SDK surfaces each one as a session error event.
    expect(c.errors.length).toBe(codes.length);
    // And the session still works: a typed message gets an answer from the rule-based brain.
    const from = c.events.length;
    c.session.sendMessage('What are your hours on Saturday?');
    const done = await c.waitEvent('response.done', () => true, from);
    expect(JSON.stringify(done)).toContain('check_hours');
    await c.waitEvent('response.done', (e) => JSON.stringify(e).includes('Is there anything else'), from);
    expect(calls.tools).toEqual([{ name: 'check_hours', args: { day: expect.any(String) } }]);
  });
});
