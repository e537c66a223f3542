import type { CallStore } from '../../src/realtime/records.js';
import type { NewCall, NewTranscriptItem, LatencySample, FinalizeCall, CallRecord } from '../../src/store/index.js';
import type { ToolInvocationStart } from '../../src/toolkit/types.js';

/** An in-memory call store that records every write in order; `hold` keeps writes waiting until `unhold`. */
export class FakeCallStore implements CallStore {
  readonly writes: string[] = [];
  readonly rows = new Map<string, { call: NewCall; ended?: FinalizeCall; engine?: string }>();
  readonly transcript: Array<NewTranscriptItem & { callId: string }> = [];
  readonly samples: LatencySample[] = [];
  readonly tools = new Map<string, { status: string }>();
  duplicateSid = false;
  private open: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;

  hold(): void {
    this.open = new Promise((r) => (this.release = r));
  }
  unhold(): void {
    this.release();
  }

  calls = {
    create: async (call: NewCall): Promise<CallRecord> => {
      await this.open;
      if (this.duplicateSid) throw Object.assign(new Error('duplicate'), { code: '23505' });
      this.writes.push('create');
      this.rows.set(call.id, { call });
      return {} as CallRecord;
    },
    getBySid: async (sid: string): Promise<CallRecord | null> =>
      sid === 'CA-existing' ? ({ id: 'existing-id' } as CallRecord) : null,
    setEngine: async (id: string, engine: string) => {
      this.writes.push(`engine:${engine}`);
      const r = this.rows.get(id);
      if (r) r.engine = engine;
    },
    mergeMetadata: async () => undefined,
    finalize: async (id: string, end: FinalizeCall) => {
      this.writes.push(`finalize:${end.endReason}`);
      const r = this.rows.get(id);
      if (!r || r.ended) return false;
      r.ended = end;
      return true;
    },
  };
  transcripts = {
    append: async (callId: string, item: NewTranscriptItem) => {
      this.writes.push(`transcript:${item.text}`);
      this.transcript.push({ callId, ...item });
      return {} as never;
    },
  };
  handoffs = { record: async (_c: string, from: string, to: string) => void this.writes.push(`handoff:${from}>${to}`) };
  latency = {
    record: async (_c: string, s: readonly LatencySample[]) => {
      this.writes.push(`latency:${s.length}`);
      this.samples.push(...s);
      return s.length;
    },
  };
  toolInvocations = {
    begin: async (start: ToolInvocationStart) => {
      this.writes.push(`tool:${start.toolName}`);
      this.tools.set(start.idempotencyKey, { status: 'running' });
      return { kind: 'new' as const };
    },
    finish: async (key: string, outcome: { status: string }) => {
      await new Promise((r) => setTimeout(r, 20));
      this.tools.set(key, { status: outcome.status });
    },
  };
}
