import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileVertical, type CompiledVertical } from '../../../src/catalog/index.js';
import { loadManifest } from '../../../src/manifest/index.js';
import { fixtureRegistry } from '../../fixtures/manifests/registry.js';

describe('compileVertical settles at compile time what every call needs', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-compile-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const compile = (yaml: string): CompiledVertical => {
    mkdirSync(join(dir, 'verticals', 'demo'), { recursive: true });
    const file = join(dir, 'verticals', 'demo', 'vertical.yaml');
    writeFileSync(file, yaml);
    const options = { verticalsDir: join(dir, 'verticals'), agentsDir: join(dir, 'agents'), registry: fixtureRegistry, cwd: dir };
    const { vertical, problems } = loadManifest(file, options);
    if (!vertical) throw new Error(`fixture does not load: ${JSON.stringify(problems)}`);
    return compileVertical(vertical, options);
  };

  const manifest = (head: string, agents: string, tail = '') => `id: demo
name: Demo
${head}
greeting: Hello
entryAgent: Front
agents:
${agents}${tail}`;

  describe('voices', () => {
    const agents = `  - name: Front
    description: Answers.
    instructions: Answer.
    handoffs: [Specialist, Plain]
  - name: Specialist
    description: Knows things.
    instructions: Know.
    voice: verse
  - name: Plain
    description: Plain.
    instructions: Plain.
`;

    it('gives an agent its own voice and the others the default language\'s', () => {
      const v = compile(manifest(`languages:
  default: es-MX
  supported:
    - code: en-US
      voice: alloy
      lines: { greeting: Hello, silencePrompt: Still there?, goodbye: Goodbye., fallback: One moment., unavailable: Call back later. }
    - { code: es-MX, voice: coral }`, agents));
      expect([...v.voices]).toEqual([['Front', 'coral'], ['Specialist', 'verse'], ['Plain', 'coral']]);
      // The graph's agents speak with the same voices the calls look up.
      expect(v.graph.agents.get('Specialist')!.voice).toBe('verse');
      expect(v.graph.agents.get('Plain')!.voice).toBe('coral');
    });
  });

  describe('session template', () => {
    const agents = `  - name: Front
    description: Answers.
    instructions: Answer.
`;

    it('carries the manifest\'s turn detection and transcription, with en-US as en', () => {
      const v = compile(manifest('languages: { default: en-US, supported: [{ code: en-US, voice: alloy }] }', agents, `turnDetection:
  type: semantic_vad
  eagerness: low
  interruptResponse: false
engine:
  realtime:
    transcriptionModel: whisper-1
`));
      expect(v.session).toEqual({
        turnDetection: { type: 'semantic_vad', eagerness: 'low', interruptResponse: false, createResponse: true },
        transcription: { model: 'whisper-1', language: 'en' },
      });
      expect(Object.isFrozen(v.session.transcription)).toBe(true);
    });

    it('uses the schema defaults when the manifest says nothing, and the default language\'s base code', () => {
      const v = compile(manifest('languages: { default: es-MX, supported: [{ code: es-MX, voice: coral }] }', agents));
      expect(v.session).toEqual({
        turnDetection: {
          type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 500, interruptResponse: true, createResponse: true,
        },
        transcription: { model: 'gpt-4o-mini-transcribe', language: 'es' },
      });
    });
  });
});
