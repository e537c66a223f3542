/**
 * The success rubric: criteria with `when` decided from the call's facts by both analysers,
 * judgement criteria answered by the OpenAI analyser through structured output (against the
 * local fake OpenAI API) and left unevaluated offline; `auto` picks the analyser by key.
 */
import {
  analyseHeuristically, chooseAnalyser, createOpenAiAnalyser, heuristicAnalyser, NOT_JUDGED_OFFLINE, shortRecord,
} from '../../../src/analysis/index.js';
import { manifestSchema } from '../../../src/manifest/schema.js';
import { startFakeOpenAiApi, type FakeOpenAiApi } from '../../fakes/openaiApi.js';
import { bundle, testManifest } from './fixtures.js';

const success = {
  criteria: [
    { name: 'booked', description: 'An appointment was booked.', when: { toolSucceeded: 'salon_book_appointment' } },
    { name: 'service_known', description: 'We know which service.', when: { fieldSet: 'service_requested' } },
    { name: 'ended_well', description: 'The caller hung up after goodbye.', when: { endReasons: ['caller_hangup', 'agent_hangup'] } },
    { name: 'polite', description: 'The agent stayed polite and confirmed the booking details.' },
  ],
};
const booking = bundle({
  caller: ['Hi, I want to book highlights on Friday', 'Ten is great', 'Thanks, bye'],
  assistant: ['Snip Salon, hello!', 'Friday at ten is free.', 'Booked, see you.'],
  tools: [{ toolName: 'salon_book_appointment', arguments: { service_requested: 'Highlights' } }],
  handoffs: [['Front Desk', 'Booking']],
});
const failedBooking = bundle({
  caller: ['I want to book highlights', 'Never mind', 'bye'],
  assistant: ['Hello', 'Friday?', 'OK'],
  tools: [{ toolName: 'salon_book_appointment', status: 'error' }],
  endReason: 'max_duration',
});

describe('success rubric, offline', () => {
  it('decides criteria with conditions from the facts and leaves judgement criteria unevaluated', () => {
    const manifest = testManifest({ success });
    const pass = analyseHeuristically({ bundle: booking, manifest });
    expect(pass.success?.criteria.map((c) => [c.name, c.passed])).toEqual([
      ['booked', true], ['service_known', pass.fields.service_requested != null], ['ended_well', true], ['polite', null],
    ]);
    expect(pass.success?.criteria[3]!.reason).toBe(NOT_JUDGED_OFFLINE);
    expect(pass.success?.criteria[0]!.reason).toBe('salon_book_appointment succeeded');

    const fail = analyseHeuristically({ bundle: failedBooking, manifest });
    expect(fail.success?.passed).toBe(false);
    const byName = Object.fromEntries(fail.success!.criteria.map((c) => [c.name, c]));
    expect(byName.booked).toEqual({ name: 'booked', passed: false, reason: 'salon_book_appointment was called but did not succeed' });
    expect(byName.ended_well).toEqual({ name: 'ended_well', passed: false, reason: 'ended by max_duration, not caller_hangup or agent_hangup' });
  });

  it('passes only when every criterion was decided and none failed', () => {
    const decided = testManifest({ success: { criteria: success.criteria.slice(0, 1) } });
    expect(analyseHeuristically({ bundle: booking, manifest: decided }).success?.passed).toBe(true);
    expect(analyseHeuristically({ bundle: booking, manifest: testManifest({ success }) }).success?.passed).toBeNull();
  });

  it('evaluates the rubric for a short call too, and omits it for a vertical without one', () => {
    const short = shortRecord(bundle({ caller: ['hi'] }), testManifest({ success }), 'heuristic');
    expect(short.success?.criteria.find((c) => c.name === 'booked')?.passed).toBe(false);
    expect(analyseHeuristically({ bundle: booking, manifest: testManifest() }).success).toBeUndefined();
  });
});

describe('analyser auto', () => {
  it('is the manifest default and picks OpenAI only when a key configured it', () => {
    const parsed = manifestSchema.parse({
      id: 'x-y', name: 'X', languages: { default: 'en', supported: [{ code: 'en', voice: 'alloy' }] }, greeting: 'Hi',
      entryAgent: 'a', agents: [{ name: 'a', description: 'd', instructions: 'i' }],
    });
    expect(parsed.analysis.analyser).toBe('auto');
    const openai = createOpenAiAnalyser({ apiKey: 'sk-test', baseUrl: 'http://127.0.0.1:9/v1', model: 'gpt-4o-mini' });
    const auto = testManifest({ analyser: 'auto' });
    expect(chooseAnalyser(auto, { heuristic: heuristicAnalyser, openai }).name).toBe('openai');
    expect(chooseAnalyser(auto, { heuristic: heuristicAnalyser }).name).toBe('heuristic');
    expect(chooseAnalyser(testManifest({ analyser: 'heuristic' }), { heuristic: heuristicAnalyser, openai }).name).toBe('heuristic');
  });
});

describe('success rubric through the OpenAI analyser (fake API)', () => {
  let fake: FakeOpenAiApi;
  beforeAll(async () => { fake = await startFakeOpenAiApi(); });
  afterAll(async () => { await fake.close(); });

  it('asks for a verdict on each judgement criterion in the strict schema and combines it with the decided ones', async () => {
    fake.expect({ model: 'gpt-4o-mini', inputIncludes: ['Criterion polite: The agent stayed polite'] });
    fake.script({
      kind: 'json',
      content: {
        summary: 'A caller booked highlights for Friday at ten.',
        sentiment: { label: 'positive', score: 0.7 },
        intent: 'book',
        fields: { intent: 'book', service_requested: 'Highlights', wants_callback: null, party_size: null, topics: ['color'] },
        success: { polite: { passed: false, reason: 'The agent never read the time back.' } },
      },
    });
    const analyser = createOpenAiAnalyser({ apiKey: 'sk-test', baseUrl: fake.baseUrl, model: 'gpt-4o-mini' });
    const result = await analyser.analyse({ bundle: booking, manifest: testManifest({ analyser: 'auto', success }) });
    expect(fake.requests[0]!.problems).toEqual([]);
    const schema = (fake.requests[0]!.body.response_format as { json_schema: { schema: { properties: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } } }).json_schema.schema;
    // Only the judgement criterion is asked of the model; the others are facts.
    expect(Object.keys(schema.properties.success!.properties!)).toEqual(['polite']);
    expect(schema.properties.success!.required).toEqual(['polite']);
    expect(result.success).toEqual({
      passed: false,
      criteria: [
        { name: 'booked', passed: true, reason: 'salon_book_appointment succeeded' },
        { name: 'service_known', passed: true, reason: 'service_requested is set' },
        { name: 'ended_well', passed: true, reason: 'ended by caller_hangup' },
        { name: 'polite', passed: false, reason: 'The agent never read the time back.' },
      ],
    });
  });

  it('refuses (retryably) a reply that lacks a verdict', async () => {
    fake.expect({});
    fake.script({
      kind: 'json',
      content: { summary: 'x', sentiment: { label: 'neutral', score: 0 }, intent: 'book', fields: { intent: null, service_requested: null, wants_callback: null, party_size: null, topics: [] } },
    });
    const analyser = createOpenAiAnalyser({ apiKey: 'sk-test', baseUrl: fake.baseUrl, model: 'gpt-4o-mini' });
    await expect(analyser.analyse({ bundle: booking, manifest: testManifest({ success }) })).rejects.toMatchObject({ code: 'ANALYSIS_MODEL_SCHEMA', retryable: true });
  });
});
