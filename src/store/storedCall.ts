/**
 * The stored record of one call, as `switchboard calls show`, the console and the simulator read
 * it: the call row with its transcript, tool invocations, handoffs and latency samples.
 */
import type {
  CallRecord, HandoffRecord, LatencyRecord, ToolInvocationRecord, TranscriptItem,
} from './repositories/index.js';
import type { Store } from './store.js';
import { sleepMs } from '../shared/index.js';

export interface StoredCall {
  call: CallRecord;
  transcript: TranscriptItem[];
  tools: ToolInvocationRecord[];
  handoffs: HandoffRecord[];
  latency: LatencyRecord[];
}

export type CallReader = Pick<Store, 'calls' | 'transcripts' | 'toolInvocations' | 'handoffs' | 'latency'>;

export async function readStoredCall(store: CallReader, call: CallRecord): Promise<StoredCall> {
  const [transcript, tools, handoffs, latency] = await Promise.all([
    store.transcripts.list(call.id),
    store.toolInvocations.list(call.id),
    store.handoffs.list(call.id),
    store.latency.list(call.id),
  ]);
  return { call, transcript, tools, handoffs, latency };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** By call id (uuid) or Twilio CallSid. */
export async function findCall(store: CallReader, idOrSid: string): Promise<CallRecord | null> {
  if (UUID.test(idOrSid)) {
    const byId = await store.calls.get(idOrSid);
    if (byId) return byId;
  }
  return store.calls.getBySid(idOrSid);
}

/**
 * Waits until the call's row is finalised (completed/failed). The runtime writes the row when the
 * call is prepared, so one that has not appeared within `appearMs` is not coming: null.
 */
export async function waitForFinalCall(store: CallReader, callSid: string, timeoutMs = 15_000, appearMs = 5000): Promise<CallRecord | null> {
  const started = Date.now();
  let last: CallRecord | null = null;
  for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 500)) {
    last = await store.calls.getBySid(callSid);
    if (last && (last.status === 'completed' || last.status === 'failed')) return last;
    const waited = Date.now() - started;
    if (waited >= timeoutMs || (!last && waited >= appearMs)) return last;
    await sleepMs(delayMs);
  }
}
