/**
 * A call's trace, end to end in one process: the Twilio webhook, the call with its turns, tool,
 * handoff, model connect and media stream, then the post-call analysis through the outbox relay
 * and the in-process queue, all in ONE trace whose id is derived from the Call SID, exported to
 * an in-memory exporter. Then the privacy scan: no phone number, name or transcript text in any
 * span attribute or log line of the run.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { startPostCallProcessing, type PostCallProcessing } from '../../src/analysis/index.js';
import { loadConfig } from '../../src/config/index.js';
import { metricsRegistry, setLogLevel, setLogSink, startTracing, stopTracing, type LogSink } from '../../src/observability/index.js';
import { callSpanIdFromTraceId, traceIdFromCallSid } from '../../src/shared/index.js';
import { eventually, rtScenario, startHarness, RT_NUMBER, type Harness } from './realtimeHarness.js';
import { TwilioCaller } from './twilioCaller.js';

const CALLER = '+15550123456';
const CALLER_NAME = 'Margaret Thistlewood';
const scenarios = [
  rtScenario('traced', `
opening:
  - say: Hello, thanks for calling the test line.
turns:
  - caller: My name is ${CALLER_NAME}, when are you open on monday?
    agent:
      - call: { tool: rt_lookup, args: { day: monday } }
      - say: We are open nine to five.
  - caller: I have a question about my bill.
    agent:
      - handoff: Billing
      - say: Billing here, how can I help?
`),
];

const exporter = new InMemorySpanExporter();
const logLines: string[] = [];
let restoreSink: LogSink;
let h: Harness;
let postCall: PostCallProcessing;

beforeAll(async () => {
  startTracing({ serviceName: 'switchboard-test', exporter, processor: 'simple' });
  restoreSink = setLogSink((line) => logLines.push(line));
  setLogLevel('debug');
  h = await startHarness({ scenarios });
  for (const v of h.catalog.list()) await h.store.migrateVertical(v.manifest, v.dir);
  const config = { ...loadConfig({ env: {} }), redis: { url: null } };
  postCall = await startPostCallProcessing({ config: { ...config, analysis: { ...config.analysis, outboxPollMs: 50 } }, store: h.store, catalog: h.catalog });
});

afterAll(async () => {
  await postCall?.close();
  await h?.close();
  setLogLevel('silent');
  setLogSink(restoreSink);
  await stopTracing();
});

const attr = (s: ReadableSpan, key: string) => s.attributes[key];

describe('a traced call', () => {
  it('puts the webhook, every stage of the call and the post-call analysis in one trace derived from the Call SID', async () => {
    const caller = await TwilioCaller.place({ baseUrl: h.baseUrl, to: RT_NUMBER, from: CALLER, scenario: 'rt/traced', speed: 4 });
    await caller.waitFor(() => caller.media().length > 20, 'greeting audio');
    await caller.waitPlayed();
    const greeting = caller.media().length;
    await caller.say(`My name is ${CALLER_NAME}, when are you open on monday?`);
    await caller.waitFor(() => caller.media().length > greeting + 20, 'answer after the tool');
    await caller.waitPlayed();
    const answered = caller.media().length;
    await caller.say('I have a question about my bill.');
    await caller.waitFor(() => caller.media().length > answered + 20, 'billing agent speaking');
    await caller.waitPlayed();
    await caller.hangUp();

    const traceId = traceIdFromCallSid(caller.callSid);
    const callSpanId = callSpanIdFromTraceId(traceId);
    const row = await eventually(async () => {
      const r = await h.store.calls.getBySid(caller.callSid);
      return r?.endedAt ? r : undefined;
    }, 'finalised call row');
    expect(row.traceId).toBe(traceId);
    postCall.nudge();
    await eventually(async () => exporter.getFinishedSpans().find((s) => s.name === 'post_call.analysis'), 'analysis span', 20_000);

    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

    const [call] = byName('call');
    expect(call).toBeDefined();
    expect(call!.spanContext().spanId).toBe(callSpanId);
    expect(parentOf(call!)).toBeUndefined();
    expect(attr(call!, 'switchboard.call.id')).toBe(row.id);
    expect(attr(call!, 'switchboard.call.end_reason')).toBe('caller_hangup');
    expect(attr(call!, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);

    const [webhook] = byName('webhook voice');
    expect(parentOf(webhook!)).toBe(callSpanId);
    expect(attr(webhook!, 'switchboard.webhook.outcome')).toBe('connect');
    for (const name of ['model.connect', 'media.stream', 'greeting', 'post_call.analysis']) {
      expect([name, byName(name).map(parentOf)]).toEqual([name, [callSpanId]]);
    }
    expect(attr(byName('handoff')[0]!, 'switchboard.agent.to')).toBe('Billing');
    expect(attr(byName('post_call.analysis')[0]!, 'switchboard.analysis.analyser')).toBe('heuristic');

    const turns = byName('turn').filter((t) => attr(t, 'switchboard.turn.latency_ms') !== undefined);
    expect(turns).toHaveLength(2);
    for (const turn of turns) {
      expect(parentOf(turn)).toBe(callSpanId);
      expect(typeof attr(turn, 'switchboard.latency.over_budget')).toBe('boolean');
      expect(attr(turn, 'switchboard.latency.budget_ms')).toBe(800);
      const children = spans.filter((s) => parentOf(s) === turn.spanContext().spanId).map((s) => s.name);
      expect(children).toEqual(expect.arrayContaining(['caller.speech', 'model.response', 'edge', 'playback']));
    }
    const [tool] = byName('tool rt_lookup');
    expect(attr(tool!, 'gen_ai.tool.name')).toBe('rt_lookup');
    expect(attr(tool!, 'switchboard.tool.status')).toBe('ok');
    expect(turns.map((t) => t.spanContext().spanId)).toContain(parentOf(tool!));
    expect(turns.map((t) => t.spanContext().spanId)).toContain(parentOf(byName('handoff')[0]!));
    expect(attr(byName('model.response')[0]!, 'gen_ai.request.model')).toEqual(expect.any(String));

    // Every log line of the call carries its ids.
    const callLines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.call_id === row.id);
    expect(callLines.length).toBeGreaterThan(2);
    const spanIds = new Set(spans.map((s) => s.spanContext().spanId));
    for (const l of callLines) expect([l.trace_id, spanIds.has(String(l.span_id)), l.vertical]).toEqual([traceId, true, 'rt']);
    expect(callLines.filter((l) => l.span_id === callSpanId).length).toBeGreaterThan(2);
    expect(logLines.some((l) => l.includes('"msg":"call analysed"') && l.includes(traceId))).toBe(true);

    // Metrics saw the turns.
    const metrics = await metricsRegistry.metrics();
    expect(metrics).toMatch(/switchboard_turn_latency_ms_count\{vertical="rt",engine="emulator"\} [1-9]/);
    expect(metrics).toMatch(/switchboard_tool_duration_ms_count\{vertical="rt",tool="rt_lookup",status="ok"\} [1-9]/);

    // Privacy: nothing the caller said, their name or a phone number, in any span or log line.
    const spanText = spans.map((s) => JSON.stringify({ name: s.name, attributes: s.attributes, events: s.events })).join('\n');
    const everything = `${spanText}\n${logLines.join('\n')}`;
    for (const secret of ['5550123456', '5550109999', '5550108888', 'Thistlewood', 'Margaret', 'open on monday', 'question about my bill', 'nine to five', 'Billing here']) {
      expect([secret, everything.includes(secret)]).toEqual([secret, false]);
    }
  }, 60_000);
});
