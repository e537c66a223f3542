/**
 * Every live call of the process, keyed by CallSid. The voice webhook prepares a call (pins the
 * vertical version, writes the call row, opens the model connection and asks for the greeting);
 * the media stream then attaches to it. A stream with no prepared call (a restart in between, a
 * simulator skipping the webhook) is prepared on the spot from its stream parameters.
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { EngineSelector, ModelEngine } from '../engines/index.js';
import { createLogger, type Logger } from '../observability/index.js';
import { newId, traceIdFromCallSid } from '../shared/index.js';
import { AppError, describeError } from '../shared/index.js';
import type { FleetRepository } from '../store/index.js';
import type { CallStatusReport, CarrierCallServices } from '../telephony/index.js';
import { STREAM_PARAM, type CallEvent, type CarrierConnection, type StartEvent } from '../telephony/index.js';
import { CallSession, DEFAULT_SESSION_OPTIONS, type CallSessionDeps, type CallSessionOptions } from './callSession.js';
import { CallFeed, feedingStore, type CallFeedListener } from './callFeed.js';
import { LocalVoice } from './localVoice.js';
import { TransferEvents, type TransferListener } from './transferEvents.js';
import { decideColdStart, type ColdStartDeps } from './coldStart.js';
import { END_REASON, type CallHandler, type PrepareInput, type StreamRoute, type TypedTurnResult } from './types.js';

/** Events that may arrive between `start` and the call taking the connection over. */
const MAX_EARLY_EVENTS = 512;

export interface CallManagerOptions {
  store: CallSessionDeps['store'];
  engines: EngineSelector;
  /** The registered carriers' call services: a call hangs up, transfers and texts through its own carrier's. */
  carriers: readonly CarrierCallServices[];
  /** Finds a vertical (and, when given, that exact version) for streams nobody prepared. */
  resolveVertical?: (id: string, version?: string) => CompiledVertical | undefined;
  voice?: LocalVoice;
  logger?: Logger;
  session?: Partial<CallSessionOptions>;
  /** Several instances on one database: call ownership, claims of streams prepared elsewhere. */
  fleet?: FleetOptions;
}

export interface FleetOptions {
  instanceId: string;
  repo: ColdStartDeps['fleet'] & Pick<FleetRepository, 'ownerOf'>;
  /** Exactly a vertical version (the call row's pinned one), or undefined. */
  pinned: ColdStartDeps['pinned'];
  /** Tells the preparing instance that this one claimed its call (Redis); optional. */
  announceClaim?(callSid: string, preparedBy: string): void;
  rowWaitMs?: number;
}

export class CallManager implements CallHandler {
  private readonly calls = new Map<string, CallSession>();
  /** Each live call's records as they are written (chat pages watch them). */
  private readonly feeds = new Map<string, CallFeed>();
  /** Calls that ended and are still writing their records (shutdown waits for them). */
  private readonly finalizing = new Set<Promise<void>>();
  private readonly log: Logger;
  private readonly voice: LocalVoice;
  private readonly sessionOptions: CallSessionOptions;
  private readonly carriers: ReadonlyMap<string, CarrierCallServices>;
  private readonly transferEvents: TransferEvents;
  private closing = false;
  /** Draining: no new calls; prepared ones still attach their stream. */
  private draining = false;
  private idleWaiters: Array<() => void> = [];
  /** Streams whose claim is being decided (a second stream for the same call is refused). */
  private readonly claiming = new Set<string>();

  constructor(private readonly options: CallManagerOptions) {
    this.log = options.logger ?? createLogger('realtime');
    this.voice = options.voice ?? new LocalVoice();
    this.sessionOptions = { ...DEFAULT_SESSION_OPTIONS, ...options.session };
    this.carriers = new Map(options.carriers.map((c) => [c.name, c]));
    this.transferEvents = new TransferEvents(this.log);
  }

  /** Every call's transfer transitions (transfer.started / answered / bridged / failed); returns the unsubscribe. */
  onTransferEvent(listener: TransferListener): () => void {
    return this.transferEvents.on(listener);
  }

  /** The live session of a call, if any. */
  get(callSid: string): CallSession | undefined {
    return this.calls.get(callSid);
  }

  prepare(input: PrepareInput): void {
    if (this.closing || this.draining) throw new AppError('CALL_GATEWAY_DRAINING', 'the gateway is shutting down');
    if (this.calls.has(input.callSid)) return;
    this.create(input);
  }

  /** This instance's id in the fleet, when there is one. */
  get instanceId(): string | undefined {
    return this.options.fleet?.instanceId;
  }

  /**
   * Another instance says it claimed `callSid`: if we hold that call pre-warmed (no stream yet) and
   * the call row agrees we no longer own it, release the pre-warmed session without ending the call.
   */
  async claimedElsewhere(callSid: string): Promise<boolean> {
    const session = this.calls.get(callSid);
    const fleet = this.options.fleet;
    if (!session || session.attached || !fleet) return false;
    const owner = await fleet.repo.ownerOf(session.callId);
    if (owner === null || owner === fleet.instanceId) return false;
    return session.release(`claimed by ${owner}`);
  }

  attach(connection: CarrierConnection, route?: StreamRoute): void {
    // Listen at once: frames that arrive in the same read as `start` are emitted before the
    // `started` promise settles. Those few are handed over as soon as the call is known.
    let deliver: ((e: CallEvent) => void) | undefined;
    let early: CallEvent[] = [];
    connection.on('event', (e) => {
      if (deliver !== undefined) deliver(e);
      else if (early.length < MAX_EARLY_EVENTS) early.push(e);
    });
    connection.started.then(
      async (start) => {
        const session = await this.onStart(connection, start, route).catch((err: unknown) => {
          this.log.error('media stream could not be placed', { err: describeError(err) });
          connection.close(1011, 'internal error');
          return undefined;
        });
        if (!session) return;
        deliver = (e) => session.handleCarrierEvent(e);
        const held = early;
        early = [];
        for (const e of held) deliver(e);
      },
      () => undefined,
    );
  }

  private async onStart(connection: CarrierConnection, start: StartEvent, route: StreamRoute | undefined): Promise<CallSession | undefined> {
    const params = start.customParameters;
    const callSid = params[STREAM_PARAM.callSid] || start.callSid;
    let session = this.calls.get(callSid);
    const fleet = this.options.fleet;
    if (session && fleet && route?.preparedBy !== undefined && route.preparedBy !== fleet.instanceId) {
      this.log.warn('media stream refused', { callSid, code: 'STREAM_INSTANCE_FORGED', preparedBy: route.preparedBy });
      connection.close(1008, 'STREAM_INSTANCE_FORGED');
      return undefined;
    }
    if (!session && fleet) {
      const claimed = await this.coldStart(fleet, connection, callSid, route?.preparedBy, params[STREAM_PARAM.scenario]);
      if (claimed === null) return undefined;
      session = claimed ?? this.calls.get(callSid);
    }
    if (!session) {
      const verticalId = params[STREAM_PARAM.vertical];
      const vertical = verticalId ? this.options.resolveVertical?.(verticalId, params[STREAM_PARAM.version]) : undefined;
      if (this.closing || this.draining || !vertical || !this.carriers.has(connection.carrier)) {
        this.log.warn('media stream for an unknown call', { callSid, vertical: verticalId ?? null, carrier: connection.carrier });
        connection.close(1008, 'unknown call');
        return undefined;
      }
      const scenario = params[STREAM_PARAM.scenario];
      session = this.create({ carrier: connection.carrier, callSid, vertical, ...(scenario ? { scenario } : {}) });
    }
    // A call whose stream is held for a warm transfer takes the caller's new stream (see streamSplice.ts).
    if (session.attached) {
      this.log.warn('second media stream for a call refused', { callSid });
      connection.close(1008, 'call already has a stream');
      return undefined;
    }
    session.attach(connection, start);
    return session.ended ? undefined : session;
  }

  /**
   * A stream for a call not held here: claim it (cold start on the call row's pinned version), or
   * refuse it. Null: refused (the socket is closed); undefined: nobody prepared it (old behaviour).
   */
  private async coldStart(fleet: FleetOptions, connection: CarrierConnection, callSid: string, preparedBy: string | undefined, scenario: string | undefined): Promise<CallSession | null | undefined> {
    if (this.claiming.has(callSid) || this.closing) {
      connection.close(1008, this.closing ? 'shutting down' : 'call already has a stream');
      return null;
    }
    this.claiming.add(callSid);
    try {
      const verdict = await decideColdStart({ me: fleet.instanceId, fleet: fleet.repo, pinned: fleet.pinned, rowWaitMs: fleet.rowWaitMs ?? 3000 }, callSid, preparedBy);
      if (verdict.kind === 'unprepared') return undefined;
      const live = this.calls.get(callSid);
      if (live) return live;
      if (verdict.kind === 'refused') {
        this.log.warn('media stream refused', { callSid, code: verdict.code, reason: verdict.message, preparedBy: preparedBy ?? null });
        connection.close(1008, verdict.code);
        return null;
      }
      const { row, vertical } = verdict;
      if (!this.carriers.has(connection.carrier)) {
        connection.close(1008, 'unknown carrier');
        return null;
      }
      const rowScenario = typeof row.metadata.scenario === 'string' ? row.metadata.scenario : undefined;
      const useScenario = scenario ?? rowScenario;
      this.log.info('call claimed from another instance (cold start)', { callSid, callId: row.id, preparedBy: row.preparedBy, version: vertical.version });
      const session = this.create({
        carrier: connection.carrier, callSid, vertical,
        ...(row.fromNumber ? { from: row.fromNumber } : {}), ...(row.toNumber ? { to: row.toNumber } : {}), ...(useScenario ? { scenario: useScenario } : {}),
      }, { callId: row.id, adoptRow: true });
      if (row.preparedBy && row.preparedBy !== fleet.instanceId) fleet.announceClaim?.(callSid, row.preparedBy);
      return session;
    } finally {
      this.claiming.delete(callSid);
    }
  }

  private create(input: PrepareInput, existing?: { callId: string; adoptRow: true }): CallSession {
    const { vertical } = input;
    const carrier = this.carriers.get(input.carrier);
    if (!carrier) throw new AppError('CALL_UNKNOWN_CARRIER', `no registered carrier is named "${input.carrier}"`);
    this.voice.warm(vertical);
    const feed = new CallFeed(this.log);
    const engine = this.options.engines.select({ manifest: vertical.manifest, ...(input.scenario ? { scenario: input.scenario } : {}) });
    const fleet = this.options.fleet;
    const session = new CallSession({
      callId: existing?.callId ?? newId(),
      ...(existing ? { adoptRow: true } : {}),
      ...(fleet ? { owner: fleet.instanceId, noStream: (s: CallSession) => void this.noStream(fleet, s) } : {}),
      callSid: input.callSid,
      carrierServices: carrier,
      vertical: carrier.channel === 'chat' ? chatPaced(vertical) : vertical,
      // A chat's model answers in text; everything else about the call is the same.
      engine: carrier.channel === 'chat' ? engine.then(textOnly) : engine,
      traceId: traceIdFromCallSid(input.callSid),
      ...(input.from ? { from: input.from } : {}),
      ...(input.to ? { to: input.to } : {}),
      ...(input.scenario ? { scenario: input.scenario } : {}),
      onEnded: (s, finalized) => {
        if (this.calls.get(s.callSid) === s) this.calls.delete(s.callSid);
        void finalized.finally(() => { if (this.feeds.get(s.callSid) === feed) this.feeds.delete(s.callSid); });
        this.finalizing.add(finalized);
        void finalized.finally(() => {
          this.finalizing.delete(finalized);
          this.checkIdle();
        });
      },
    }, {
      store: feedingStore(this.options.store, feed),
      voice: this.voice,
      logger: this.log,
      options: this.sessionOptions,
      transferEvents: this.transferEvents,
    });
    this.calls.set(input.callSid, session);
    this.feeds.set(input.callSid, feed);
    void session.start().catch((err: unknown) => this.log.error('call start failed', { err: describeError(err) }));
    return session;
  }

  /** A prepared call's stream never came here: released if another instance claimed it, else ended (no_stream). */
  private async noStream(fleet: FleetOptions, session: CallSession): Promise<void> {
    const owner = await fleet.repo.ownerOf(session.callId).catch(() => fleet.instanceId);
    if (owner !== null && owner !== fleet.instanceId && session.release(`claimed by ${owner}`)) return;
    await session.end(END_REASON.noStream, 'failed');
  }

  async statusChanged(report: CallStatusReport): Promise<void> {
    if (!report.ended) return;
    const live = this.calls.get(report.callSid);
    if (live) {
      await live.end(END_REASON.callerHangup);
      return;
    }
    const row = await this.options.store.calls.getBySid(report.callSid);
    if (!row || row.endedAt) return;
    const fleet = this.options.fleet;
    if (fleet) {
      // Another instance serves the call: it finishes the row when its stream stops (or, if it
      // died, the instance_lost sweep does), with the transcript complete before analysis.
      const owner = (await fleet.repo.lookup(report.callSid))?.owner ?? null;
      if (owner !== null && owner !== fleet.instanceId) return;
    }
    await this.options.store.calls.finalize(row.id, {
      status: report.outcome,
      endReason: END_REASON.statusCallback,
    });
  }

  typed(callSid: string, text: string): TypedTurnResult {
    const session = this.calls.get(callSid);
    if (!session || session.ended) return 'unknown_call';
    return session.typed(text) ? 'sent' : 'not_ready';
  }

  observe(callSid: string, listener: CallFeedListener): (() => void) | undefined {
    return this.feeds.get(callSid)?.subscribe(listener);
  }

  stats(): { active: number; byVertical: Record<string, number> } {
    const byVertical: Record<string, number> = {};
    for (const s of this.calls.values()) byVertical[s.vertical.id] = (byVertical[s.vertical.id] ?? 0) + 1;
    return { active: this.calls.size, byVertical };
  }

  drain(): void {
    this.draining = true;
  }

  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.checkIdle();
    });
  }

  farewell(): void {
    for (const s of [...this.calls.values()]) {
      // A call still waiting for its stream has nobody to say goodbye to.
      if (s.attached) void s.hangUpPolitely(s.vertical.manifest.limits.goodbye, END_REASON.drainTimeout);
      else void s.end(END_REASON.shutdown);
    }
  }

  private checkIdle(): void {
    if (this.calls.size > 0 || this.finalizing.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  async shutdown(reason: string): Promise<void> {
    this.closing = true;
    const live = [...this.calls.values()];
    if (live.length) this.log.info('ending live calls', { count: live.length, reason });
    await Promise.all(live.map((s) => s.end(END_REASON.shutdown)));
    await Promise.all([...this.finalizing]);
    await this.options.engines.close();
  }
}

/** The same engine (every field kept: kind, pipeline, per-agent engines), its sessions answering in text. */
function textOnly(engine: ModelEngine): ModelEngine {
  return { ...engine, open: (options) => engine.open({ ...options, output: 'text' }) };
}

/** Typing takes longer than speaking: a chat waits this many times the vertical's silence timeout. */
export const CHAT_SILENCE_FACTOR = 4;
const MAX_SILENCE_MS = 600_000;

/** The vertical as a chat runs it: the same compiled agents and version, a longer silence timeout. */
function chatPaced(vertical: CompiledVertical): CompiledVertical {
  const limits = vertical.manifest.limits;
  const silenceTimeoutMs = Math.min(MAX_SILENCE_MS, limits.silenceTimeoutMs * CHAT_SILENCE_FACTOR);
  return { ...vertical, manifest: { ...vertical.manifest, limits: { ...limits, silenceTimeoutMs } } };
}
