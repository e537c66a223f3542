import { mayRerun } from '../shared/index.js';
import type { ToolInvocationClaim, ToolInvocationOutcome, ToolInvocationRecorder, ToolInvocationStart, ToolInvocationStatus } from './types.js';

export interface MemoryInvocation extends ToolInvocationStart {
  status: ToolInvocationStatus;
  result?: unknown;
  errorCode?: string;
  durationMs?: number;
  /** How many times `begin` claimed this key. */
  attempts: number;
}

/**
 * A `ToolInvocationRecorder` in memory, with the same idempotency rules as the database one:
 * for tests and for runs without a database (offline simulations).
 */
export class MemoryToolInvocationRecorder implements ToolInvocationRecorder {
  readonly invocations = new Map<string, MemoryInvocation>();

  async begin(start: ToolInvocationStart): Promise<ToolInvocationClaim> {
    const prev = this.invocations.get(start.idempotencyKey);
    if (prev?.status === 'ok') return { kind: 'replay', result: prev.result ?? null };
    if (prev && prev.status !== 'running' && !mayRerun(prev.status, start.idempotent ?? true)) {
      return { kind: 'settled', status: prev.status, result: prev.result ?? null, ...(prev.errorCode ? { errorCode: prev.errorCode } : {}) };
    }
    this.invocations.set(start.idempotencyKey, { ...start, status: 'running', attempts: (prev?.attempts ?? 0) + 1 });
    return { kind: 'new' };
  }

  async finish(idempotencyKey: string, outcome: ToolInvocationOutcome): Promise<void> {
    const row = this.invocations.get(idempotencyKey);
    if (!row) return;
    row.status = outcome.status;
    row.result = outcome.result === undefined ? undefined : JSON.parse(JSON.stringify(outcome.result));
    row.errorCode = outcome.errorCode;
    row.durationMs = outcome.durationMs;
  }

  list(): MemoryInvocation[] {
    return [...this.invocations.values()];
  }
}
