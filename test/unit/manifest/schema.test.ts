import { manifestSchema } from '../../../src/manifest/index.js';

const minimal = {
  id: 'demo', name: 'Demo', greeting: 'Hello.', entryAgent: 'Front',
  languages: { default: 'en', supported: [{ code: 'en', voice: 'alloy' }] },
  agents: [{ name: 'Front', description: 'Front desk', instructions: 'Help.' }],
};

// The values the schema wrote out twice (outer `.default({...})` literals) before the blocks used
// `.prefault({})`; an omitted block must still parse to exactly these.
const OLD_DEFAULTS = {
  numbers: [],
  turnDetection: {
    type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500,
    interruptResponse: true, createResponse: true,
  },
  limits: {
    silenceTimeoutMs: 15_000, silencePrompt: 'Are you still there?', maxDurationMs: 20 * 60_000,
    goodbye: 'Thank you for calling. Goodbye.',
  },
  fallback: {
    message: 'One moment please.', retries: 1,
    unavailableMessage: "I'm sorry, we're having technical trouble. Please call back shortly.",
    transferMessage: 'Please hold while I connect you.',
  },
  analysis: { analyser: 'auto', reportingLanguage: 'en', minCallerTurns: 1, fields: [], intents: [], leadScore: { base: 0, rubric: [] } },
  engine: { type: 'realtime', realtime: { model: 'gpt-realtime', transcriptionModel: 'gpt-4o-mini-transcribe' }, fallback: 'realtime' },
  storage: { migrations: 'schema' },
};

describe('manifest schema defaults', () => {
  it('parses every omitted block to the same values as the old literal defaults', () => {
    const m = manifestSchema.parse(minimal);
    const { numbers, turnDetection, limits, fallback, analysis, engine, storage } = m;
    expect({ numbers, turnDetection, limits, fallback, analysis, engine, storage }).toStrictEqual(OLD_DEFAULTS);
  });

  it('parses an empty block to the same values as an omitted one', () => {
    const omitted = manifestSchema.parse(minimal);
    const empty = manifestSchema.parse({
      ...minimal, limits: {}, fallback: {}, analysis: { leadScore: {} }, engine: { realtime: {} }, storage: {},
      turnDetection: { type: 'server_vad' },
    });
    expect(empty).toStrictEqual(omitted);
  });

  it('fills the rest of a partly written block from the inner defaults', () => {
    const m = manifestSchema.parse({ ...minimal, limits: { goodbye: 'Bye now.' }, engine: { realtime: { model: 'gpt-realtime-mini' } } });
    expect(m.limits).toStrictEqual({ ...OLD_DEFAULTS.limits, goodbye: 'Bye now.' });
    expect(m.engine.realtime).toStrictEqual({ model: 'gpt-realtime-mini', transcriptionModel: 'gpt-4o-mini-transcribe' });
  });

  it('gives every parse its own default objects', () => {
    const a = manifestSchema.parse(minimal);
    const b = manifestSchema.parse(minimal);
    a.analysis.fields.push({ name: 'x', type: 'string', description: 'x' });
    expect(b.analysis.fields).toEqual([]);
  });
});

describe('overflow', () => {
  it('defaults to a busy message and refuses a redirect that names neither a number nor a url', () => {
    expect(manifestSchema.parse(minimal).overflow).toEqual({ policy: 'busy_message' });
    const bad = manifestSchema.safeParse({ ...minimal, overflow: { policy: 'redirect' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['overflow', 'policy'], message: 'policy redirect needs a number or a url' });
    expect(manifestSchema.parse({ ...minimal, overflow: { policy: 'redirect', number: '+15550009999' } }).overflow.number).toBe('+15550009999');
  });
});
