import { manifestSchema } from '../../../src/manifest/schema.js';
import { agentVoices, sessionTemplate, transcriptionLanguage } from '../../../src/orchestration/index.js';

const manifest = (languages: unknown) => manifestSchema.parse({
  id: 'demo', name: 'Demo', greeting: 'Hi', entryAgent: 'A', languages,
  agents: [
    { name: 'A', description: 'a', instructions: 'x' },
    { name: 'B', description: 'b', instructions: 'y', voice: 'verse' },
  ],
});

describe('agentVoices', () => {
  it('gives each agent its own voice, else the default language\'s', () => {
    const m = manifest({ default: 'fr-FR', supported: [{ code: 'en-US', voice: 'alloy' }, { code: 'fr-FR', voice: 'coral' }] });
    expect([...agentVoices(m)]).toEqual([['A', 'coral'], ['B', 'verse']]);
  });

  it('falls back to the first supported language when the default is not listed', () => {
    // The loader rejects such a manifest; the graph builder still must not crash on one.
    const m = manifest({ default: 'de-DE', supported: [{ code: 'en-US', voice: 'alloy' }] });
    expect(agentVoices(m).get('A')).toBe('alloy');
  });
});

describe('transcriptionLanguage', () => {
  it('takes the ISO 639-1 base of a language tag', () => {
    expect(transcriptionLanguage('en-US')).toBe('en');
    expect(transcriptionLanguage('pt_BR')).toBe('pt');
    expect(transcriptionLanguage('ES')).toBe('es');
  });

  it('gives none for a tag without a two-letter base, and the template then names no language', () => {
    expect(transcriptionLanguage('yue-HK')).toBeUndefined();
    const m = manifest({ default: 'yue-HK', supported: [{ code: 'yue-HK', voice: 'alloy' }] });
    expect(sessionTemplate(m).transcription).toEqual({ model: 'gpt-4o-mini-transcribe' });
  });
});
