import {
  canonicalLanguageTag, ISO_3166_1_ALPHA2, ISO_639_1, isValidLanguageTag, languageTagProblem,
} from '../../../src/manifest/index.js';

describe('language tags', () => {
  it('ships the full ISO 639-1 and ISO 3166-1 alpha-2 lists', () => {
    expect(ISO_639_1.size).toBe(183);
    expect(ISO_3166_1_ALPHA2.size).toBe(249);
    // Cross-check against the host's ICU data: every shipped code has a real name.
    const languages = new Intl.DisplayNames(['en'], { type: 'language' });
    const regions = new Intl.DisplayNames(['en'], { type: 'region' });
    expect([...ISO_639_1].filter((c) => languages.of(c) === c)).toEqual([]);
    expect([...ISO_3166_1_ALPHA2].filter((c) => regions.of(c) === c)).toEqual([]);
  });

  it.each(['en', 'en-US', 'es-MX', 'pt-BR', 'zh-Hant-TW', 'es-419', 'fr-CA'])('accepts %s', (tag) => {
    expect(languageTagProblem(tag)).toBeUndefined();
    expect(isValidLanguageTag(tag)).toBe(true);
  });

  it.each([
    ['xx-US', 'unknown language "xx" in "xx-US" (expected an ISO 639-1 code such as "en")'],
    ['en-UK', 'unknown region "UK" in "en-UK" (expected an ISO 3166-1 alpha-2 code such as "US")'],
    ['english', '"english" is not a language tag like "en" or "en-US"'],
    ['en_US', '"en_US" is not a language tag like "en" or "en-US"'],
    ['EN-us', 'write "EN-us" as "en-US"'],
  ])('rejects %s', (tag, message) => {
    expect(languageTagProblem(tag)).toBe(message);
    expect(isValidLanguageTag(tag)).toBe(false);
  });

  it('canonicalises casing', () => {
    expect(canonicalLanguageTag('zh-hant-tw')).toBe('zh-Hant-TW');
  });
});
