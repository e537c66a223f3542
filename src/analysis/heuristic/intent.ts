/**
 * Intent from what the call actually did, then from what the caller said: each of the manifest's
 * intent rules scores 3 per listed tool that succeeded, 2 per listed tool that was called but did
 * not succeed, 2 per listed agent the call was handed to, and 1 per keyword the caller said. The
 * highest score wins; ties go to the rule written first. With no rule scoring, an enum field named
 * `intent` is tried by its keywords, then the first tool that succeeded; else `unknown`.
 */
import type { AnalysisSpec } from '../../manifest/index.js';
import { HOUSEKEEPING_TOOLS, type CallFacts } from '../facts.js';
import { UNKNOWN_INTENT } from '../types.js';
import { matchedKeywords } from './text.js';

export interface IntentMatch {
  intent: string;
  score: number;
  /** Why: `tool:book_appointment`, `handoff:Billing`, `keyword:"cancel"`. */
  evidence: string[];
}

export function scoreIntentRules(spec: AnalysisSpec, facts: CallFacts): IntentMatch[] {
  return spec.intents.map((rule) => {
    const evidence: string[] = [];
    let score = 0;
    for (const tool of rule.tools) {
      if (facts.toolsSucceeded.has(tool)) {
        score += 3;
        evidence.push(`tool:${tool}`);
      } else if (facts.toolsUsed.has(tool)) {
        score += 2;
        evidence.push(`tool:${tool}(not ok)`);
      }
    }
    for (const agent of rule.agents) {
      if (facts.handoffTargets.has(agent)) {
        score += 2;
        evidence.push(`handoff:${agent}`);
      }
    }
    for (const k of matchedKeywords(facts.callerText, rule.keywords)) {
      score += 1;
      evidence.push(`keyword:"${k}"`);
    }
    return { intent: rule.name, score, evidence };
  });
}

export function detectIntent(spec: AnalysisSpec, facts: CallFacts): IntentMatch {
  let best: IntentMatch | undefined;
  for (const m of scoreIntentRules(spec, facts)) {
    if (m.score > 0 && (!best || m.score > best.score)) best = m;
  }
  if (best) return best;

  const intentField = spec.fields.find((f) => f.name === 'intent' && f.type === 'enum');
  for (const [value, keywords] of Object.entries(intentField?.keywords ?? {})) {
    const hits = matchedKeywords(facts.callerText, keywords);
    if (hits.length > 0) return { intent: value, score: hits.length, evidence: hits.map((k) => `keyword:"${k}"`) };
  }
  const firstOk = [...facts.toolsSucceeded].find((t) => !HOUSEKEEPING_TOOLS.has(t));
  if (firstOk) return { intent: firstOk, score: 0, evidence: [`tool:${firstOk}`] };
  return { intent: UNKNOWN_INTENT, score: 0, evidence: [] };
}
