/**
 * Cross-checks of `languages`: well-formed, unique tags; the default among them; every language but
 * the default with its fixed lines; one the detector cannot hear flagged (a caller reaches it only
 * through `switch_language`); instruction overlays resolved (inline, or a file inside the vertical).
 */
import { resolveOverlay } from './instructions.js';
import { DETECTABLE_LANGUAGES, detectedBase } from './languageMatch.js';
import { languageTagProblem } from './languages.js';
import type { PathProblem } from './issues.js';
import { asList, asMap, asText } from './raw.js';

export interface LanguageCheckResult {
  /** Voice by language code. */
  voices: Map<string, string>;
  /** Resolved instruction overlay by language code. */
  overlays: Map<string, string>;
}

export function checkLanguages(data: Record<string, unknown>, verticalDir: string, problems: PathProblem[]): LanguageCheckResult {
  const languages = asMap(data.languages);
  const voices = new Map<string, string>();
  const overlays = new Map<string, string>();
  if (!languages) return { voices, overlays };
  const def = asText(languages.default);
  // Lines are required of the languages besides a default that is itself listed (else that is the error).
  const defaultListed = def !== undefined && !languageTagProblem(def) && asList(languages.supported).some((e) => asText(asMap(e)?.code) === def);
  const seen = new Map<string, number>();
  asList(languages.supported).forEach((entry, i) => {
    const lang = asMap(entry);
    const code = asText(lang?.code);
    if (!lang || code === undefined) return;
    const at = ['languages', 'supported', i];
    const problem = languageTagProblem(code);
    if (problem) problems.push({ path: [...at, 'code'], severity: 'error', message: problem });
    const first = seen.get(code);
    if (first !== undefined) {
      problems.push({ path: [...at, 'code'], severity: 'error', message: `language "${code}" is listed twice (also languages.supported[${first}])` });
      return;
    }
    seen.set(code, i);
    const voice = asText(lang.voice);
    if (voice) voices.set(code, voice);
    if (!problem && !DETECTABLE_LANGUAGES.has(detectedBase(code))) {
      problems.push({ path: [...at, 'code'], severity: 'warning', message: `callers speaking "${code}" cannot be detected; they reach it only by asking (switch_language)` });
    }
    if (!problem && defaultListed && code !== def && lang.lines === undefined) {
      problems.push({ path: at, severity: 'error', message: `language "${code}" has no lines (greeting, silencePrompt, goodbye, fallback, unavailable); every language but the default needs its own` });
    }
    if (lang.instructions !== undefined) {
      const text = resolveOverlay(lang.instructions, [...at, 'instructions'], verticalDir, problems);
      if (text) overlays.set(code, text);
    }
  });
  if (def !== undefined) {
    const problem = languageTagProblem(def);
    if (problem) {
      problems.push({ path: ['languages', 'default'], severity: 'error', message: problem });
    } else if (seen.size > 0 && !seen.has(def)) {
      problems.push({ path: ['languages', 'default'], severity: 'error', message: `"${def}" is not among languages.supported (${[...seen.keys()].join(', ')})` });
    }
  }
  return { voices, overlays };
}
