/** The caller's language from one turn: the real detector behind the confidence gate. */
import * as tinyld from 'tinyld';
import { DETECTABLE_LANGUAGES, matchSupportedLanguage } from '../../../src/manifest/index.js';
import { detectTurnLanguage, turnWords } from '../../../src/realtime/languageDetect.js';

const SUPPORTED = ['en-US', 'es-US', 'fr-CA', 'pt-BR', 'zh-CN', 'vi-VN'];

describe('detectTurnLanguage', () => {
  it.each([
    ['Hola, necesito una cita para mañana', 'es-US'],
    ['¿Podemos hablar en español, por favor?', 'es-US'],
    ['Bonjour, je voudrais un rendez-vous', 'fr-CA'],
    ['Olá, preciso de uma consulta amanhã', 'pt-BR'],
    ['你好，我想预约明天', 'zh-CN'],
    ['Xin chào, tôi muốn đặt lịch hẹn', 'vi-VN'],
  ])('switches an en-US call on "%s" to %s', async (text, expected) => {
    const d = await detectTurnLanguage(text, SUPPORTED, 'en-US');
    expect(d).toMatchObject({ decided: true, language: expected });
  });

  it('keeps the language on a short or ambiguous turn', async () => {
    expect(await detectTurnLanguage('Sí', SUPPORTED, 'en-US')).toEqual({ decided: false, reason: 'too_short' });
    expect(await detectTurnLanguage('Okay', SUPPORTED, 'en-US')).toEqual({ decided: false, reason: 'too_short' });
    // Spanish or Portuguese: the runner-up is too close to decide.
    expect(await detectTurnLanguage('Sí, por favor', SUPPORTED, 'en-US')).toMatchObject({ decided: false, reason: 'ambiguous' });
  });

  it('does not switch to a language the vertical does not speak, nor to the current one', async () => {
    expect(await detectTurnLanguage('Hallo, ich brauche einen Termin für morgen', SUPPORTED, 'en-US'))
      .toMatchObject({ decided: false, reason: 'unsupported', detected: 'de' });
    expect(await detectTurnLanguage('Hi, I need an appointment tomorrow', SUPPORTED, 'en-US'))
      .toMatchObject({ decided: false, reason: 'same', detected: 'en' });
  });

  it('counts words in scripts written without spaces', () => {
    expect(turnWords('Yes please')).toBe(2);
    expect(turnWords('  ')).toBe(0);
    expect(turnWords('你好')).toBe(1);
    expect(turnWords('你好，我想预约')).toBe(3);
  });
});

describe('matchSupportedLanguage', () => {
  it('prefers the current tag, then the current region, then the first listed', () => {
    expect(matchSupportedLanguage('es', ['en-US', 'es-ES', 'es-US'], 'en-US')).toBe('es-US');
    expect(matchSupportedLanguage('es', ['en-GB', 'es-MX', 'es-ES'], 'en-GB')).toBe('es-MX');
    expect(matchSupportedLanguage('es', ['es-ES', 'es-MX'], 'es-MX')).toBe('es-MX');
    expect(matchSupportedLanguage('no', ['en-US', 'nb-NO'], 'en-US')).toBe('nb-NO');
    expect(matchSupportedLanguage('de', ['en-US', 'es-US'], 'en-US')).toBeUndefined();
  });

  it('knows at least 57 languages, exactly the detector\'s own list', () => {
    const detector = new Set(tinyld.supportedLanguages.map((l) => tinyld.toISO2(l)).filter((c) => c.length === 2));
    expect([...DETECTABLE_LANGUAGES].sort()).toEqual([...detector].sort());
    expect(DETECTABLE_LANGUAGES.size).toBeGreaterThanOrEqual(57);
  });
});
