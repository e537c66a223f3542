import type { Db } from '../types.js';
import { CallsRepository } from './calls.js';
import { HandoffsRepository, LatencyRepository } from './events.js';
import { OutboxRepository } from './outbox.js';
import { ToolInvocationsRepository } from './toolInvocations.js';
import { TranscriptsRepository } from './transcripts.js';
import { AnalysisRepository } from './analysis.js';
import { ManifestVersionsRepository } from './manifestVersions.js';
import { PhoneNumbersRepository } from './phoneNumbers.js';
import { CanariesRepository } from './canaries.js';
import { VersionStatsRepository } from './versionStats.js';
import { WebhookEventsRepository } from './webhooks.js';
import { TransfersRepository } from './transfers.js';
import { RetentionRepository } from './retention.js';
import { FleetRepository } from './fleet.js';

export * from './calls.js';
export * from './events.js';
export * from './outbox.js';
export * from './toolInvocations.js';
export * from './transcripts.js';
export * from './analysis.js';
export * from './manifestVersions.js';
export * from './phoneNumbers.js';
export * from './canaries.js';
export * from './versionStats.js';
export * from './webhooks.js';
export * from './transfers.js';
export * from './retention.js';
export * from './fleet.js';

/** The core repositories over one Db (core tables resolve through its search_path). */
export interface Repositories {
  calls: CallsRepository;
  transcripts: TranscriptsRepository;
  toolInvocations: ToolInvocationsRepository;
  handoffs: HandoffsRepository;
  latency: LatencyRepository;
  outbox: OutboxRepository;
  /** Post-call analysis (call_analysis in each vertical's schema); owned by src/analysis. */
  analysis: AnalysisRepository;
  /** Each compiled vertical version's manifest, for analysing a call with the version it ran on. */
  manifestVersions: ManifestVersionsRepository;
  /** Operator number → vertical assignments (override the manifests' numbers). */
  phoneNumbers: PhoneNumbersRepository;
  /** Candidate versions tried on a share of new calls. */
  canaries: CanariesRepository;
  /** Per-version call figures (canary status). */
  versionStats: VersionStatsRepository;
  /** The webhook outbox and delivery outcomes; owned by src/analysis/webhooks. */
  webhookEvents: WebhookEventsRepository;
  /** Warm transfers, messages taken, and the call's recording reference (migration 0006). */
  transfers: TransfersRepository;
  /** Retention purges: a call's content goes, its metadata stays. */
  retention: RetentionRepository;
  /** Call ownership across instances and the instance registry (heartbeats). */
  fleet: FleetRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    calls: new CallsRepository(db),
    transcripts: new TranscriptsRepository(db),
    toolInvocations: new ToolInvocationsRepository(db),
    handoffs: new HandoffsRepository(db),
    latency: new LatencyRepository(db),
    outbox: new OutboxRepository(db),
    analysis: new AnalysisRepository(db),
    manifestVersions: new ManifestVersionsRepository(db),
    phoneNumbers: new PhoneNumbersRepository(db),
    canaries: new CanariesRepository(db),
    versionStats: new VersionStatsRepository(db),
    webhookEvents: new WebhookEventsRepository(db),
    transfers: new TransfersRepository(db),
    retention: new RetentionRepository(db),
    fleet: new FleetRepository(db),
  };
}
