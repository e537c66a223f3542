/** Post-call analysis: the `post-call` queue, its processor, the analysers, and their composition. */
export * from './types.js';
export * from './jobs.js';
export { AnalysisError } from './errors.js';
export { callFacts, type CallFacts } from './facts.js';
export { scoreLead, ruleFires } from './leadScore.js';
export { fieldsSchema, fieldValueSchema, knownIntents, modelOutputSchema } from './schemas.js';
export { heuristicAnalyser, analyseHeuristically, scoreSentiment, detectIntent, extractFields, buildSummary } from './heuristic/index.js';
export { createOpenAiAnalyser, classifyOpenAiError, RESPONSE_FORMAT_NAME, type OpenAiAnalyserOptions } from './openai/analyser.js';
export { callText, systemPrompt } from './openai/prompt.js';
export {
  createPostCallProcessor, chooseAnalyser, checkResult, shortRecord,
  type AnalyserSet, type PostCallJobLike, type PostCallProcessor, type PostCallProcessorDeps,
} from './processor.js';
export { OutboxRelay, type JobPublisher, type OutboxRelayOptions, type RelayPassResult } from './relay.js';
export { InProcessQueue, type InProcessQueueOptions } from './inProcessQueue.js';
export {
  createBullmqPublisher, createBullmqWorker, openPostCallQueue, listFailedBullmqJobs, retryBullmqJob, redisConnection,
  type BullmqSettings, type BullmqWorkerOptions,
} from './bullmq.js';
export {
  startPostCallProcessing, startPostCallWorker, analysersFromConfig, buildProcessor,
  type PostCallProcessing, type PostCallStore, type PostCallTuning, type PostCallWorkerHandle,
  type StartPostCallOptions,
} from './start.js';
export {
  analysisManifestSchema, analysisManifestOf, createManifestResolver, recordManifestVersions, trackManifestVersions,
  type AnalysisManifest, type ManifestOrigin, type ManifestResolver, type ManifestSource, type ManifestVersionStore,
  type ResolvedManifest, type VersionedManifest, type VersionTracker,
} from './versions.js';
export { findAnalysis, formatAnalysis, analysisToJson } from './format.js';
export { listFailedJobs, retryFailedJob, type FailedJobsListing, type JobsAdminDeps, type RetryOutcome } from './admin.js';
export * from './webhooks/index.js';
export { rerunAnalysis, rerunVertical, type RerunDeps, type RerunOutcome } from './rerun.js';
export {
  evaluateSuccess, decideCriterion, combineSuccess, judgementCriteria, NOT_JUDGED_OFFLINE,
  criterionResultSchema, successOutcomeSchema, type CriterionResult, type SuccessOutcome, type SuccessInput, type Judgement,
} from './success.js';
export {
  purgeExpired, formatPurgeReport, retentionRules, structuredFields,
  type PurgeLine, type PurgeOptions, type PurgeReport, type RetentionStore,
} from './retention.js';
export {
  startRetentionScheduler, startRetentionTimer, RETENTION_QUEUE, RETENTION_SCHEDULER_ID, RETENTION_JOB_NAME,
  type RetentionSchedule, type RetentionScheduleOptions,
} from './retentionSchedule.js';
