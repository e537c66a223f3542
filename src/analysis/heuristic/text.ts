/** Word-boundary keyword matching shared by the heuristic rules. Case- and punctuation-insensitive. */

/** Lower-case words separated by single spaces, padded so ` phrase ` matches whole words only. */
export function normaliseText(text: string): string {
  const words = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  return ` ${words.join(' ')} `;
}

/** True when the normalised `haystack` contains `keyword` as whole words (phrases allowed). */
export function hasKeyword(haystack: string, keyword: string): boolean {
  const needle = normaliseText(keyword);
  return needle.trim().length > 0 && haystack.includes(needle);
}

/** The keywords found in the normalised text, in the order given. */
export function matchedKeywords(haystack: string, keywords: readonly string[]): string[] {
  return keywords.filter((k) => hasKeyword(haystack, k));
}

/** First `maxChars` of a sentence, cut at a word boundary. */
export function clip(text: string, maxChars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxChars) return flat;
  const cut = flat.slice(0, maxChars - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxChars / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

const PHONE_CANDIDATE = /\+?\d[\d\s().-]{6,}\d/g;

/** Replaces digit runs with nine or more digits (phone numbers; not dates or times) by `[number]`. */
export function maskPhoneNumbers(text: string): string {
  return text.replace(PHONE_CANDIDATE, (m) => (m.replace(/\D/g, '').length >= 9 ? '[number]' : m));
}
