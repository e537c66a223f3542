/**
 * Mapping a detected language onto a vertical's `languages.supported` (BCP-47), and the set of
 * languages the runtime's detector can hear. Pure data and logic: the detector itself lives in
 * realtime (src/realtime/languageDetect.ts); a unit test holds DETECTABLE_LANGUAGES to it.
 */

/** ISO 639-1 codes the language detector (tinyld 1.3) knows: 60 codes, 58 of them living languages. */
export const DETECTABLE_LANGUAGES: ReadonlySet<string> = new Set((
  'af am ar be bg bn cs da de el en es et fa fi fr ga gu he hi hu hy id is it ja kk km kn ko la lt '
  + 'lv mk mn my nl no pl pt rn ro ru sk sr sv ta te th tk tl tr tt uk ur vi yi zh eo vo').split(' '));

/** Languages written with another code by the detector (Norwegian Bokmål/Nynorsk are `no`). */
const DETECTED_AS: Readonly<Record<string, string>> = { nb: 'no', nn: 'no' };

/** The ISO 639-1 base of a tag as the detector would report it: `es-US` → `es`, `nb-NO` → `no`. */
export function detectedBase(tag: string): string {
  const base = tag.split('-')[0]!.toLowerCase();
  return DETECTED_AS[base] ?? base;
}

function regionOf(tag: string): string | undefined {
  return tag.split('-').slice(1).find((p) => /^([A-Za-z]{2}|\d{3})$/.test(p))?.toUpperCase();
}

/**
 * The supported tag for a detected language (ISO 639-1), or undefined when the vertical does not
 * speak it. Among several tags of one language: the current one, else the one sharing the current
 * language's region (`es` on an `en-US` call → `es-US` before `es-ES`), else the first listed.
 */
export function matchSupportedLanguage(detected: string, supported: readonly string[], current: string): string | undefined {
  const base = detectedBase(detected);
  const candidates = supported.filter((tag) => detectedBase(tag) === base);
  if (candidates.length === 0) return undefined;
  if (candidates.includes(current)) return current;
  const region = regionOf(current);
  return candidates.find((tag) => region !== undefined && regionOf(tag) === region) ?? candidates[0];
}
