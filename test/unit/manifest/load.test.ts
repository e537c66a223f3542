import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatProblem, loadManifest, loadVerticals, ManifestError, requireValid, type ManifestProblem,
} from '../../../src/manifest/index.js';
import { fixtureCase, fixtureRegistry } from '../../fixtures/manifests/registry.js';

const load = (name: string) => {
  const c = fixtureCase(name);
  return loadVerticals(c.verticalsDir, { registry: fixtureRegistry, agentsDir: c.agentsDir });
};
const lines = (problems: ManifestProblem[]) => problems.map(formatProblem);
const file = (name: string, id = 'salon') => `test/fixtures/manifests/${name}/verticals/${id}/vertical.yaml`;

describe('loadVerticals on a valid directory', () => {
  const result = load('valid');

  it('loads the vertical with no problems', () => {
    expect(lines(result.problems)).toEqual([]);
    expect(result.verticals.map((v) => v.manifest.id)).toEqual(['salon']);
  });

  it('resolves prompt files, fragments and includes into each agent\'s instructions', () => {
    const v = result.verticals[0]!;
    expect(v.instructions.get('Receptionist')).toBe(
      'You are the receptionist of a hair salon.\n\nSpeak warmly and briefly.\n\nNever give medical advice.');
    expect(v.instructions.get('Booking')).toBe('You book appointments.');
    expect(v.instructions.get('Manager')).toBe('You are the salon manager.');
  });

  it('applies schema defaults and keeps the raw source and absolute paths', () => {
    const v = result.verticals[0]!;
    expect(v.manifest.turnDetection.type).toBe('server_vad');
    expect(v.manifest.agents[1]!.include).toEqual([]);
    expect(v.source).toContain('entryAgent: Receptionist');
    expect(v.file).toBe(join(process.cwd(), file('valid')));
    expect(v.dir).toBe(join(process.cwd(), 'test/fixtures/manifests/valid/verticals/salon'));
  });
});

describe('manifest problems name file:line path', () => {
  const cases: [string, string[]][] = [
    ['yaml-syntax', [`${file('yaml-syntax')}:11: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`]],
    ['schema', [
      `${file('schema')}:1 greeting: is required (text)`,
      `${file('schema')}:2 name: expected text, got a number`,
      `${file('schema')}:11 turnDetection.type: must be one of: server_vad, semantic_vad (got "loud_vad")`,
      `${file('schema')}:24 agents[1].handofs: unknown key "handofs" (did you mean "handoffs"?)`,
    ]],
    ['unknown-tool', [`${file('unknown-tool')}:22 agents[1].tools[1]: unknown tool "charge_card"`]],
    ['unknown-handoff', [`${file('unknown-handoff')}:23 agents[1].handoffs[1]: unknown agent "billing"`]],
    ['duplicate-agent', [`${file('duplicate-agent')}:24 agents[2].name: duplicate agent name "Booking" (also agents[1])`]],
    ['handoff-collision', [
      `${file('handoff-collision')}:27 agents[3].name: agent "Billing-Agent" and agent "Billing Agent" (agents[2]) both hand off through the tool "transfer_to_Billing_Agent"`,
    ]],
    ['tool-collision', [`${file('tool-collision')}:22 agents[1].tools[1]: tool "transfer_to_booking" has the same name as the handoff tool of agent "booking"`]],
    ['unknown-entry', [`${file('unknown-entry')}:11 entryAgent: unknown agent "Frontdesk"`]],
    ['number-conflict', [
      `${file('number-conflict')}:4 numbers[0]: "+14155550100" is also claimed by vertical "spa" (${file('number-conflict', 'spa')}:5)`,
      `${file('number-conflict', 'spa')}:5 numbers[1]: "+14155550100" is also claimed by vertical "salon" (${file('number-conflict')}:4)`,
    ]],
    ['missing-prompt', [
      `${file('missing-prompt')}:15 agents[0].instructions.file: prompt file "prompts/frontdesk.md" not found (test/fixtures/manifests/missing-prompt/verticals/salon/prompts/frontdesk.md)`,
    ]],
    ['missing-fragment', [
      `${file('missing-fragment')}:16 agents[0].include[1]: fragment "tone" not found (test/fixtures/manifests/missing-fragment/agents/fragments/tone.md)`,
      `${file('missing-fragment')}:21 agents[1].instructions.fragment: fragment "booking" not found (test/fixtures/manifests/missing-fragment/agents/fragments/booking.md)`,
    ]],
    ['invalid-e164', [`${file('invalid-e164')}:4 numbers[0]: "415-555-0100" must be an E.164 number like +14155550100`]],
    ['unknown-language', [
      `${file('unknown-language')}:6 languages.default: unknown language "xx" in "xx-US" (expected an ISO 639-1 code such as "en")`,
      `${file('unknown-language')}:10 languages.supported[1].code: unknown language "xx" in "xx-US" (expected an ISO 639-1 code such as "en")`,
      `${file('unknown-language')}:12 languages.supported[2].code: unknown region "XY" in "es-XY" (expected an ISO 3166-1 alpha-2 code such as "US")`,
    ]],
    ['default-language', [`${file('default-language')}:6 languages.default: "fr-FR" is not among languages.supported (en-US)`]],
    ['analysis-refs', [
      `${file('analysis-refs')}:27 analysis.intents[0].tools[0]: unknown tool "charge_card"`,
      `${file('analysis-refs')}:28 analysis.intents[0].agents[0]: unknown agent "Billing"`,
      `${file('analysis-refs')}:33 analysis.leadScore.rubric[0].when.intent: unknown intent "pricing"`,
    ]],
    ['dir-mismatch', [`test/fixtures/manifests/dir-mismatch/verticals/salons/vertical.yaml:1 id: "salon" differs from its directory name "salons"`]],
    ['many-errors', [
      `${file('many-errors')}:7 languages.extra: unknown key "extra"`,
      `${file('many-errors')}:18 agents[0].tools[1]: unknown tool "charge_card"`,
      `${file('many-errors')}:24 agents[1].handoffs[0]: unknown agent "billing"`,
    ]],
  ];

  it.each(cases)('%s', (name, expected) => {
    const result = load(name);
    expect(lines(result.problems)).toEqual(expected);
    expect(result.problems.every((p) => p.severity === 'error')).toBe(true);
    expect(result.verticals).toEqual([]);
  });

  it('reports an unreachable agent as a warning and still loads the vertical', () => {
    const result = load('unreachable');
    expect(lines(result.problems)).toEqual([
      `${file('unreachable')}:24 agents[2].name: warning: agent "Archivist" is not reachable from the entry agent "Receptionist"`,
    ]);
    expect(result.problems[0]!.severity).toBe('warning');
    expect(result.verticals).toHaveLength(1);
    expect(requireValid(result)).toHaveLength(1);
  });
});

describe('ManifestError', () => {
  it('carries every problem and formats one line each', () => {
    const result = load('many-errors');
    let thrown: unknown;
    try {
      requireValid(result);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ManifestError);
    const err = thrown as ManifestError;
    expect(err.code).toBe('MANIFEST_INVALID');
    expect(err.problems).toHaveLength(3);
    expect(err.format().split('\n')).toEqual(lines(result.problems));
    expect(err.message).toBe(`${file('many-errors')}:7 languages.extra: unknown key "extra" (and 2 more)`);
  });
});

describe('loadManifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-manifest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (id: string, text: string): string => {
    mkdirSync(join(dir, 'verticals', id), { recursive: true });
    const f = join(dir, 'verticals', id, 'vertical.yaml');
    writeFileSync(f, text);
    return f;
  };
  const opts = () => ({ registry: fixtureRegistry, agentsDir: join(dir, 'agents'), cwd: dir });
  const minimal = (extra = '') => `id: demo
name: Demo
languages: { default: en, supported: [{ code: en, voice: alloy }] }
greeting: Hello
entryAgent: Main
agents:
  - name: Main
    description: Answers.
    instructions: Answer.
${extra}`;

  it('loads one manifest and shows files relative to cwd', () => {
    const result = loadManifest(write('demo', minimal()), opts());
    expect(result.problems).toEqual([]);
    expect(result.vertical?.manifest.entryAgent).toBe('Main');
  });

  it('reports a missing file with no line', () => {
    const result = loadManifest(join(dir, 'verticals', 'nope', 'vertical.yaml'), opts());
    expect(lines(result.problems)).toEqual(['verticals/nope/vertical.yaml: file not found']);
  });

  it('rejects a document that is not a mapping', () => {
    const result = loadManifest(write('demo', '- just\n- a list\n'), opts());
    expect(lines(result.problems)).toEqual(['verticals/demo/vertical.yaml:1: must be a mapping (key: value) at the top level']);
  });

  it('reports duplicate YAML keys as YAML errors with their line', () => {
    const result = loadManifest(write('demo', minimal('greeting: Again\n')), opts());
    expect(lines(result.problems)).toEqual(['verticals/demo/vertical.yaml:10: invalid YAML: Map keys must be unique']);
  });

  it('refuses prompt files outside the vertical directory', () => {
    writeFileSync(join(dir, 'secret.md'), 'x');
    const text = minimal().replace('instructions: Answer.', 'instructions: { file: ../../secret.md }');
    const result = loadManifest(write('demo', text), opts());
    expect(lines(result.problems)).toEqual(['verticals/demo/vertical.yaml:9 agents[0].instructions.file: prompt file "../../secret.md" must be inside the vertical directory']);
  });

  it('warns on a voice that differs from the entry agent\'s and on a self handoff', () => {
    const text = minimal(`    handoffs: [Main, Other]
  - name: Other
    description: Other.
    instructions: Other.
    voice: verse
`);
    const result = loadManifest(write('demo', text), opts());
    expect(lines(result.problems)).toEqual([
      'verticals/demo/vertical.yaml:10 agents[0].handoffs[0]: warning: agent "Main" hands off to itself',
      'verticals/demo/vertical.yaml:14 agents[1].voice: warning: voice "verse" differs from the entry agent\'s voice "alloy"; a call cannot change voice after it has started speaking',
    ]);
    expect(result.vertical).toBeDefined();
  });

  it('checks analysis fields and rubric tools and handoffs', () => {
    const text = minimal(`    tools: [lookup_service]
analysis:
  fields:
    - name: topic
      type: enum
      description: Topic.
      values: [a, b]
      keywords: { c: [x] }
    - name: mood
      type: enum
      description: Mood.
  leadScore:
    rubric:
      - { reason: r1, points: 1, when: { tool: send_sms } }
      - { reason: r2, points: 1, when: { toolSucceeded: nope_tool } }
      - { reason: r3, points: 1, when: { handoff: Ghost } }
      - { reason: r4, points: 1, when: { tool: lookup_service } }
`);
    const result = loadManifest(write('demo', text), opts());
    expect(lines(result.problems)).toEqual([
      'verticals/demo/vertical.yaml:17 analysis.fields[0].keywords.c: "c" is not one of the field\'s values (a, b)',
      'verticals/demo/vertical.yaml:18 analysis.fields[1]: enum field "mood" needs "values"',
      'verticals/demo/vertical.yaml:23 analysis.leadScore.rubric[0].when.tool: warning: tool "send_sms" is not used by any agent of this vertical, so this rule never fires',
      'verticals/demo/vertical.yaml:24 analysis.leadScore.rubric[1].when.toolSucceeded: unknown tool "nope_tool"',
      'verticals/demo/vertical.yaml:25 analysis.leadScore.rubric[2].when.handoff: unknown agent "Ghost"',
    ]);
  });

  it('flags numbers listed twice and a fallback number that is the vertical\'s own', () => {
    const text = minimal(`numbers: ["+14155550100", "+14155550100"]
fallback: { humanNumber: "+14155550100" }
`);
    const result = loadManifest(write('demo', text), opts());
    expect(lines(result.problems)).toEqual([
      'verticals/demo/vertical.yaml:10 numbers[1]: "+14155550100" is listed twice (also numbers[0])',
      'verticals/demo/vertical.yaml:11 fallback.humanNumber: warning: "+14155550100" is one of this vertical\'s own numbers; a transfer there would loop back',
    ]);
  });

  it('warns when warm transfer, messages or recording lack what they need', () => {
    const text = minimal(`    tools: [take_message]
transfer: { mode: warm }
recording: { enabled: true }
`);
    const result = loadManifest(write('demo', text), opts());
    expect(lines(result.problems).filter((l) => !l.includes('unknown tool'))).toEqual([
      expect.stringMatching(/agents\[0\]\.tools\[0\]: warning: take_message stores messages but nobody is texted/),
      expect.stringMatching(/transfer\.mode: warning: a warm transfer dials fallback\.humanNumber, which is not set/),
      expect.stringMatching(/recording\.enabled: warning: calls are recorded but no agent has stop_recording/),
    ]);
  });

  describe('the engine, when told whether this build runs cascade', () => {
    const cascade = (fallback: string) => minimal(`engine:\n  type: cascade\n  cascade: { tts: { provider: elevenlabs, voiceId: v1 } }\n${fallback ? `  fallback: ${fallback}\n` : ''}`);

    it('warns that a cascade vertical runs on realtime when fallback is realtime (or absent)', () => {
      const warning = 'verticals/demo/vertical.yaml:11 engine.type: warning: the cascade engine needs ELEVENLABS_API_KEY for its voice and it is not set; calls run on the realtime engine (engine.fallback: realtime). Set ELEVENLABS_API_KEY to serve this vertical on cascade';
      for (const fallback of ['realtime', '']) {
        const result = loadManifest(write('demo', cascade(fallback)), { ...opts(), cascadeAvailable: false });
        expect(lines(result.problems)).toEqual([warning]);
        expect(result.vertical?.manifest.engine.type).toBe('cascade');
      }
    });

    it('is an error when fallback is none, and the manifest does not load', () => {
      const result = loadManifest(write('demo', cascade('none')), { ...opts(), cascadeAvailable: false });
      expect(lines(result.problems)).toEqual([
        'verticals/demo/vertical.yaml:11 engine.type: the cascade engine needs ELEVENLABS_API_KEY for its voice and it is not set, and engine.fallback is "none": set ELEVENLABS_API_KEY or engine.fallback: realtime',
      ]);
      expect(result.vertical).toBeUndefined();
    });

    it('says nothing when cascade is available, or when the caller does not say', () => {
      expect(loadManifest(write('demo', cascade('none')), { ...opts(), cascadeAvailable: true }).problems).toEqual([]);
      expect(loadManifest(write('demo', cascade('none')), opts()).problems).toEqual([]);
    });

    it('warns that an agent model means nothing on a realtime vertical', () => {
      const result = loadManifest(write('demo', minimal('    model: gpt-4.1\n')), opts());
      expect(lines(result.problems).filter((l) => l.includes('model'))).toEqual([
        expect.stringMatching(/agents\[0\]\.model: warning: model applies to the cascade engine only/),
      ]);
    });

    it('leaves a misspelt fallback to the schema (one problem, not two)', () => {
      const result = loadManifest(write('demo', cascade('later')), { ...opts(), cascadeAvailable: false });
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]!.path).toBe('engine.fallback');
    });
  });

  it('suggests canonical casing for language tags', () => {
    const text = minimal().replace('default: en, supported: [{ code: en, voice: alloy }]', 'default: en-us, supported: [{ code: en-us, voice: alloy }]');
    const result = loadManifest(write('demo', text), opts());
    expect(lines(result.problems)).toEqual([
      'verticals/demo/vertical.yaml:3 languages.default: write "en-us" as "en-US"',
      'verticals/demo/vertical.yaml:3 languages.supported[0].code: write "en-us" as "en-US"',
    ]);
  });
});

describe('loadVerticals directory handling', () => {
  it('reports a missing verticals directory', () => {
    const result = loadVerticals('test/fixtures/manifests/does-not-exist', { registry: fixtureRegistry, agentsDir: 'agents' });
    expect(lines(result.problems)).toEqual(['test/fixtures/manifests/does-not-exist: verticals directory not found']);
  });
});
