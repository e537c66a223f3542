/**
 * `switchboard analysis rerun`: analyses finished calls again, for example after a vertical's
 * fields, intents or rubric changed. Unlike the post-call job (which uses the manifest version the
 * call ran on), a re-run uses the vertical as deployed now: that is its point. Each re-run adds a
 * revision (`call_analysis_revisions`, origin `rerun`); earlier results are kept and the newest
 * is current. A call that cannot be analysed is reported with a coded reason and the others go on.
 */
import type { Manifest } from '../manifest/index.js';
import { createLogger, type Logger } from '../observability/index.js';
import { AppError, describeError } from '../shared/index.js';
import { isUuid } from '../store/index.js';
import { callFacts } from './facts.js';
import { checkResult, chooseAnalyser, shortRecord, type AnalyserSet } from './processor.js';
import type { PostCallStore } from './start.js';
import type { AnalysisResult } from './types.js';

export interface RerunDeps {
  store: PostCallStore;
  /** The vertical as deployed now, by id (the catalog). */
  getManifest(vertical: string): Manifest | undefined;
  analysers: AnalyserSet;
  logger?: Logger;
  signal?: AbortSignal;
}

export type RerunOutcome =
  | { callId: string; ok: true; vertical: string; analyser: string; revision: number; revisionCount: number; intent: string; leadScore: number; success: boolean | null }
  | { callId: string; ok: false; code: string; message: string };

const failed = (callId: string, code: string, message: string): RerunOutcome => ({ callId, ok: false, code, message });

/** Re-runs one call's analysis with the current manifest of its vertical; never throws for a bad call. */
export async function rerunAnalysis(deps: RerunDeps, callId: string): Promise<RerunOutcome> {
  const log = deps.logger ?? createLogger('analysis');
  if (!isUuid(callId)) return failed(callId, 'ANALYSIS_CALL_NOT_FOUND', 'not a call id (uuid)');
  try {
    const bundle = await deps.store.analysis.loadCallBundle(callId);
    if (!bundle) return failed(callId, 'ANALYSIS_CALL_NOT_FOUND', `no call ${callId}`);
    if (!bundle.call.endedAt) return failed(callId, 'ANALYSIS_CALL_NOT_ENDED', 'the call has not ended');
    const manifest = deps.getManifest(bundle.call.vertical);
    if (!manifest) return failed(callId, 'ANALYSIS_UNKNOWN_VERTICAL', `vertical ${bundle.call.vertical} is not loaded`);
    const analyser = chooseAnalyser(manifest, deps.analysers);
    let result: AnalysisResult = callFacts(bundle).callerTurnCount < manifest.analysis.minCallerTurns
      ? shortRecord(bundle, manifest, analyser.name)
      : await analyser.analyse({ bundle, manifest, ...(deps.signal ? { signal: deps.signal } : {}) });
    result = checkResult(result, manifest);
    const stored = await deps.store.analysis.upsert(deps.store.dbForVertical(manifest), callId, result, 'rerun');
    log.info('call analysed again', { callId, vertical: manifest.id, analyser: result.analyser, revision: stored.revision });
    return {
      callId, ok: true, vertical: manifest.id, analyser: result.analyser, revision: stored.revision, revisionCount: stored.revisionCount,
      intent: result.intent, leadScore: result.leadScore, success: result.success?.passed ?? null,
    };
  } catch (err) {
    if (err instanceof AppError) return failed(callId, err.code, err.message);
    return failed(callId, 'ANALYSIS_FAILED', describeError(err));
  }
}

/** The ended calls of `vertical` that started at or after `since`, each re-run in turn. */
export async function rerunVertical(deps: RerunDeps, vertical: string, since: Date, onEach?: (o: RerunOutcome) => void): Promise<RerunOutcome[]> {
  if (!deps.getManifest(vertical)) throw new AppError('ANALYSIS_UNKNOWN_VERTICAL', `vertical ${vertical} is not loaded`);
  const ids = await deps.store.analysis.endedCallIds(vertical, since);
  const outcomes: RerunOutcome[] = [];
  for (const id of ids) {
    if (deps.signal?.aborted) break;
    const outcome = await rerunAnalysis(deps, id);
    onEach?.(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}
