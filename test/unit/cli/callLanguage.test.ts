/** `calls show` prints the language a call began and ended in and each switch with its cut-over time. */
import { callLanguageSection } from '../../../src/cli/commands/callLanguage.js';

const stored = (metadata: Record<string, unknown>) => ({ call: { metadata } }) as never;

describe('the language section of calls show', () => {
  it('prints a detected switch with its cause and cut-over time', async () => {
    const out = await callLanguageSection.load({} as never, stored({
      language: { current: 'es-US', initial: 'en-US', switches: [{ from: 'en-US', to: 'es-US', cause: 'detected', atMs: 5830, switchMs: 99 }] },
    }));
    expect(out!.text.split('\n')).toEqual([
      '  began in en-US, ended in es-US',
      '  +5.83s en-US → es-US (detected, cut over in 99 ms)',
    ]);
    expect(out!.json).toMatchObject({ current: 'es-US' });
  });

  it('prints a confirmed language, and nothing for a call that recorded none', async () => {
    const out = await callLanguageSection.load({} as never, stored({ language: { current: 'en-US', initial: 'en-US', detected: 'en', switches: [] } }));
    expect(out!.text).toBe('  in en-US (detected: en)');
    expect(await callLanguageSection.load({} as never, stored({}))).toBeNull();
  });
});
