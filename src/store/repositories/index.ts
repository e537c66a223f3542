import type { Db } from '../types.js';
import { CallsRepository } from './calls.js';
import { HandoffsRepository, LatencyRepository } from './events.js';
import { OutboxRepository } from './outbox.js';
import { ToolInvocationsRepository } from './toolInvocations.js';
import { TranscriptsRepository } from './transcripts.js';

export * from './calls.js';
export * from './events.js';
export * from './outbox.js';
export * from './toolInvocations.js';
export * from './transcripts.js';

/** The core repositories over one Db (core tables resolve through its search_path). */
export interface Repositories {
  calls: CallsRepository;
  transcripts: TranscriptsRepository;
  toolInvocations: ToolInvocationsRepository;
  handoffs: HandoffsRepository;
  latency: LatencyRepository;
  outbox: OutboxRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    calls: new CallsRepository(db),
    transcripts: new TranscriptsRepository(db),
    toolInvocations: new ToolInvocationsRepository(db),
    handoffs: new HandoffsRepository(db),
    latency: new LatencyRepository(db),
    outbox: new OutboxRepository(db),
  };
}
