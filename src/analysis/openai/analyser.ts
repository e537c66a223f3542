/**
 * The OpenAI analyser: one Chat Completions request with a strict `json_schema` response format
 * built from the vertical's fields (zod 4 → JSON Schema through the `openai` package's helper),
 * parsed and validated by the same zod schema. A reply that is not JSON, or JSON that breaks the
 * schema, throws a retryable AnalysisError: the job is retried with backoff and finally marked
 * failed; nothing is written from a bad reply. The lead score comes from the manifest's rubric,
 * fed the model's intent and sentiment.
 */
import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { ContentFilterFinishReasonError } from 'openai/error';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { formatIssues } from '../../shared/index.js';
import { AnalysisError } from '../errors.js';
import { callFacts } from '../facts.js';
import { scoreLead } from '../leadScore.js';
import { modelOutputSchema } from '../schemas.js';
import { evaluateSuccess, type Judgement } from '../success.js';
import type { Analyser, AnalyserInput, AnalysisResult } from '../types.js';
import { callText, systemPrompt } from './prompt.js';

export const RESPONSE_FORMAT_NAME = 'call_analysis';

export interface OpenAiAnalyserOptions {
  apiKey: string;
  /** e.g. https://api.openai.com/v1 (config `openai.apiBaseUrl`). */
  baseUrl: string;
  /** config `openai.analysisModel`, a gpt-4o-mini class model. */
  model: string;
  /** Per request. */
  timeoutMs?: number;
  /** Injected fetch (tests); defaults to the global one. */
  fetch?: typeof fetch;
}

/** Maps whatever the SDK threw into an AnalysisError that says whether a retry can help. */
export function classifyOpenAiError(err: unknown): AnalysisError {
  if (err instanceof AnalysisError) return err;
  if (err instanceof SyntaxError) {
    return new AnalysisError('ANALYSIS_MODEL_MALFORMED', `the model's reply is not valid JSON: ${err.message}`, { cause: err, retryable: true });
  }
  if (err instanceof z.ZodError) {
    const where = formatIssues(err.issues, { limit: 1 });
    return new AnalysisError('ANALYSIS_MODEL_SCHEMA', `the model's reply breaks the schema (${where})`, { cause: err, retryable: true });
  }
  if (err instanceof APIUserAbortError) {
    return new AnalysisError('ANALYSIS_ABORTED', 'the analysis request was aborted', { cause: err, retryable: true });
  }
  if (err instanceof APIConnectionError) {
    return new AnalysisError('ANALYSIS_MODEL_UNAVAILABLE', `cannot reach the analysis model: ${err.message}`, { cause: err, retryable: true });
  }
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return new AnalysisError(retryable ? 'ANALYSIS_MODEL_UNAVAILABLE' : 'ANALYSIS_MODEL_REJECTED',
      `the analysis model answered HTTP ${status}: ${err.message}`, { cause: err, retryable });
  }
  if (err instanceof ContentFilterFinishReasonError) {
    return new AnalysisError('ANALYSIS_MODEL_REFUSED', 'the model stopped on its content filter', { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new AnalysisError('ANALYSIS_MODEL_UNAVAILABLE', `analysis request failed: ${message}`, { cause: err, retryable: true });
}

export function createOpenAiAnalyser(options: OpenAiAnalyserOptions): Analyser {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    timeout: options.timeoutMs ?? 60_000,
    // Retries belong to the job queue (attempts with exponential backoff), not to the HTTP client.
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  async function analyse({ bundle, manifest, signal }: AnalyserInput): Promise<AnalysisResult> {
    const schema = modelOutputSchema(manifest.analysis);
    let parsed: z.infer<typeof schema> | null | undefined;
    try {
      const completion = await client.chat.completions.parse(
        {
          model: options.model,
          temperature: 0,
          messages: [
            { role: 'system', content: systemPrompt(manifest) },
            { role: 'user', content: callText(bundle) },
          ],
          response_format: zodResponseFormat(schema, RESPONSE_FORMAT_NAME),
        },
        signal ? { signal } : undefined,
      );
      const message = completion.choices[0]?.message;
      if (message?.refusal) throw new AnalysisError('ANALYSIS_MODEL_REFUSED', `the model refused: ${message.refusal.slice(0, 200)}`);
      parsed = message?.parsed;
    } catch (err) {
      throw classifyOpenAiError(err);
    }
    if (!parsed) throw new AnalysisError('ANALYSIS_MODEL_MALFORMED', 'the model returned no content', { retryable: true });

    const facts = callFacts(bundle);
    const lead = scoreLead(manifest.analysis, { facts, intent: parsed.intent, sentiment: parsed.sentiment.label });
    const fields = parsed.fields as Record<string, unknown>;
    const judged = 'success' in parsed ? parsed.success as Record<string, Judgement> : {};
    const success = evaluateSuccess(manifest.analysis, { facts, intent: parsed.intent, fields, endReason: bundle.call.endReason }, judged);
    return {
      summary: parsed.summary,
      sentiment: { label: parsed.sentiment.label, score: Math.round(parsed.sentiment.score * 1000) / 1000 },
      intent: parsed.intent,
      leadScore: lead.score,
      leadReasons: lead.reasons,
      fields,
      analyser: 'openai',
      model: options.model,
      isShort: false,
      ...(success ? { success } : {}),
    };
  }

  return { name: 'openai', analyse };
}
