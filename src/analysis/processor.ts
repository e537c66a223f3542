/**
 * The post-call processor: a plain async function `(job, token?, signal?)`, the same under a
 * BullMQ worker and under the in-process queue, testable with a bare `{ data }`. It reads the call
 * from Postgres, runs the vertical's analyser (or writes a short record for a call with too few
 * caller turns) and upserts `call_analysis` in the vertical's schema. Invalid input throws
 * `UnrecoverableError` (failed at once); anything else throws plainly and is retried with backoff.
 * The analysis settings are those of the manifest version the call ran on (versions.ts); the row
 * is written where the vertical keeps its data now.
 */
import { UnrecoverableError } from 'bullmq';
import { subscribes, type Manifest } from '../manifest/index.js';
import { createLogger, startAnalysisTelemetry, type Logger } from '../observability/index.js';
import type { AnalysisRepository, WebhookEventsRepository } from '../store/index.js';
import type { Db } from '../store/index.js';
import { AppError, describeError, formatIssues } from '../shared/index.js';
import { AnalysisError } from './errors.js';
import { callFacts } from './facts.js';
import { shortSummary } from './heuristic/summary.js';
import { postCallJobSchema, type PostCallJob, type PostCallOutcome } from './jobs.js';
import { fieldsSchema } from './schemas.js';
import { evaluateSuccess } from './success.js';
import type { AnalysisManifest, ManifestResolver } from './versions.js';
import {
  analysisResultSchema, UNKNOWN_INTENT, type Analyser, type AnalyserName, type AnalysisResult, type CallBundle,
} from './types.js';

/** The minimum of a queue job the processor reads (a BullMQ Job is one). */
export interface PostCallJobLike {
  id?: string | undefined;
  data: unknown;
  attemptsMade?: number;
}

export type PostCallProcessor = (job: PostCallJobLike, token?: string, signal?: AbortSignal) => Promise<PostCallOutcome>;

export interface AnalyserSet {
  heuristic: Analyser;
  /** Absent when no OpenAI key is configured: such verticals fall back to the heuristic. */
  openai?: Analyser;
}

export interface PostCallProcessorDeps {
  analysis: Pick<AnalysisRepository, 'loadCallBundle' | 'upsert'>;
  /** The vertical's Db, names resolving in its schema (`store.dbForVertical`). */
  dbForVertical(manifest: Manifest): Db;
  /** The vertical as deployed now (the catalog): where its analysis is written. Undefined when it is not loaded. */
  getManifest(vertical: string): Manifest | undefined;
  /** The analysis settings of the version a call ran on. */
  versions: ManifestResolver;
  analysers: AnalyserSet;
  /** The webhook outbox: a vertical with a webhook for call.analyzed gets the event once the row is stored. */
  events?: Pick<WebhookEventsRepository, 'emit'>;
  logger?: Logger;
}

function unrecoverable(code: string, message: string): UnrecoverableError {
  return new UnrecoverableError(`${code}: ${message}`);
}

/**
 * Picks the vertical's analyser: `auto` (the default) and `openai` use the OpenAI analyser when a
 * key is configured; without one both fall back to the heuristic (only `openai` warns about it).
 */
export function chooseAnalyser(manifest: AnalysisManifest, analysers: AnalyserSet): Analyser {
  const wanted = manifest.analysis.analyser;
  return wanted !== 'heuristic' && analysers.openai ? analysers.openai : analysers.heuristic;
}

export function shortRecord(bundle: CallBundle, manifest: AnalysisManifest, analyser: AnalyserName): AnalysisResult {
  const facts = callFacts(bundle);
  const fields: Record<string, unknown> = {};
  for (const f of manifest.analysis.fields) fields[f.name] = f.type === 'string[]' ? [] : null;
  const success = evaluateSuccess(manifest.analysis, { facts, intent: UNKNOWN_INTENT, fields, endReason: bundle.call.endReason });
  return {
    summary: shortSummary(bundle, facts, manifest.analysis.minCallerTurns),
    sentiment: { label: 'neutral', score: 0 },
    intent: UNKNOWN_INTENT,
    leadScore: 0,
    leadReasons: [],
    fields,
    analyser,
    model: null,
    isShort: true,
    ...(success ? { success } : {}),
  };
}

/** The last line of defence before a write: a result that breaks the schema is never stored. */
export function checkResult(result: AnalysisResult, manifest: AnalysisManifest): AnalysisResult {
  const base = analysisResultSchema.safeParse(result);
  const fields = fieldsSchema(manifest.analysis.fields).safeParse(result.fields);
  const issues = !base.success ? base.error.issues : !fields.success ? fields.error.issues : [];
  if (issues.length) {
    throw new AnalysisError('ANALYSIS_INVALID_RESULT', `analysis breaks the schema at ${formatIssues(issues, { limit: 1 })}`, {
      retryable: result.analyser === 'openai',
    });
  }
  return { ...base.data!, fields: fields.data as Record<string, unknown> };
}

export function createPostCallProcessor(deps: PostCallProcessorDeps): PostCallProcessor {
  const log = deps.logger ?? createLogger('analysis');
  const warnedFallback = new Set<string>();

  return async function processPostCall(job, _token, signal) {
    const parsed = postCallJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw unrecoverable('ANALYSIS_BAD_PAYLOAD', `job ${job.id ?? '?'}: ${formatIssues(parsed.error.issues, { root: 'payload', limit: 1 })}`);
    }
    const { callId, vertical, traceparent, queuedAtMs } = parsed.data;
    // The attempt's span (queued → stored) joins the call's trace through the job's traceparent.
    const telemetry = startAnalysisTelemetry({ callId, vertical, attempt: (job.attemptsMade ?? 0) + 1, traceparent, queuedAtMs });
    try {
      const outcome = await analyseCall(parsed.data, job, signal, log.child(telemetry.logFields));
      telemetry.stored(outcome);
      return outcome;
    } catch (err) {
      telemetry.failed(err, err instanceof UnrecoverableError);
      throw err;
    }
  };

  async function analyseCall({ callId, vertical }: PostCallJob, job: PostCallJobLike, signal: AbortSignal | undefined, log: Logger): Promise<PostCallOutcome> {
    const bundle = await deps.analysis.loadCallBundle(callId);
    if (!bundle) throw unrecoverable('ANALYSIS_CALL_NOT_FOUND', `no call ${callId}`);
    if (bundle.call.vertical !== vertical) {
      throw unrecoverable('ANALYSIS_VERTICAL_MISMATCH', `call ${callId} belongs to ${bundle.call.vertical}, not ${vertical}`);
    }
    if (!bundle.call.endedAt) throw unrecoverable('ANALYSIS_CALL_NOT_ENDED', `call ${callId} has not ended`);
    const current = deps.getManifest(vertical);
    if (!current) throw unrecoverable('ANALYSIS_UNKNOWN_VERTICAL', `vertical ${vertical} is not loaded`);
    const { manifest, origin } = await deps.versions.resolve(vertical, bundle.call.manifestVersion, current);

    const analyser = chooseAnalyser(manifest, deps.analysers);
    if (manifest.analysis.analyser === 'openai' && analyser.name !== 'openai' && !warnedFallback.has(vertical)) {
      warnedFallback.add(vertical);
      log.warn('no OpenAI key: using the heuristic analyser', { vertical });
    }
    const turns = callFacts(bundle).callerTurnCount;
    const started = performance.now();
    let result: AnalysisResult;
    try {
      result = turns < manifest.analysis.minCallerTurns
        ? shortRecord(bundle, manifest, analyser.name)
        : await analyser.analyse({ bundle, manifest, ...(signal ? { signal } : {}) });
      result = checkResult(result, manifest);
    } catch (err) {
      if (err instanceof AppError && !err.retryable) throw unrecoverable(err.code, err.message);
      if (err instanceof AppError) throw new Error(`${err.code}: ${err.message}`, { cause: err });
      throw err;
    }
    const stored = await deps.analysis.upsert(deps.dbForVertical(current), callId, result);
    if (deps.events && subscribes(current.webhooks, 'call.analyzed')) {
      // Recorded before the job completes: if this fails the job is retried (at-least-once).
      await deps.events.emit({
        type: 'call.analyzed', callId, vertical, occurredAt: stored.updatedAt,
        data: {
          manifestVersion: bundle.call.manifestVersion, revision: stored.revision, analyser: stored.analyser, model: stored.model,
          isShort: stored.isShort, intent: stored.intent, sentiment: { label: stored.sentiment.label, score: stored.sentiment.score },
          leadScore: stored.leadScore, leadReasons: stored.leadReasons.map((r) => ({ reason: r.reason, points: r.points })),
          endReason: bundle.call.endReason, durationMs: bundle.call.durationMs,
        },
      });
    }
    log.info('call analysed', {
      callId, vertical, version: bundle.call.manifestVersion, manifestFrom: origin, analyser: result.analyser, isShort: result.isShort, leadScore: result.leadScore,
      revision: stored.revision, attempt: (job.attemptsMade ?? 0) + 1, durationMs: Math.round(performance.now() - started),
    });
    return { callId, vertical, analyser: result.analyser, isShort: result.isShort, leadScore: result.leadScore, revision: stored.revision };
  }
}

/** One line for a failed job's reason: codes kept, stack traces never. */
export const failureReason = (err: unknown): string => describeError(err).slice(0, 500);
