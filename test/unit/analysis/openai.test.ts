import { join } from 'node:path';
import { AnalysisError, createOpenAiAnalyser, callText } from '../../../src/analysis/index.js';
import { loadManifest } from '../../../src/manifest/index.js';
import { registry } from '../../../tools/index.js';
import { startFakeOpenAiApi, type FakeOpenAiApi } from '../../fakes/openaiApi.js';
import { bundle, testManifest } from './fixtures.js';

const MODEL = 'gpt-4o-mini';
const manifest = testManifest({ analyser: 'openai' });
const call = bundle({
  caller: ['Hi, I would like highlights on Friday', 'My number is +1 415 555 0100', 'Perfect, thanks'],
  assistant: ['Snip Salon, how can I help?', 'Friday at 10 works.', 'Booked.'],
  tools: [{ toolName: 'salon_book_appointment', arguments: { service_requested: 'Highlights' } }],
  handoffs: [['Front Desk', 'Booking']],
});
const goodReply = {
  summary: 'A caller booked highlights for Friday at 10.',
  sentiment: { label: 'positive', score: 0.8 },
  intent: 'book',
  fields: { intent: 'book', service_requested: 'Highlights', wants_callback: null, party_size: null, topics: ['color'] },
};

let fake: FakeOpenAiApi;
beforeAll(async () => { fake = await startFakeOpenAiApi(); });
afterAll(async () => { await fake.close(); });
beforeEach(() => {
  fake.requests.length = 0;
  fake.expect({
    model: MODEL,
    fieldNames: ['intent', 'service_requested', 'wants_callback', 'party_size', 'topics'],
    inputIncludes: ['Caller: Hi, I would like highlights on Friday', 'Caller: Perfect, thanks', 'salon_book_appointment → ok'],
  });
});

const analyser = () => createOpenAiAnalyser({ apiKey: 'sk-test', baseUrl: fake.baseUrl, model: MODEL });

async function failure(p: Promise<unknown>): Promise<AnalysisError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AnalysisError);
    return err as AnalysisError;
  }
  throw new Error('expected the analysis to fail');
}

describe('openai analyser against the fake API', () => {
  it('asks for the analysis in the vertical\'s reporting language, whatever the call was in (English by default)', async () => {
    fake.script({ kind: 'json', content: goodReply });
    await analyser().analyse({ bundle: call, manifest });
    fake.script({ kind: 'json', content: goodReply });
    await analyser().analyse({ bundle: call, manifest: testManifest({ analyser: 'openai', reportingLanguage: 'es-US' }) });
    const system = fake.requests.map((r) => JSON.stringify((r.body.messages as unknown[])[0]));
    expect(system[0]).toContain('free-text field in English;');
    expect(system[1]).toContain('free-text field in Spanish (United States);');
  });

  it('sends a strict json_schema request with the transcript and returns the model answer scored by the rubric', async () => {
    fake.script({ kind: 'json', content: goodReply });
    const result = await analyser().analyse({ bundle: call, manifest });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.problems).toEqual([]);
    expect(fake.requests[0]!.authorization).toBe('Bearer sk-test');
    const input = JSON.stringify(fake.requests[0]!.body.messages);
    expect(input).not.toContain('415 555 0100');
    expect(result).toEqual({
      summary: goodReply.summary,
      sentiment: { label: 'positive', score: 0.8 },
      intent: 'book',
      leadScore: 85, // 20 base + 50 booked + 10 highlights + 5 three caller turns
      leadReasons: [
        { reason: 'Booked an appointment', points: 50 },
        { reason: 'Asked about color', points: 10 },
        { reason: 'Engaged conversation', points: 5 },
      ],
      fields: goodReply.fields,
      analyser: 'openai',
      model: MODEL,
      isShort: false,
    });
  });

  it('treats a reply that is not JSON as retryable', async () => {
    fake.script({ kind: 'malformed' });
    const err = await failure(analyser().analyse({ bundle: call, manifest }));
    expect(err.code).toBe('ANALYSIS_MODEL_MALFORMED');
    expect(err.retryable).toBe(true);
  });

  it('treats JSON that breaks the schema as retryable', async () => {
    fake.script({ kind: 'json', content: { ...goodReply, sentiment: { label: 'ecstatic', score: 7 } } });
    const err = await failure(analyser().analyse({ bundle: call, manifest }));
    expect(err.code).toBe('ANALYSIS_MODEL_SCHEMA');
    expect(err.retryable).toBe(true);
    fake.script({ kind: 'json', content: { summary: 'only a summary' } });
    expect((await failure(analyser().analyse({ bundle: call, manifest }))).code).toBe('ANALYSIS_MODEL_SCHEMA');
  });

  it('retries server errors and rate limits but not rejected requests or refusals', async () => {
    fake.script({ kind: 'status', status: 503 }, { kind: 'status', status: 429 }, { kind: 'status', status: 401, message: 'bad key' }, { kind: 'refusal', refusal: 'no' });
    expect((await failure(analyser().analyse({ bundle: call, manifest }))).retryable).toBe(true);
    expect((await failure(analyser().analyse({ bundle: call, manifest }))).retryable).toBe(true);
    const rejected = await failure(analyser().analyse({ bundle: call, manifest }));
    expect([rejected.code, rejected.retryable]).toEqual(['ANALYSIS_MODEL_REJECTED', false]);
    expect((await failure(analyser().analyse({ bundle: call, manifest }))).code).toBe('ANALYSIS_MODEL_REFUSED');
  });

  it('is refused by the fake when the request is wrong (wrong model)', async () => {
    const wrong = createOpenAiAnalyser({ apiKey: 'sk-test', baseUrl: fake.baseUrl, model: 'gpt-4o' });
    const err = await failure(wrong.analyse({ bundle: call, manifest }));
    expect(err.code).toBe('ANALYSIS_MODEL_REJECTED');
    expect(fake.requests[0]!.problems).toEqual(['model gpt-4o, expected gpt-4o-mini']);
  });

  it('builds a schema the fake accepts for the real salon manifest', async () => {
    const { vertical, problems } = loadManifest(join('verticals', 'salon', 'vertical.yaml'), { registry, agentsDir: 'agents' });
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    const salon = vertical!.manifest;
    fake.expect({ model: MODEL, fieldNames: salon.analysis.fields.map((f) => f.name), inputIncludes: ['Caller: Hi, I would like highlights on Friday'] });
    fake.script({ kind: 'json', content: { summary: 's', sentiment: { label: 'neutral', score: 0 }, intent: 'book',
      fields: { intent: 'book', service_requested: null, booked: true, preferred_stylist: null },
      success: { caller_served: { passed: true, reason: 'The caller booked highlights.' } } } });
    const result = await analyser().analyse({ bundle: call, manifest: salon });
    expect(fake.requests[0]!.problems).toEqual([]);
    expect(result.fields).toEqual({ intent: 'book', service_requested: null, booked: true, preferred_stylist: null });
    // The salon's success rubric: one criterion decided from the facts, one judged by the model.
    expect(result.success).toEqual({
      passed: true,
      criteria: [
        { name: 'ended_cleanly', passed: true, reason: 'ended by caller_hangup' },
        { name: 'caller_served', passed: true, reason: 'The caller booked highlights.' },
      ],
    });
    expect(callText(call)).toContain('[number]');
  });
});
