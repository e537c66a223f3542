/**
 * A language's fixed lines and instruction overlay. The default language speaks the manifest's own
 * `greeting`, `limits` and `fallback` texts; every other supported language brings its `lines`
 * (validate requires them), and may bring `instructions` appended to every agent's.
 */
import type { FixedLines, Manifest } from './schema.js';

/** The fixed lines a call in `language` speaks (the default language's when it has none of its own). */
export function fixedLinesFor(manifest: Manifest, language: string): FixedLines {
  const own = manifest.languages.supported.find((l) => l.code === language)?.lines;
  if (own) return own;
  return {
    greeting: manifest.greeting,
    silencePrompt: manifest.limits.silencePrompt,
    goodbye: manifest.limits.goodbye,
    fallback: manifest.fallback.message,
    unavailable: manifest.fallback.unavailableMessage,
  };
}

/**
 * The overlay appended to each agent's instructions in `language`: the resolved `instructions` of
 * that language (from the loader's map), else a one-line directive to answer in it — so a language
 * switch always tells the model, even for a manifest that wrote no overlay.
 */
export function languageOverlay(language: string, resolved: ReadonlyMap<string, string> | undefined): string {
  const text = resolved?.get(language);
  if (text) return text;
  let name = language;
  try {
    name = new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  } catch { /* an odd tag keeps its code */ }
  return `The caller speaks ${name} (${language}). Answer only in ${name}, whatever language the rest of these instructions are written in.`;
}
