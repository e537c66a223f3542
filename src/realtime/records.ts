/**
 * A call's records: the call row, transcript items in conversation order, handoffs, latency
 * samples and the tool recorder the toolkit writes through. Nothing here is awaited on the
 * audio path: writes are queued on one promise chain per call (so they land in order and the
 * call row exists before anything refers to it) and `finalize` flushes everything, whatever
 * ended the call.
 */
import type { CallEventData, CallsRepository, FinalizeCall, WebhookEventsRepository, HandoffsRepository, LatencyRepository, LatencySample, NewCall, TranscriptsRepository, TranscriptRole } from '../store/index.js';
import type { ToolInvocationRecorder, ToolInvocationStart, ToolInvocationStatus } from '../toolkit/index.js';
import { NO_CALL_TELEMETRY, type CallTelemetry, type Logger } from '../observability/index.js';
import { sqlState } from '../store/index.js';
import type { CallEventType } from '../manifest/index.js';

/** The repositories a call writes to. */
export interface CallStore {
  calls: Pick<CallsRepository, 'create' | 'getBySid' | 'setEngine' | 'mergeMetadata' | 'finalize'>;
  transcripts: Pick<TranscriptsRepository, 'append'>;
  handoffs: Pick<HandoffsRepository, 'record'>;
  latency: Pick<LatencyRepository, 'record'>;
  toolInvocations: ToolInvocationRecorder;
  /** The webhook outbox; absent, no call event is recorded. */
  webhookEvents?: Pick<WebhookEventsRepository, 'emit'>;
}

/** Which call events the call's vertical has webhooks for (nothing is written for the others). */
export interface CallEventSink {
  vertical: string;
  wants(type: CallEventType): boolean;
}

const NO_EVENTS: CallEventSink = { vertical: '', wants: () => false };

interface Entry {
  key: string;
  role: TranscriptRole;
  agent: string | null;
  itemId: string | null;
  text: string;
  startedMs: number | null;
  endedMs: number | null;
  interrupted: boolean;
  complete: boolean;
  openedAt: number;
}

/** Latency samples are written in batches of this many (and at the end of the call). */
const LATENCY_BATCH = 100;
/** A transcript item that never completes stops holding back later ones after this long. */
const STUCK_ENTRY_MS = 8000;
/** How long the end of a call waits for in-flight tool invocations to record their outcome. */
const TOOL_SETTLE_MS = 3000;

export class CallRecorder {
  private chain: Promise<void>;
  private readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  private latencyBuf: LatencySample[] = [];
  private finalized: Promise<boolean> | undefined;
  private readonly toolsInFlight = new Set<string>();
  private toolWaiters: Array<() => void> = [];
  private stuckTimer: NodeJS.Timeout | undefined;
  /** Resolves once the call row exists (or could not be written). */
  readonly rowReady: Promise<void>;
  private rowWritten = false;

  /** Latency samples, handoffs and tool outcomes are also reported to `telemetry` (spans, metrics). */
  constructor(
    private readonly store: CallStore, callId: string, private readonly log: Logger, private readonly telemetry: CallTelemetry = NO_CALL_TELEMETRY,
    private readonly events: CallEventSink = NO_EVENTS,
  ) {
    this.id = callId;
    let markReady!: () => void;
    this.rowReady = new Promise((resolve) => (markReady = resolve));
    this.chain = Promise.resolve();
    this.markRowReady = markReady;
  }

  private readonly markRowReady: () => void;
  /** The call row's id (a second row for a known CallSid adopts the first one's). */
  private id: string;

  get callId(): string {
    return this.id;
  }

  /** Inserts the call row (first in the chain). A second row for a known CallSid adopts it. */
  start(call: NewCall): void {
    this.enqueue('call row', async () => {
      try {
        await this.store.calls.create({ ...call, emitStarted: Boolean(this.store.webhookEvents) && this.events.wants('call.started') });
        this.rowWritten = true;
      } catch (err) {
        if (sqlState(err) !== '23505') throw err;
        const existing = await this.store.calls.getBySid(call.callSid);
        if (!existing) throw err;
        this.log.warn('call row already existed for this CallSid; continuing it', { callId: existing.id });
        this.id = existing.id;
        this.rowWritten = true;
      } finally {
        this.markRowReady();
      }
    });
  }

  /** Continues a call row another instance wrote (a cold start after a claim): nothing is inserted. */
  adopt(): void {
    this.rowWritten = true;
    this.markRowReady();
  }

  /**
   * Lets the call go without ending its row: another instance took it over. Writes not yet
   * queued (transcript, latency) are dropped; the row is the new owner's to finish.
   */
  discard(): void {
    this.finalized ??= Promise.resolve(false);
    this.entries.splice(0);
    this.byKey.clear();
    this.latencyBuf = [];
    if (this.stuckTimer) clearTimeout(this.stuckTimer);
  }

  setEngine(engine: string): void {
    this.enqueue('engine', () => this.store.calls.setEngine(this.callId, engine));
  }

  mergeMetadata(metadata: Record<string, unknown>): void {
    this.enqueue('metadata', () => this.store.calls.mergeMetadata(this.callId, metadata));
  }

  /**
   * Records a call event (transfer.started, transfer.answered…) for the vertical's webhooks, after
   * the call row and in order with the rest of the call's records. `data` is metadata only.
   */
  emit(type: CallEventType, data: CallEventData = {}): void {
    const sink = this.store.webhookEvents;
    if (!sink || !this.events.wants(type)) return;
    const occurredAt = new Date();
    this.enqueue(`event ${type}`, async () => {
      if (!this.rowWritten) return;
      await sink.emit({ type, callId: this.callId, vertical: this.events.vertical, occurredAt, data });
    });
  }

  handoff(fromAgent: string, toAgent: string, offsetMs: number): void {
    this.telemetry.handoff(fromAgent, toAgent);
    this.enqueue('handoff', () => this.store.handoffs.record(this.callId, fromAgent, toAgent, offsetMs));
  }

  latency(metric: string, valueMs: number, turn?: number | null): void {
    if (!Number.isFinite(valueMs)) return;
    this.telemetry.stageLatency(metric, valueMs, turn ?? null);
    this.latencyBuf.push({ metric, valueMs, turn: turn ?? null });
    if (this.latencyBuf.length >= LATENCY_BATCH) this.flushLatency();
  }

  /** Opens a transcript item at its place in the conversation; its text may come later. */
  openItem(key: string, init: { role: TranscriptRole; agent?: string | null; itemId?: string | null; startedMs?: number | null }): void {
    if (this.byKey.has(key)) return;
    const entry: Entry = {
      key, role: init.role, agent: init.agent ?? null, itemId: init.itemId ?? null, text: '',
      startedMs: init.startedMs ?? null, endedMs: null, interrupted: false, complete: false, openedAt: Date.now(),
    };
    this.entries.push(entry);
    this.byKey.set(key, entry);
  }

  hasItem(key: string): boolean {
    return this.byKey.has(key);
  }

  /** Sets what is known of an item's text without completing it (used if the call ends first). */
  updateItem(key: string, patch: { text?: string; endedMs?: number | null; interrupted?: boolean; startedMs?: number | null }): void {
    const entry = this.byKey.get(key);
    if (!entry) return;
    if (patch.text !== undefined) entry.text = patch.text;
    if (patch.endedMs !== undefined) entry.endedMs = patch.endedMs;
    if (patch.startedMs !== undefined) entry.startedMs = patch.startedMs;
    if (patch.interrupted !== undefined) entry.interrupted = patch.interrupted;
  }

  /** The item's text is final: it is written once every item before it is. */
  completeItem(key: string, patch: { text?: string; endedMs?: number | null; interrupted?: boolean } = {}): void {
    const entry = this.byKey.get(key);
    if (!entry || entry.complete) return;
    this.updateItem(key, patch);
    entry.complete = true;
    this.drainEntries(false);
  }

  /** Items (role and text) so far, in conversation order: what a reconnected model is told. */
  conversation(): Array<{ role: TranscriptRole; text: string; agent: string | null }> {
    return this.entries.filter((e) => e.text.trim() !== '').map((e) => ({ role: e.role, text: e.text, agent: e.agent }));
  }

  /**
   * Wraps the toolkit's recorder: an invocation waits for the call row before it is written,
   * and the end of the call waits (a little) for every started invocation to record its outcome.
   */
  toolRecorder(): ToolInvocationRecorder {
    const names = new Map<string, string>();
    return {
      begin: async (start: ToolInvocationStart) => {
        this.toolsInFlight.add(start.idempotencyKey);
        names.set(start.idempotencyKey, start.toolName);
        this.telemetry.toolStarted(start.idempotencyKey, start.toolName);
        await this.rowReady;
        try {
          return await this.store.toolInvocations.begin({ ...start, callId: this.callId });
        } catch (err) {
          this.toolDone(start.idempotencyKey);
          throw err;
        }
      },
      finish: async (key: string, outcome: { status: Exclude<ToolInvocationStatus, 'running'>; result?: unknown; errorCode?: string; durationMs: number }) => {
        const name = names.get(key);
        names.delete(key);
        if (name !== undefined) this.telemetry.toolEnded(key, name, { status: outcome.status, errorCode: outcome.errorCode, durationMs: outcome.durationMs });
        try {
          await this.store.toolInvocations.finish(key, outcome);
        } finally {
          this.toolDone(key);
        }
      },
    };
  }

  /** Tool invocations begun and not yet finished. */
  get toolsRunning(): number {
    return this.toolsInFlight.size;
  }

  private toolDone(key: string): void {
    if (this.toolsInFlight.delete(key) && this.toolsInFlight.size === 0) {
      const waiters = this.toolWaiters;
      this.toolWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Writes everything still held, then ends the call row (which queues post-call work in the
   * same transaction). Idempotent: the first reason wins.
   */
  finalize(end: FinalizeCall): Promise<boolean> {
    this.finalized ??= (async () => {
      await this.waitForTools(TOOL_SETTLE_MS);
      this.drainEntries(true);
      this.flushLatency();
      let done = false;
      this.enqueue('finalize', async () => {
        if (!this.rowWritten) return;
        done = await this.store.calls.finalize(this.callId, { ...end, emitEnded: Boolean(this.store.webhookEvents) && this.events.wants('call.ended') });
      });
      await this.chain;
      if (this.stuckTimer) clearTimeout(this.stuckTimer);
      return done;
    })();
    return this.finalized;
  }

  /** Resolves when every queued write has been attempted. */
  flush(): Promise<void> {
    return this.chain;
  }

  private enqueue(what: string, op: () => Promise<unknown>): void {
    this.chain = this.chain.then(op).then(
      () => undefined,
      (err: unknown) => this.log.error('call record write failed', { what, callId: this.callId, err: err as Error }),
    );
  }

  private flushLatency(): void {
    if (this.latencyBuf.length === 0) return;
    const batch = this.latencyBuf;
    this.latencyBuf = [];
    this.enqueue('latency', () => this.store.latency.record(this.callId, batch));
  }

  private drainEntries(force: boolean): void {
    const now = Date.now();
    let written = 0;
    for (const entry of this.entries) {
      if (!entry.complete && !force) {
        // A caller item whose transcription never comes must not hold the rest back forever.
        const later = this.entries.some((e) => e !== entry && e.complete);
        if (!(later && now - entry.openedAt > STUCK_ENTRY_MS)) break;
      }
      written++;
      this.byKey.delete(entry.key);
      if (entry.text.trim() === '') continue;
      const item = {
        role: entry.role, agent: entry.agent, itemId: entry.itemId, text: entry.text,
        startedMs: entry.startedMs, endedMs: entry.endedMs, interrupted: entry.interrupted,
      };
      this.enqueue('transcript', () => this.store.transcripts.append(this.callId, item));
    }
    if (written > 0) this.entries.splice(0, written);
    if (!force && this.entries.length > 0 && this.entries.some((e) => e.complete)) this.scheduleStuckCheck();
  }

  private scheduleStuckCheck(): void {
    if (this.stuckTimer) return;
    this.stuckTimer = setTimeout(() => {
      this.stuckTimer = undefined;
      this.drainEntries(false);
    }, STUCK_ENTRY_MS);
    this.stuckTimer.unref();
  }

  private waitForTools(capMs: number): Promise<void> {
    if (this.toolsInFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, capMs);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.toolWaiters.push(done);
    });
  }
}

/**
 * The assistant's words cut to what the caller heard: the same share of the text as of the
 * audio, ending on a whole word.
 */
export function cutToHeard(text: string, heardMs: number, totalMs: number): string {
  if (totalMs <= 0 || heardMs >= totalMs) return text;
  if (heardMs <= 0) return '';
  const target = Math.floor((text.length * heardMs) / totalMs);
  if (target >= text.length) return text;
  // Keep a word only when the cut falls right after it.
  const boundary = /\s/.test(text.charAt(target)) ? target : text.lastIndexOf(' ', target);
  return boundary <= 0 ? '' : text.slice(0, boundary).trimEnd();
}
