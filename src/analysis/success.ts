/**
 * A vertical's success rubric (`analysis.success.criteria`). A criterion with `when` is decided
 * from the call's facts, the same way whichever analyser runs: every condition must hold, and the
 * reason names what held or what did not. A criterion without `when` needs judgement: the OpenAI
 * analyser asks the model (structured output, one answer per criterion); the heuristic reports
 * it as not evaluated (`passed: null`). The call passes when no criterion failed and every one was
 * decided; it fails when any failed; otherwise its outcome is unknown (null).
 */
import type { AnalysisSpec, SuccessCriterion } from '../manifest/index.js';
import type { CallFacts } from './facts.js';
import type { CriterionResult, SuccessOutcome } from './successSchema.js';

export { criterionResultSchema, successOutcomeSchema, type CriterionResult, type SuccessOutcome } from './successSchema.js';

export interface SuccessInput {
  facts: CallFacts;
  intent: string;
  fields: Record<string, unknown>;
  endReason: string | null;
}

/** A model's verdict on a judgement criterion. */
export interface Judgement {
  passed: boolean;
  reason: string;
}

export const NOT_JUDGED_OFFLINE = 'not evaluated: this criterion needs the OpenAI analyser';

const isSet = (v: unknown): boolean => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== '';

/** The deterministic verdict of a criterion with `when`; undefined for a judgement criterion. */
export function decideCriterion(criterion: SuccessCriterion, input: SuccessInput): CriterionResult | undefined {
  const when = criterion.when;
  if (!when) return undefined;
  const held: string[] = [];
  const missed: string[] = [];
  const check = (ok: boolean, yes: string, no: string): void => { (ok ? held : missed).push(ok ? yes : no); };
  const { facts } = input;
  if (when.tool !== undefined) check(facts.toolsUsed.has(when.tool), `${when.tool} was called`, `${when.tool} was not called`);
  if (when.toolSucceeded !== undefined) {
    check(facts.toolsSucceeded.has(when.toolSucceeded), `${when.toolSucceeded} succeeded`,
      facts.toolsUsed.has(when.toolSucceeded) ? `${when.toolSucceeded} was called but did not succeed` : `${when.toolSucceeded} was not called`);
  }
  if (when.handoff !== undefined) check(facts.handoffTargets.has(when.handoff), `handed to ${when.handoff}`, `never handed to ${when.handoff}`);
  if (when.intent !== undefined) check(input.intent === when.intent, `intent ${when.intent}`, `intent was ${input.intent}, not ${when.intent}`);
  if (when.fieldSet !== undefined) check(isSet(input.fields[when.fieldSet]), `${when.fieldSet} is set`, `${when.fieldSet} is not set`);
  if (when.endReasons !== undefined) {
    const reason = input.endReason ?? 'none';
    check(when.endReasons.includes(reason), `ended by ${reason}`, `ended by ${reason}, not ${when.endReasons.join(' or ')}`);
  }
  if (when.minCallerTurns !== undefined) {
    check(facts.callerTurnCount >= when.minCallerTurns, `${facts.callerTurnCount} caller turns`, `only ${facts.callerTurnCount} caller turns (at least ${when.minCallerTurns} needed)`);
  }
  const passed = missed.length === 0;
  const reason = passed ? (held.length > 0 ? held.join('; ') : 'no conditions') : missed.join('; ');
  return { name: criterion.name, passed, reason: reason.slice(0, 500) };
}

export function combineSuccess(criteria: CriterionResult[]): SuccessOutcome {
  const passed = criteria.some((c) => c.passed === false) ? false : criteria.every((c) => c.passed === true) ? true : null;
  return { passed, criteria };
}

/** The criteria only a model can judge. */
export function judgementCriteria(spec: AnalysisSpec): SuccessCriterion[] {
  return (spec.success?.criteria ?? []).filter((c) => !c.when);
}

/**
 * The rubric's outcome for a call, or undefined when the vertical has no rubric. `judged` holds
 * a model's verdicts on judgement criteria by name; those it lacks are not evaluated.
 */
export function evaluateSuccess(spec: AnalysisSpec, input: SuccessInput, judged: Readonly<Record<string, Judgement>> = {}): SuccessOutcome | undefined {
  const criteria = spec.success?.criteria;
  if (!criteria || criteria.length === 0) return undefined;
  return combineSuccess(criteria.map((c) => {
    const decided = decideCriterion(c, input);
    if (decided) return decided;
    const verdict = judged[c.name];
    if (verdict) return { name: c.name, passed: verdict.passed, reason: verdict.reason.trim().slice(0, 500) || (verdict.passed ? 'met' : 'not met') };
    return { name: c.name, passed: null, reason: NOT_JUDGED_OFFLINE };
  }));
}
