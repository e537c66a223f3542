/** Per-language voices, fixed lines and instruction overlays in a manifest, reported as file:line. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fixedLinesFor, formatProblem, languageOverlay, loadManifest, type ManifestProblem,
} from '../../../src/manifest/index.js';

const registry = { has: () => true, names: () => [] } as never;
const lines = (problems: ManifestProblem[]) => problems.map(formatProblem);
const ES_LINES = `      lines:
        greeting: Gracias por llamar, ¿en qué puedo ayudarle?
        silencePrompt: ¿Sigue ahí?
        goodbye: Gracias por llamar. Adiós.
        fallback: Un momento, por favor.
        unavailable: Lo siento, tenemos problemas técnicos. Llame más tarde.
`;

describe('languages in a manifest', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sb-lang-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const load = (languages: string) => {
    mkdirSync(join(dir, 'verticals', 'demo'), { recursive: true });
    const file = join(dir, 'verticals', 'demo', 'vertical.yaml');
    writeFileSync(file, `id: demo
name: Demo
languages:
  default: en-US
  supported:
${languages}greeting: Hello
entryAgent: Main
agents:
  - name: Main
    description: Answers.
    instructions: Answer.
`);
    return loadManifest(file, { registry, agentsDir: join(dir, 'agents'), cwd: dir });
  };

  it('loads a second language with its voice, lines and overlay', () => {
    const result = load(`    - code: en-US
      voice: alloy
    - code: es-US
      voice: coral
      instructions: Responde siempre en español.
${ES_LINES}`);
    expect(lines(result.problems)).toEqual([]);
    const v = result.vertical!;
    expect(fixedLinesFor(v.manifest, 'es-US').goodbye).toBe('Gracias por llamar. Adiós.');
    // The default language speaks the manifest's own texts.
    expect(fixedLinesFor(v.manifest, 'en-US')).toEqual({
      greeting: 'Hello', silencePrompt: 'Are you still there?', goodbye: 'Thank you for calling. Goodbye.',
      fallback: 'One moment please.', unavailable: "I'm sorry, we're having technical trouble. Please call back shortly.",
    });
    expect(languageOverlay('es-US', v.languageInstructions)).toBe('Responde siempre en español.');
    // No overlay written: a directive naming the language, so the model is always told.
    expect(languageOverlay('fr-CA', v.languageInstructions)).toMatch(/Answer only in Canadian French/);
  });

  it('reports a language without lines, without a voice, and an unknown code, each at its line', () => {
    const result = load(`    - code: en-US
      voice: alloy
    - code: es-US
      voice: coral
    - code: fr-CA
${ES_LINES}    - code: qq-US
      voice: alloy
${ES_LINES}`);
    expect(lines(result.problems)).toEqual([
      'verticals/demo/vertical.yaml:8 languages.supported[1]: language "es-US" has no lines (greeting, silencePrompt, goodbye, fallback, unavailable); every language but the default needs its own',
      expect.stringMatching(/^verticals\/demo\/vertical\.yaml:10 languages\.supported\[2\]\.voice: /),
      'verticals/demo/vertical.yaml:17 languages.supported[3].code: unknown language "qq" in "qq-US" (expected an ISO 639-1 code such as "en")',
    ]);
    expect(result.vertical).toBeUndefined();
  });

  it('warns when the detector cannot hear a language, and reports an incomplete lines block', () => {
    const result = load(`    - code: en-US
      voice: alloy
    - code: sw-KE
      voice: alloy
      lines: { greeting: Habari, goodbye: Kwaheri }
`);
    const out = lines(result.problems);
    expect(out).toContain('verticals/demo/vertical.yaml:8 languages.supported[1].code: warning: callers speaking "sw-KE" cannot be detected; they reach it only by asking (switch_language)');
    expect(out.some((l) => /:10 languages\.supported\[1\]\.lines\.silencePrompt: /.test(l))).toBe(true);
  });
});
