/** The offline default analyser: deterministic, no network, a few hundred microseconds a call. */
import { callFacts } from '../facts.js';
import { scoreLead } from '../leadScore.js';
import { evaluateSuccess } from '../success.js';
import type { Analyser, AnalyserInput, AnalysisResult } from '../types.js';
import { extractFields, toolArguments } from './fields.js';
import { detectIntent } from './intent.js';
import { scoreSentiment } from './sentiment.js';
import { buildSummary } from './summary.js';

export { scoreSentiment, labelFor } from './sentiment.js';
export { detectIntent, scoreIntentRules } from './intent.js';
export { extractFields } from './fields.js';
export { buildSummary, shortSummary, formatDurationMs } from './summary.js';
export { normaliseText, hasKeyword } from './text.js';

export function analyseHeuristically({ bundle, manifest }: AnalyserInput): AnalysisResult {
  const spec = manifest.analysis;
  const facts = callFacts(bundle);
  // The language the call was found to be in (metadata.language, written by the language
  // detection of a multi-language vertical); English otherwise.
  const sentiment = scoreSentiment(facts.callerLines, bundle.call.language);
  const intent = detectIntent(spec, facts).intent;
  const lead = scoreLead(spec, { facts, intent, sentiment: sentiment.label });
  const fields = extractFields(spec.fields, bundle, facts);
  if (spec.fields.some((f) => f.name === 'intent' && f.type === 'enum' && f.values?.includes(intent))) {
    fields.intent ??= intent;
  }
  const success = evaluateSuccess(spec, { facts, intent, fields, endReason: bundle.call.endReason });
  return {
    summary: buildSummary({ bundle, manifest, facts, intent, args: toolArguments(bundle) }),
    sentiment: { label: sentiment.label, score: sentiment.score },
    intent,
    leadScore: lead.score,
    leadReasons: lead.reasons,
    fields,
    analyser: 'heuristic',
    model: null,
    isShort: false,
    ...(success ? { success } : {}),
  };
}

export const heuristicAnalyser: Analyser = {
  name: 'heuristic',
  analyse: async (input) => analyseHeuristically(input),
};
