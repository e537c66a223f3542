/**
 * What an analyser reads (a finished call, without phone numbers) and what it produces (one
 * `call_analysis` row). The zod schemas are the single source of both shapes.
 */
import { z } from 'zod';
import type { AnalysisSpec } from '../manifest/index.js';
import type { AnalysisManifest } from './versions.js';
import type { CallAnalysisRecord, CallBundleRecord } from '../store/index.js';
import { successOutcomeSchema } from './successSchema.js';

export const SENTIMENT_LABELS = ['positive', 'neutral', 'negative'] as const;
export type SentimentLabel = (typeof SENTIMENT_LABELS)[number];

export const ANALYSER_NAMES = ['heuristic', 'openai'] as const;
export type AnalyserName = (typeof ANALYSER_NAMES)[number];

/** Intent of a call the analyser could not place. */
export const UNKNOWN_INTENT = 'unknown';

export const leadReasonSchema = z.strictObject({
  reason: z.string().min(1).max(500),
  points: z.number().int().min(-100).max(100),
});
export type LeadReason = z.infer<typeof leadReasonSchema>;

/** One analysis as stored. `fields` is checked separately against the vertical's own field schema. */
export const analysisResultSchema = z.strictObject({
  summary: z.string().min(1).max(4000),
  sentiment: z.strictObject({
    label: z.enum(SENTIMENT_LABELS),
    /** -1 (very negative) .. 1 (very positive). */
    score: z.number().min(-1).max(1),
  }),
  intent: z.string().min(1).max(100),
  leadScore: z.number().int().min(0).max(100),
  leadReasons: z.array(leadReasonSchema).max(100),
  fields: z.record(z.string(), z.unknown()),
  analyser: z.enum(ANALYSER_NAMES),
  /** The model that wrote it (openai), null for the heuristic. */
  model: z.string().min(1).nullable(),
  /** A short call (fewer caller turns than the vertical's minimum): a brief record, no full analysis. */
  isShort: z.boolean(),
  /** The vertical's success rubric, when it has one. */
  success: successOutcomeSchema.optional(),
});
export type AnalysisResult = z.infer<typeof analysisResultSchema>;

/** One stored analysis (a `call_analysis` row). */
export type StoredAnalysis = CallAnalysisRecord;

/** A finished call read back from Postgres for analysis. Phone numbers are deliberately absent. */
export type CallBundle = CallBundleRecord;
export type BundleTurn = CallBundle['transcript'][number];

export interface AnalyserInput {
  bundle: CallBundle;
  /** The manifest version the call ran on (what analysis reads of it). */
  manifest: AnalysisManifest;
  signal?: AbortSignal;
}

/** An analyser turns one finished call into an analysis; it never writes anything itself. */
export interface Analyser {
  readonly name: AnalyserName;
  analyse(input: AnalyserInput): Promise<AnalysisResult>;
}

export type AnalysisSettings = AnalysisSpec;

/** Caller lines that actually said something. */
export function callerTurns(bundle: CallBundle): BundleTurn[] {
  return bundle.transcript.filter((t) => t.role === 'caller' && t.text.trim().length > 0);
}
