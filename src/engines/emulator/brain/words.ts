/** Small text tools for the rule-based brain: tokens, crude stems, tool matching, phrasing. */

const STOP = new Set(`a an the and or but if of to in on at for with about from by as is are was were be been being am
i me my we our you your he she it they them this that these those there here what which who whom whose when where why how
do does did done can could would should will shall may might must have has had having not no yes please thanks thank hi hello
hey okay ok so just like want wanted need needs get got some any also too very really well um uh oh let lets let's its it's
i'm im i'd i'll you're we're they're that's there's what's don't doesn't didn't can't won't isn't aren't wasn't
would like could call calling one two tool function agent handle request handoff transfer`.split(/\s+/));

/** Lower-case word tokens without punctuation. */
export function tokens(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z0-9' ]+/g, ' ').split(/\s+/).filter(Boolean);
}

/** A crude stem: enough that "bookings", "booking" and "book" meet. */
export function stem(word: string): string {
  let w = word.replace(/'s$/, '');
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  else if (w.length > 4 && w.endsWith('es')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** Stems of the content words of a text. */
export function contentStems(text: string): Set<string> {
  const out = new Set<string>();
  for (const t of tokens(text.replace(/_/g, ' '))) {
    if (STOP.has(t) || t.length < 3) continue;
    out.add(stem(t));
  }
  return out;
}

/** How well caller words match a candidate: words in its name count double. */
export function matchScore(caller: Set<string>, name: string, description: string): number {
  const nameStems = contentStems(name);
  const descStems = contentStems(description);
  let score = 0;
  for (const s of caller) {
    if (nameStems.has(s)) score += 2;
    else if (descStems.has(s)) score += 1;
  }
  return score;
}

/** `transfer_to_Stylist_Agent` → `Stylist Agent`; `check_availability` → `check availability`. */
export function humanize(name: string): string {
  return name.replace(/^transfer_to_/, '').replace(/_/g, ' ').trim();
}

const GOODBYE = /\b(bye|goodbye|good bye|that's all|that is all|that's everything|nothing else|hang up|no thanks?|i'm done|we're done)\b/i;
export function soundsLikeGoodbye(text: string): boolean {
  return GOODBYE.test(text);
}

const WHO_ARE_YOU = /\b(are you (a |an )?(real|human|person|robot|bot|ai|machine|computer|language model)|who am i (talking|speaking) to|what are you)\b/i;
export function asksWhatItIs(text: string): boolean {
  return WHO_ARE_YOU.test(text);
}

/** The first `maxChars` of a text, cut at a word boundary. */
export function shorten(text: string, maxChars = 160): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= maxChars) return clean;
  const cut = clean.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return `${cut.slice(0, space > 40 ? space : maxChars)}…`;
}
