/**
 * A call's records as they are written, pushed to whoever watches the call in this process (a
 * chat page, the console's softphone). The feed sits on the call's store: every transcript
 * item, handoff, tool invocation and the final row is reported once the write succeeded, so a
 * watcher sees exactly what `calls show` will print, in the same order, without polling.
 * A listener that throws is logged and dropped; it never reaches the call.
 */
import type { Manifest } from '../manifest/index.js';
import type { Logger } from '../observability/index.js';
import type { Db, TranscriptRole } from '../store/index.js';
import type { ToolInvocationStatus } from '../toolkit/index.js';
import type { CallStore } from './records.js';

export type CallFeedEvent =
  | { type: 'transcript'; role: TranscriptRole; agent: string | null; text: string; interrupted: boolean }
  /** `offsetMs`: when it happened, from the start of the call (writes may land out of that order). */
  | { type: 'handoff'; from: string; to: string; offsetMs: number | null }
  /** `running` when the tool starts (`offsetMs` its start); then its outcome. Arguments are the model's, as recorded. */
  | { type: 'tool'; name: string; agent: string | null; status: ToolInvocationStatus; offsetMs: number | null; arguments?: unknown; errorCode?: string; durationMs?: number }
  | { type: 'ended'; status: 'completed' | 'failed'; endReason: string };

export type CallFeedListener = (event: CallFeedEvent) => void;

export class CallFeed {
  private readonly listeners = new Set<CallFeedListener>();

  constructor(private readonly log: Pick<Logger, 'warn'>) {}

  /** Watches the call; returns the way to stop. */
  subscribe(listener: CallFeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get watched(): boolean {
    return this.listeners.size > 0;
  }

  emit(event: CallFeedEvent): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(event);
      } catch (err) {
        this.listeners.delete(fn);
        this.log.warn('call feed listener threw; dropped', { err: err as Error, event: event.type });
      }
    }
    if (event.type === 'ended') this.listeners.clear();
  }
}

/** What a call writes to (CallSessionDeps['store']). */
export type FeedableStore = CallStore & { dbForVertical(manifest: Manifest): Db };

/** The call's store with every successful record write also told to `feed`. */
export function feedingStore<S extends FeedableStore>(store: S, feed: CallFeed): S {
  const tools = new Map<string, { name: string; agent: string | null; offsetMs: number | null }>();
  const calls = store.calls;
  let startedAtMs: number | undefined;
  const offsetNow = () => (startedAtMs === undefined ? null : Math.max(0, Date.now() - startedAtMs));
  // Everything else of the store (transfers, the webhook outbox…) is the store's own.
  return {
    ...store,
    dbForVertical: (manifest: Manifest) => store.dbForVertical(manifest),
    latency: store.latency,
    transcripts: {
      append: async (callId, item) => {
        const row = await store.transcripts.append(callId, item);
        feed.emit({ type: 'transcript', role: item.role, agent: item.agent ?? null, text: item.text, interrupted: item.interrupted ?? false });
        return row;
      },
    },
    handoffs: {
      record: async (callId, from, to, offsetMs) => {
        await store.handoffs.record(callId, from, to, offsetMs);
        feed.emit({ type: 'handoff', from, to, offsetMs: offsetMs ?? null });
      },
    },
    toolInvocations: {
      begin: async (start) => {
        const claim = await store.toolInvocations.begin(start);
        const tool = { name: start.toolName, agent: start.agent ?? null, offsetMs: offsetNow() };
        tools.set(start.idempotencyKey, tool);
        feed.emit({ type: 'tool', ...tool, status: 'running', arguments: start.arguments });
        return claim;
      },
      finish: async (key, outcome) => {
        await store.toolInvocations.finish(key, outcome);
        const tool = tools.get(key);
        tools.delete(key);
        if (tool) {
          feed.emit({
            type: 'tool', ...tool, status: outcome.status, durationMs: Math.round(outcome.durationMs),
            ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}),
          });
        }
      },
    },
    calls: {
      create: (call) => {
        startedAtMs = (call.startedAt ?? new Date()).getTime();
        return calls.create(call);
      },
      getBySid: (sid) => calls.getBySid(sid),
      setEngine: (id, engine) => calls.setEngine(id, engine),
      mergeMetadata: (id, metadata) => calls.mergeMetadata(id, metadata),
      finalize: async (id, end) => {
        const done = await calls.finalize(id, end);
        feed.emit({ type: 'ended', status: end.status, endReason: end.endReason });
        return done;
      },
    },
  };
}
