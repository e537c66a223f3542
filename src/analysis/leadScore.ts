/**
 * The manifest's lead-score rubric, evaluated deterministically for every analyser: a rule fires
 * when all of its `when` conditions hold (a rule without conditions always fires); the score is
 * `base` plus the points of the rules that fired, clamped to 0..100, and the fired rules are the
 * reasons. The OpenAI analyser feeds it the model's intent and sentiment; the heuristic its own.
 */
import type { AnalysisSpec, RubricRule } from '../manifest/index.js';
import type { CallFacts } from './facts.js';
import { hasKeyword } from './heuristic/text.js';
import type { LeadReason, SentimentLabel } from './types.js';

export interface RubricInput {
  facts: CallFacts;
  intent: string;
  sentiment: SentimentLabel;
}

export function ruleFires(rule: RubricRule, input: RubricInput): boolean {
  const { when } = rule;
  const { facts } = input;
  if (when.tool !== undefined && !facts.toolsUsed.has(when.tool)) return false;
  if (when.toolSucceeded !== undefined && !facts.toolsSucceeded.has(when.toolSucceeded)) return false;
  if (when.handoff !== undefined && !facts.handoffTargets.has(when.handoff)) return false;
  if (when.intent !== undefined && when.intent !== input.intent) return false;
  if (when.keywords !== undefined && !when.keywords.some((k) => hasKeyword(facts.callerText, k))) return false;
  if (when.sentiment !== undefined && when.sentiment !== input.sentiment) return false;
  if (when.minCallerTurns !== undefined && facts.callerTurnCount < when.minCallerTurns) return false;
  return true;
}

export function scoreLead(spec: AnalysisSpec, input: RubricInput): { score: number; reasons: LeadReason[] } {
  const reasons: LeadReason[] = [];
  let total = spec.leadScore.base;
  for (const rule of spec.leadScore.rubric) {
    if (!ruleFires(rule, input)) continue;
    total += rule.points;
    reasons.push({ reason: rule.reason, points: rule.points });
  }
  return { score: Math.max(0, Math.min(100, Math.round(total))), reasons };
}
