import { createLogger } from '../../../src/observability/logger.js';
import type { Db } from '../../../src/store/types.js';
import { MemoryToolInvocationRecorder, type CallToolEnv, type ToolServices } from '../../../src/toolkit/index.js';

/** A Db that refuses every statement: these tools must not touch the database. */
export const noDb: Db = {
  kind: 'pglite',
  async query() { throw new Error('no database in this test'); },
  async transaction() { throw new Error('no database in this test'); },
  withSchema() { return noDb; },
  async close() {},
};

export function makeEnv(overrides: Partial<CallToolEnv> = {}): CallToolEnv & { recorder: MemoryToolInvocationRecorder; controller: AbortController } {
  const controller = new AbortController();
  const recorder = new MemoryToolInvocationRecorder();
  const services: ToolServices = { now: () => new Date('2030-06-03T09:00:00Z') };
  return {
    callId: '6f1c1a52-64c3-4a43-9f7e-0d7a1f3c9b10',
    vertical: 'salon',
    db: noDb,
    logger: createLogger('test'),
    services,
    callSignal: controller.signal,
    recorder,
    currentAgent: () => 'Front Desk',
    controller,
    ...overrides,
  } as CallToolEnv & { recorder: MemoryToolInvocationRecorder; controller: AbortController };
}
