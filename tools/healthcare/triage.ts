/**
 * Symptom urgency, deliberately conservative: any emergency sign wins over everything else, and
 * a sign is only discounted when the caller plainly negates it right before ("no chest pain").
 * Pure so it can be tested line by line; it is not a diagnosis and never claims to be one.
 */
export type Urgency = 'emergency' | 'urgent' | 'routine';

interface Rule {
  urgency: Exclude<Urgency, 'routine'>;
  label: string;
  pattern: RegExp;
  /** A crisis line to offer as well as emergency services (e.g. 988 for suicidal thoughts). */
  crisisLine?: string;
}

const RULES: readonly Rule[] = [
  // Emergency: heart, breathing, stroke, consciousness, bleeding, allergy, self-harm, poisoning.
  { urgency: 'emergency', label: 'chest pain or pressure', pattern: /\bchest (pain|pressure|tightness|hurts?|is (tight|heavy))|\b(pain|pressure|tightness) in (my |his |her |the )?chest|\bheart attack/ },
  { urgency: 'emergency', label: 'trouble breathing', pattern: /\b(can'?t|cannot|can not|unable to|not able to|struggling to|hard to) (breathe|catch (my|his|her) breath)|\b(trouble|difficulty|problems?) breathing|\bshort(ness)? of breath|\bgasping|\bchoking|\blips? (are |is |turning )?(blue|purple)/ },
  { urgency: 'emergency', label: 'possible stroke', pattern: /\bstroke\b|\bface (is )?(drooping|droops)|\bdrooping face|\bslurred speech|\bslurring|\b(can'?t|cannot) (speak|talk|move (my|his|her) (arm|leg|side))|\b(numb|numbness|weakness|weak) (on|in) (one|the (left|right)) side|\bsudden (numbness|weakness|confusion|vision loss)/ },
  { urgency: 'emergency', label: 'unconscious or unresponsive', pattern: /\bunconscious|\bunresponsive|\bwon'?t wake up|\bnot waking up|\bpassed out and|\bnot breathing/ },
  { urgency: 'emergency', label: 'seizure', pattern: /\bseizure|\bconvuls/ },
  { urgency: 'emergency', label: 'severe bleeding', pattern: /\b(heavy|severe|uncontrolled|a lot of) bleeding|\bbleeding (heavily|badly|a lot)|\bbleeding\b.{0,20}\b(won'?t|will not|doesn'?t|does not|isn'?t going to) stop|\b(can'?t|cannot) stop the bleeding|\b(vomiting|coughing|throwing up) (up )?blood/ },
  { urgency: 'emergency', label: 'severe allergic reaction', pattern: /\banaphyla|\b(throat|tongue|lips?|face) (is |are )?(swelling|swollen|closing)|\bswelling (of|in) (my |his |her |the )?(throat|tongue|lips?|face)/ },
  { urgency: 'emergency', label: 'thoughts of suicide or self-harm', crisisLine: '988', pattern: /\bsuicid|\bkill (myself|himself|herself)|\bend (my|his|her) life|\bhurt (myself|himself|herself)|\bself[- ]harm|\bdon'?t want to (live|be alive)/ },
  { urgency: 'emergency', label: 'overdose or poisoning', pattern: /\boverdos|\btoo many (pills|tablets)|\bpoison|\bswallowed (bleach|chemicals?|cleaner|batter(y|ies))/ },
  { urgency: 'emergency', label: 'severe head injury', pattern: /\bhead (injury|trauma)|\bhit (my|his|her) head.*(confus|vomit|pass|black)|\bworst headache/ },
  // Urgent: same day, or the nurse line.
  { urgency: 'urgent', label: 'high fever', pattern: /\bhigh fever|\bfever (of |is |at )?10[3-9]|\b10[3-9](\.\d)? (degrees|fever)|\b(baby|infant|newborn).*\bfever|\bfever.*\b(baby|infant|newborn)/ },
  { urgency: 'urgent', label: 'possible broken bone or deep cut', pattern: /\b(broken|fractured?) (bone|arm|leg|wrist|ankle|finger|toe)|\bmight be broken|\bneeds? stitches|\bdeep cut/ },
  { urgency: 'urgent', label: 'dehydration or persistent vomiting', pattern: /\b(can'?t|cannot) keep (anything|food|water|fluids) down|\bvomiting (for|since) |\bdehydrat/ },
  { urgency: 'urgent', label: 'severe pain', pattern: /\bsevere (pain|abdominal|stomach|belly|back)|\bexcruciating|\b(pain|hurts?) (is )?(really |very )?bad\b|\b(9|10|nine|ten) out of (10|ten)/ },
  { urgency: 'urgent', label: 'urinary infection symptoms', pattern: /\bburn(s|ing)? when (i |he |she )?(pee|urinate)|\bpainful urination|\burinary tract|\buti\b|\bblood in (my |his |her )?urine/ },
  { urgency: 'urgent', label: 'asthma or wheezing', pattern: /\bwheez|\basthma (attack|flare|is acting up)/ },
  { urgency: 'urgent', label: 'eye injury or sudden vision change', pattern: /\beye (injury|is swollen shut)|\bsomething in (my|his|her) eye|\bblurry vision|\bvision (is )?(blurry|changed)/ },
  { urgency: 'urgent', label: 'spreading rash or infection', pattern: /\brash (is )?spreading|\bspreading (redness|rash)|\b(red|hot|swollen) and (red|hot|swollen)|\binfected/ },
];

const NEGATION = /\b(no|not|never|without|denies|(don'?t|doesn'?t|didn'?t|do not|does not|did not) have|(isn'?t|is not|not) having|(haven'?t|hasn'?t|have not|has not) had)\s+(any\s+)?$/;

export interface TriageResult {
  urgency: Urgency;
  /** Labels of the rules that matched, most urgent first. */
  matched: string[];
  crisisLine: string | null;
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[’`]/g, "'").replace(/\s+/g, ' ');
}

function matchedAffirmed(text: string, pattern: RegExp): boolean {
  const re = new RegExp(pattern.source, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const before = text.slice(Math.max(0, m.index - 24), m.index);
    if (!NEGATION.test(before)) return true;
    if (m[0].length === 0) re.lastIndex += 1;
  }
  return false;
}

export function triageSymptoms(symptoms: string): TriageResult {
  const text = normalise(symptoms);
  const hits = RULES.filter((r) => matchedAffirmed(text, r.pattern));
  const emergency = hits.filter((r) => r.urgency === 'emergency');
  if (emergency.length > 0) {
    return {
      urgency: 'emergency',
      matched: emergency.map((r) => r.label),
      crisisLine: emergency.find((r) => r.crisisLine)?.crisisLine ?? null,
    };
  }
  if (hits.length > 0) return { urgency: 'urgent', matched: hits.map((r) => r.label), crisisLine: null };
  return { urgency: 'routine', matched: [], crisisLine: null };
}
