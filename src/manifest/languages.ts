/**
 * Language tags for `languages.*.code`: BCP-47 restricted to what a phone line needs,
 * `language[-Script][-REGION]`, where the language is an ISO 639-1 code and the region an
 * ISO 3166-1 alpha-2 code (or a UN M.49 area such as `419`). The lists ship as data so
 * validation never depends on the ICU build of the host.
 */

/** ISO 639-1 (183 codes; the withdrawn `bh` excluded). */
export const ISO_639_1: ReadonlySet<string> = new Set((
  'aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy '
  + 'da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht '
  + 'hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky '
  + 'la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny '
  + 'oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss '
  + 'st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo '
  + 'za zh zu').split(' '));

/** ISO 3166-1 alpha-2 (249 officially assigned codes). */
export const ISO_3166_1_ALPHA2: ReadonlySet<string> = new Set((
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ '
  + 'BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM '
  + 'DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS '
  + 'GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN '
  + 'KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ '
  + 'MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM '
  + 'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV '
  + 'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI '
  + 'VN VU WF WS YE YT ZA ZM ZW').split(' '));

const TAG = /^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?$/;

/** Canonical casing: `en-us` → `en-US`, `zh-hant-tw` → `zh-Hant-TW`. */
export function canonicalLanguageTag(tag: string): string {
  const m = TAG.exec(tag);
  if (!m) return tag;
  const [, lang, script, region] = m;
  let out = lang!.toLowerCase();
  if (script) out += `-${script[0]!.toUpperCase()}${script.slice(1).toLowerCase()}`;
  if (region) out += `-${region.toUpperCase()}`;
  return out;
}

/** Why a tag is not acceptable, or undefined when it is. */
export function languageTagProblem(tag: string): string | undefined {
  const m = TAG.exec(tag);
  if (!m) return `"${tag}" is not a language tag like "en" or "en-US"`;
  const [, lang, , region] = m;
  if (!ISO_639_1.has(lang!.toLowerCase())) return `unknown language "${lang}" in "${tag}" (expected an ISO 639-1 code such as "en")`;
  if (region && !/^\d{3}$/.test(region) && !ISO_3166_1_ALPHA2.has(region.toUpperCase())) {
    return `unknown region "${region}" in "${tag}" (expected an ISO 3166-1 alpha-2 code such as "US")`;
  }
  const canonical = canonicalLanguageTag(tag);
  if (canonical !== tag) return `write "${tag}" as "${canonical}"`;
  return undefined;
}

export function isValidLanguageTag(tag: string): boolean {
  return languageTagProblem(tag) === undefined;
}
