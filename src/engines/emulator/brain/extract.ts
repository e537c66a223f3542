/**
 * Filling a tool's arguments from the caller's words, by the tool's JSON schema: dates and
 * times, numbers, names, phone numbers, e-mail addresses, enum values, yes/no, and free text
 * for fields like `reason` or `notes`. What cannot be found is reported as missing so the
 * brain can ask for it.
 */

export type JsonSchema = Record<string, unknown>;

export type FieldKind =
  | 'date' | 'time' | 'datetime' | 'phone' | 'email' | 'name' | 'number' | 'integer' | 'boolean'
  | 'enum' | 'freetext' | 'string' | 'other';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required: boolean;
  nullable: boolean;
  description: string;
  enumValues: string[];
  pattern?: RegExp;
  schema: JsonSchema;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The non-null branch of `anyOf: [X, {type: null}]` / `type: [X, "null"]`. */
function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const anyOf = (schema.anyOf ?? schema.oneOf) as unknown;
  if (Array.isArray(anyOf)) {
    const nonNull = anyOf.filter((s) => isObj(s) && s.type !== 'null') as JsonSchema[];
    const nullable = nonNull.length < anyOf.length;
    if (nonNull.length === 1) return { schema: { ...nonNull[0]!, description: schema.description ?? nonNull[0]!.description }, nullable };
  }
  if (Array.isArray(schema.type)) {
    const types = (schema.type as unknown[]).filter((t) => t !== 'null');
    return { schema: { ...schema, type: types[0] }, nullable: types.length < (schema.type as unknown[]).length };
  }
  return { schema, nullable: false };
}

export function fieldKind(name: string, schema: JsonSchema): FieldKind {
  const type = schema.type;
  const format = schema.format;
  // customerPhone → customer_phone: names are matched in snake_case.
  const n = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (Array.isArray(schema.enum)) return 'enum';
  if (type === 'boolean') return 'boolean';
  if (type === 'integer') return 'integer';
  if (type === 'number') return 'number';
  if (type !== 'string' && type !== undefined) return 'other';
  if (format === 'date-time' || /(datetime|date_time|starts?_at|_at$|^when$|^slot$|^start$)/.test(n)) return 'datetime';
  if (format === 'date' || /(^|_)(date|day)$/.test(n)) return 'date';
  if (format === 'time' || /(^|_)(time|hour)$/.test(n)) return 'time';
  if (format === 'email' || /e_?mail/.test(n)) return 'email';
  if (/(phone|mobile|cell|callback)/.test(n)) return 'phone';
  if (/(^|_)name$|^(customer|caller|client|contact)$/.test(n)) return 'name';
  if (/(reason|notes?|message|query|question|summary|details|description|request|topic|issue|problem|comment)/.test(n)) return 'freetext';
  return 'string';
}

/** The fields of a tool's parameters schema, in declaration order. */
export function fieldsOf(parameters: unknown): FieldSpec[] {
  if (!isObj(parameters) || !isObj(parameters.properties)) return [];
  const required = new Set(Array.isArray(parameters.required) ? (parameters.required as string[]) : []);
  return Object.entries(parameters.properties).filter(([, s]) => isObj(s)).map(([name, raw]) => {
    const { schema, nullable } = unwrapNullable(raw as JsonSchema);
    let pattern: RegExp | undefined;
    if (typeof schema.pattern === 'string') {
      try {
        pattern = new RegExp(schema.pattern);
      } catch {
        pattern = undefined;
      }
    }
    return {
      name,
      kind: fieldKind(name, schema),
      required: required.has(name) && !nullable,
      nullable,
      description: typeof schema.description === 'string' ? schema.description : '',
      enumValues: Array.isArray(schema.enum) ? (schema.enum as unknown[]).map(String) : [],
      ...(pattern ? { pattern } : {}),
      schema,
    };
  });
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const pad = (n: number): string => String(n).padStart(2, '0');
const isoDate = (d: Date): string => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

/** A calendar date in the caller's words (UTC calendar of `now`), as YYYY-MM-DD. */
export function findDate(text: string, now: Date): string | undefined {
  const t = text.toLowerCase();
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(t);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}`;
  const day = (offset: number): string => isoDate(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset)));
  if (/\btoday\b|\btonight\b/.test(t)) return day(0);
  if (/\bday after tomorrow\b/.test(t)) return day(2);
  if (/\btomorrow\b/.test(t)) return day(1);
  const monthRe = MONTHS.join('|');
  const dm = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${monthRe})\\b`).exec(t);
  const md = new RegExp(`\\b(${monthRe})\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b`).exec(t);
  const pick = dm ? { d: Number(dm[1]), m: MONTHS.indexOf(dm[2]!) } : md ? { d: Number(md[2]), m: MONTHS.indexOf(md[1]!) } : undefined;
  if (pick && pick.d >= 1 && pick.d <= 31) {
    let year = now.getUTCFullYear();
    const candidate = Date.UTC(year, pick.m, pick.d);
    if (candidate < Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())) year += 1;
    return isoDate(new Date(Date.UTC(year, pick.m, pick.d)));
  }
  const wd = new RegExp(`\\b(next\\s+)?(${WEEKDAYS.join('|')})\\b`).exec(t);
  if (wd) {
    const target = WEEKDAYS.indexOf(wd[2]!);
    let delta = (target - now.getUTCDay() + 7) % 7;
    if (delta === 0 || wd[1]) delta = delta === 0 ? 7 : delta;
    return day(delta);
  }
  return undefined;
}

const HOUR_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};
const MINUTE_WORDS: Record<string, string> = { fifteen: '15', thirty: '30', 'forty five': '45', 'forty-five': '45' };

/** "half past three" → "3:30", "ten thirty" → "10:30", "four" → "4". */
function digitsForTime(text: string): string {
  const hours = Object.keys(HOUR_WORDS).join('|');
  const minutes = Object.keys(MINUTE_WORDS).join('|');
  return text
    .replace(new RegExp(`\\bhalf past (${hours}|\\d{1,2})\\b`, 'g'), (_m, h: string) => `${HOUR_WORDS[h] ?? h}:30`)
    .replace(new RegExp(`\\bquarter past (${hours}|\\d{1,2})\\b`, 'g'), (_m, h: string) => `${HOUR_WORDS[h] ?? h}:15`)
    .replace(new RegExp(`\\b(${hours})[ -](${minutes})\\b`, 'g'), (_m, h: string, mi: string) => `${HOUR_WORDS[h]}:${MINUTE_WORDS[mi]}`)
    .replace(new RegExp(`\\b(${hours})\\b`, 'g'), (h: string) => String(HOUR_WORDS[h]));
}

/** A time of day in the caller's words, as HH:MM (24 h). */
export function findTime(text: string): string | undefined {
  const t = digitsForTime(text.toLowerCase());
  if (/\bnoon\b|\bmidday\b/.test(t)) return '12:00';
  const ampm = /\b(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)(?![a-z])/.exec(t);
  if (ampm) {
    let h = Number(ampm[1]) % 12;
    if (ampm[3]!.startsWith('p')) h += 12;
    const m = Number(ampm[2] ?? '0');
    if (h < 24 && m < 60) return `${pad(h)}:${pad(m)}`;
  }
  const hm = /\b([01]?\d|2[0-3]):([0-5]\d)\b/.exec(t);
  if (hm) return `${pad(Number(hm[1]))}:${hm[2]}`;
  const oclock = /\b(\d{1,2})\s*o'?clock\b/.exec(t);
  if (oclock) {
    let h = Number(oclock[1]);
    // "at four o'clock" on a business line means the afternoon.
    if (h >= 1 && h <= 7) h += 12;
    return `${pad(h % 24)}:00`;
  }
  const inAfternoon = /\b(?:at\s+)(\d{1,2})(?:\s+in the (afternoon|evening|morning))?\b/.exec(t);
  if (inAfternoon && inAfternoon[2]) {
    let h = Number(inAfternoon[1]);
    if (inAfternoon[2] !== 'morning' && h < 12) h += 12;
    return `${pad(h % 24)}:00`;
  }
  return undefined;
}

/** A phone number, normalised to E.164 (10 digits → +1 North American). */
export function findPhone(text: string): string | undefined {
  const m = /(\+?\d[\d\s().-]{6,}\d)/.exec(text);
  if (!m) return undefined;
  const digits = m[1]!.replace(/\D/g, '');
  if (m[1]!.trim().startsWith('+')) return `+${digits}`;
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return digits.length >= 7 ? `+${digits}` : undefined;
}

export function findEmail(text: string): string | undefined {
  return /[\w.+-]+@[\w-]+(\.[\w-]+)+/.exec(text)?.[0];
}

const NAME_WORD = "[A-Z][a-zA-Z'-]+";
/** A person's name introduced as such ("my name is Ana Lopez", "this is Ana"). */
export function findName(text: string, direct = false): string | undefined {
  const intro = new RegExp(`\\b(?:my name is|my name's|name is|this is|i am|i'm|it's|it is|call me|under)\\s+(${NAME_WORD}(?:\\s+${NAME_WORD})?)`, 'i');
  const m = intro.exec(text);
  if (m && /^[A-Z]/.test(m[1]!)) return m[1];
  if (direct) {
    // Answering "what is your name?": the capitalised words are the name.
    const caps = text.match(new RegExp(`\\b${NAME_WORD}\\b`, 'g'))?.filter((w) => !/^(I|It|It's|My|Name|This|Yes|Sure|Hi|Hello|Okay|Ok)$/.test(w));
    if (caps && caps.length > 0) return caps.slice(0, 2).join(' ');
  }
  return undefined;
}

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, ninety: 90, hundred: 100,
  couple: 2, 'a couple': 2,
};
export function findNumber(text: string): number | undefined {
  const m = /-?\d+(?:\.\d+)?/.exec(text.replace(/(\d),(\d{3})/g, '$1$2'));
  if (m) return Number(m[0]);
  for (const w of text.toLowerCase().split(/[^a-z]+/)) if (w in NUMBER_WORDS) return NUMBER_WORDS[w];
  return undefined;
}

export function findBoolean(text: string): boolean | undefined {
  if (/\b(yes|yeah|yep|sure|correct|right|please do|absolutely|ok|okay)\b/i.test(text)) return true;
  if (/\b(no|nope|don't|do not|not really|negative)\b/i.test(text)) return false;
  return undefined;
}

export function findEnum(text: string, values: readonly string[]): string | undefined {
  const t = ` ${text.toLowerCase().replace(/[^a-z0-9]+/g, ' ')} `;
  let best: string | undefined;
  for (const v of values) {
    const spoken = v.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
    if (spoken && t.includes(` ${spoken} `) && (!best || spoken.length > best.length)) best = v;
    // "haircuts" for "haircut"
    else if (spoken && t.includes(` ${spoken}s `) && !best) best = v;
  }
  return best;
}

/** Examples a description offers (`e.g. "cut", "colour"` or `such as cut, colour`). */
function examplesIn(description: string): string[] {
  const quoted = [...description.matchAll(/["“']([^"”']{2,40})["”']/g)].map((m) => m[1]!);
  if (quoted.length > 0) return quoted;
  const list = /(?:e\.g\.|such as|for example|like)\s*:?\s*([^.;)]+)/i.exec(description);
  return list ? list[1]!.split(/,|\bor\b/).map((s) => s.trim()).filter((s) => s.length > 1) : [];
}

function stripFiller(text: string): string {
  return text.replace(/^(well|um|uh|so|yes|yeah|sure|okay|ok|it's|it is|i'd like|i would like|i want)[,\s]+/i, '').replace(/[.!?]+$/, '').trim();
}

/**
 * One field's value from the caller's words. `direct` means the caller is answering a question
 * about this field, so looser readings (the whole answer as the value) are allowed.
 */
export function extractField(field: FieldSpec, text: string, now: Date, direct = false): unknown {
  switch (field.kind) {
    case 'date': return findDate(text, now);
    case 'time': return findTime(text);
    case 'datetime': {
      const date = findDate(text, now);
      const time = findTime(text);
      if (!date || !time) return undefined;
      const variants = [`${date}T${time}:00`, `${date}T${time}:00Z`, `${date}T${time}:00.000Z`, `${date} ${time}`, `${date}T${time}`];
      return field.pattern ? variants.find((v) => field.pattern!.test(v)) ?? variants[0] : variants[0];
    }
    case 'phone': return findPhone(text);
    case 'email': return findEmail(text);
    case 'name': return findName(text, direct);
    case 'number': return findNumber(text);
    case 'integer': {
      const n = findNumber(text);
      return n === undefined ? undefined : Math.round(n);
    }
    case 'boolean': return direct ? findBoolean(text) : undefined;
    case 'enum': return findEnum(text, field.enumValues);
    case 'freetext': return direct || field.required ? stripFiller(text) || undefined : undefined;
    case 'string': {
      const examples = examplesIn(field.description);
      const hit = findEnum(text, examples);
      if (hit) return hit;
      return direct ? stripFiller(text) || undefined : undefined;
    }
    default: return undefined;
  }
}

/** The question to ask for a missing field. */
export function askFor(field: FieldSpec): string {
  const what = field.description ? field.description.replace(/\.$/, '').replace(/^(the|a|an)\s+/i, '') : field.name.replace(/_/g, ' ');
  switch (field.kind) {
    case 'date': return `What day would you like? (${what})`;
    case 'time': return 'What time would suit you?';
    case 'datetime': return 'What day and time would suit you?';
    case 'phone': return 'What is the best phone number to reach you?';
    case 'name': return 'May I have your name, please?';
    case 'enum': return `Which would you like: ${field.enumValues.map((v) => v.replace(/_/g, ' ')).join(', ')}?`;
    default: return `Could you tell me the ${what.length > 80 ? field.name.replace(/_/g, ' ') : what}?`;
  }
}
