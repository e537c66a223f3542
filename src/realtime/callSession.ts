/**
 * One phone call: the carrier connection, the model link (SDK session over our transport), what
 * the caller hears, the limits, failover and the records. Audio never waits for anything else:
 * caller frames go to the model as they arrive, model audio goes to the caller as it arrives,
 * tools and database writes run beside them.
 */
import type { RealtimeAgent } from '@openai/agents/realtime';
import type { CompiledVertical } from '../catalog/index.js';
import type { EngineEndpoint } from '../engines/openai.js';
import { callSessionConfig } from '../engines/openai.js';
import type { Logger } from '../observability/logger.js';
import { recordCallEnded } from '../observability/metrics.js';
import type { Db } from '../store/index.js';
import type { Manifest } from '../manifest/schema.js';
import type { CarrierCallServices } from '../telephony/carrier.js';
import type { CallEvent, CarrierConnection, StartEvent } from '../telephony/types.js';
import type { CallToolEnv, SwitchboardRunContext } from '../toolkit/index.js';
import { describeError } from '../shared/errors.js';
import { createAudioPath, type AudioPath } from './audioPath.js';
import { CarrierOutlet } from './carrierQueue.js';
import { edgeStats } from './edgeStats.js';
import { CallLimitTimers } from './limits.js';
import { ModelLink, type ReplayItem } from './modelLink.js';
import { Playback } from './playback.js';
import { CallRecorder, type CallStore } from './records.js';
import { SessionEvents } from './sessionEvents.js';
import { LocalVoice } from './localVoice.js';
import { END_REASON, type EndReason } from './types.js';

export interface CallSessionOptions {
  /** A playback mark every N frames. */
  markEveryFrames: number;
  /** How long a model connection may take to become ready. */
  connectTimeoutMs: number;
  /** DTMF digits closer together than this reach the agent as one input. */
  dtmfGapMs: number;
  /** After a hang-up or transfer request, how long before we close the stream ourselves. */
  endGraceMs: number;
  /** The longest we wait for a prompt we asked for to be spoken. */
  speakTimeoutMs: number;
  /** How long a prepared call waits for its media stream. */
  prepareTtlMs: number;
  /** The longest a hang-up or transfer waits for the agent's last words to be heard. */
  drainTimeoutMs: number;
}

export const DEFAULT_SESSION_OPTIONS: CallSessionOptions = {
  markEveryFrames: 5,
  connectTimeoutMs: 5000,
  dtmfGapMs: 1200,
  endGraceMs: 1000,
  speakTimeoutMs: 15_000,
  prepareTtlMs: 30_000,
  drainTimeoutMs: 10_000,
};

const DRAIN_POLL_MS = 50;

export interface CallSessionDeps {
  store: CallStore & { dbForVertical(manifest: Manifest): Db };
  voice: LocalVoice;
  logger: Logger;
  options: CallSessionOptions;
}

export interface CallSessionInit {
  callId: string;
  callSid: string;
  /** The carrier the call came in on: its call control, SMS sender and media format. */
  carrierServices: CarrierCallServices;
  vertical: CompiledVertical;
  engine: Promise<EngineEndpoint>;
  from?: string;
  to?: string;
  scenario?: string;
  traceId: string;
  /** The call ended; `finalized` settles when its records are written. */
  onEnded(session: CallSession, finalized: Promise<void>): void;
}

type Phase = 'preparing' | 'live' | 'ending' | 'ended';

interface SpeakWaiter {
  responseId: string | undefined;
  done: boolean;
  resolve(): void;
}

export class CallSession {
  readonly callId: string;
  readonly callSid: string;
  readonly vertical: CompiledVertical;
  readonly rec: CallRecorder;
  readonly playback: Playback;
  readonly log: Logger;
  private readonly manifest: Manifest;
  private readonly outlet = new CarrierOutlet();
  private readonly startedAtMs = Date.now();
  private readonly abort = new AbortController();
  private readonly limits: CallLimitTimers;
  private readonly events: SessionEvents;
  private phase: Phase = 'preparing';
  private carrier: CarrierConnection | undefined;
  private engine: EngineEndpoint | undefined;
  private audioPath: AudioPath | undefined;
  link: ModelLink | undefined;
  private linkGeneration = 0;
  currentAgent: RealtimeAgent<SwitchboardRunContext>;
  readonly env: CallToolEnv;
  private retriesLeft: number;
  private recovering = false;
  private greeted = false;
  private forwardAudio = true;
  private pendingEndReason: EndReason | undefined;
  private ttlTimer: NodeJS.Timeout | undefined;
  private endGraceTimer: NodeJS.Timeout | undefined;
  private dtmfTimer: NodeJS.Timeout | undefined;
  private dtmfDigits = '';
  private speakWaiters: SpeakWaiter[] = [];
  private finalized: Promise<void> | undefined;
  private startEvent: StartEvent | undefined;
  /** What a reconnected model is told, in the order it happened. */
  readonly replayLog: ReplayItem[] = [];
  /** The call's voice (it cannot change once audio has been produced). */
  private readonly voice: string | undefined;

  constructor(private readonly init: CallSessionInit, private readonly deps: CallSessionDeps) {
    this.callId = init.callId;
    this.callSid = init.callSid;
    this.vertical = init.vertical;
    this.manifest = init.vertical.manifest;
    this.log = deps.logger.child({ callId: init.callId, callSid: init.callSid, vertical: init.vertical.id });
    this.rec = new CallRecorder(deps.store, init.callId, this.log);
    this.currentAgent = init.vertical.graph.entry as RealtimeAgent<SwitchboardRunContext>;
    this.retriesLeft = this.manifest.fallback.retries;
    this.voice = init.vertical.voices.get(this.currentAgent.name);
    this.playback = new Playback(this.outlet, {
      onFirstFrame: (itemId) => this.events.onFirstFrame(itemId),
      onItemPlayed: (itemId, playedMs) => {
        this.events.onItemPlayed(itemId, playedMs);
        deps.voice.settle(itemId);
      },
      onIdle: () => this.onPlaybackIdle(),
    }, { markEveryFrames: deps.options.markEveryFrames, media: init.carrierServices.media });
    this.limits = new CallLimitTimers(this.manifest.limits, {
      silencePrompt: (text) => void this.speak(text),
      silenceHangUp: () => void this.hangUpPolitely(this.manifest.limits.goodbye, END_REASON.silenceTimeout),
      maxDuration: () => void this.hangUpPolitely(this.manifest.limits.goodbye, END_REASON.maxDuration),
    });
    this.events = new SessionEvents(this);
    this.env = {
      callId: init.callId,
      vertical: init.vertical.id,
      db: deps.store.dbForVertical(this.manifest),
      logger: this.log.child({}, 'switchboard:tools'),
      callSignal: this.abort.signal,
      recorder: this.rec.toolRecorder(),
      currentAgent: () => this.currentAgent.name,
      services: {
        now: () => new Date(),
        ...(init.carrierServices.sms ? { sms: { send: (to: string, body: string, signal?: AbortSignal) => init.carrierServices.sms!.send(to, this.init.to ?? this.vertical.numbers[0] ?? '', body, signal) } } : {}),
        ...(this.manifest.fallback.humanNumber ? { humanNumber: this.manifest.fallback.humanNumber } : {}),
        call: {
          // Both let the caller hear what the agent said before the tool ran (the goodbye, the
          // "connecting you now") before the carrier takes the call away.
          transfer: async (to, options) => {
            await this.drainPlayback();
            await this.transferTo(to, options?.announce, END_REASON.transferred);
          },
          hangUp: async (options) => {
            await this.drainPlayback();
            await this.hangUpNow(options?.goodbye, END_REASON.agentHangup);
          },
        },
      },
    };
    this.rec.start({
      id: init.callId, callSid: init.callSid, vertical: init.vertical.id, manifestVersion: init.vertical.version,
      from: init.from ?? null, to: init.to ?? null, traceId: init.traceId, startedAt: new Date(this.startedAtMs),
      metadata: init.scenario ? { scenario: init.scenario } : {},
    });
    this.ttlTimer = setTimeout(() => void this.end(END_REASON.noStream, 'failed'), deps.options.prepareTtlMs);
    this.ttlTimer.unref();
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  get live(): boolean {
    return this.phase === 'live';
  }

  get attached(): boolean {
    return this.carrier !== undefined;
  }

  /** Milliseconds since the call started (transcript offsets). */
  offsetMs(): number {
    return Date.now() - this.startedAtMs;
  }

  /** Picks the engine, builds the audio path and opens the model connection (webhook time). */
  async start(): Promise<void> {
    try {
      this.engine = await this.init.engine;
      this.rec.setEngine(this.engine.kind);
      this.audioPath = await createAudioPath(this.engine.audio);
    } catch (err) {
      this.log.error('no engine for this call', { err: err as Error });
      await this.end(END_REASON.error, 'failed');
      return;
    }
    if (this.ended) return;
    try {
      await this.connectModel(false);
    } catch (err) {
      this.log.warn('model connection failed at call start', { err: describeError(err) });
      void this.failover('connect failed');
    }
  }

  /** The media stream started: audio flows both ways from here. */
  attach(carrier: CarrierConnection, start: StartEvent): void {
    if (this.ended) {
      carrier.close(1000, 'call already ended');
      return;
    }
    if (this.ttlTimer) clearTimeout(this.ttlTimer);
    this.carrier = carrier;
    this.startEvent = start;
    this.phase = this.phase === 'preparing' ? 'live' : this.phase;
    this.events.streamStarted();
    carrier.on('close', () => void this.end(this.pendingEndReason ?? END_REASON.callerHangup));
    carrier.on('error', (err) => this.log.debug('carrier input refused', { code: err.code }));
    this.outlet.attach(carrier);
    this.limits.startMaxDuration();
    this.maybeQuiet();
  }

  // ---- carrier → model -------------------------------------------------------------------

  /** Every carrier event after `start` (the CallManager routes them here). */
  handleCarrierEvent(e: CallEvent): void {
    switch (e.type) {
      case 'audio':
        return this.onCallerAudio(e.payloadBase64);
      case 'mark':
        return this.playback.acknowledge(e.name);
      case 'dtmf':
        return this.onDtmf(e.digit);
      case 'stop':
        void this.end(this.pendingEndReason ?? END_REASON.callerHangup);
        return;
      default:
        return;
    }
  }

  private onCallerAudio(payloadBase64: string): void {
    const t0 = performance.now();
    const link = this.link;
    const path = this.audioPath;
    if (link === undefined || path === undefined || !this.forwardAudio) {
      edgeStats.framesDroppedNoModel++;
      return;
    }
    if (link.append(path.toModel(payloadBase64))) {
      edgeStats.appendsOut++;
      edgeStats.inboundMs.add(performance.now() - t0);
    } else {
      edgeStats.framesDroppedNoModel++;
    }
  }

  private onDtmf(digit: string): void {
    if (!/^[0-9*#A-D]$/.test(digit)) return;
    this.dtmfDigits += digit;
    this.limits.callerSpoke();
    if (this.dtmfTimer) clearTimeout(this.dtmfTimer);
    if (digit === '#') return this.flushDtmf();
    this.dtmfTimer = setTimeout(() => this.flushDtmf(), this.deps.options.dtmfGapMs);
    this.dtmfTimer.unref();
  }

  private flushDtmf(): void {
    if (this.dtmfTimer) clearTimeout(this.dtmfTimer);
    this.dtmfTimer = undefined;
    const digits = this.dtmfDigits;
    this.dtmfDigits = '';
    if (!digits || !this.link?.isOpen || this.phase !== 'live') return;
    this.link.sendUserText(`[DTMF ${digits}]`);
  }

  // ---- model link ------------------------------------------------------------------------

  /** Opens a model link; on a reconnect, tells it the conversation so far. */
  async connectModel(reconnect: boolean): Promise<void> {
    const engine = this.engine;
    if (!engine) throw new Error('engine not selected');
    const generation = ++this.linkGeneration;
    const link: ModelLink = new ModelLink({
      endpoint: engine,
      agent: this.currentAgent,
      context: { switchboard: this.env },
      config: callSessionConfig(this.vertical.session, engine.audio, this.voice),
      connectTimeoutMs: this.deps.options.connectTimeoutMs,
      tap: {
        onAudioDelta: (d, t) => {
          if (this.link === link) this.events.onAudioDelta(link, d, t);
        },
        onServerEvent: (e, t) => (this.link === link ? this.events.onServerEvent(link, e, t) : true),
        onSocketClose: (info) => {
          if (this.link === link && !info.expected) void this.failover(`model socket closed (${info.code})`);
        },
        onInterruptRequested: () => {
          if (this.link === link) this.events.bargeIn(link, performance.now());
        },
      },
    });
    this.events.attachSession(link);
    this.link = link;
    try {
      await link.connect();
    } catch (err) {
      if (this.link === link) this.link = undefined;
      throw err;
    }
    if (this.ended || generation !== this.linkGeneration) {
      link.close();
      return;
    }
    this.log.info(reconnect ? 'model reconnected' : 'model connected', { engine: engine.kind, audio: engine.audio });
    if (reconnect) {
      link.replay(this.replayLog);
      if (this.greeted) link.respond();
    }
    if (!this.greeted) {
      this.greeted = true;
      void this.speak(this.manifest.greeting);
    }
  }

  /**
   * The model connection failed: the caller hears the canned message at once, we reconnect
   * (as often as the manifest allows) and restore the conversation, else hand the caller to a
   * human, else apologise and hang up.
   */
  async failover(cause: string): Promise<void> {
    if (this.phase === 'ending' || this.phase === 'ended' || this.recovering) return;
    this.recovering = true;
    this.log.warn('model connection lost', { cause });
    const old = this.link;
    this.link = undefined;
    old?.close();
    this.events.connectionLost();
    const fallback = this.manifest.fallback;
    const message = this.deps.voice.say(this, fallback.message);
    while (this.retriesLeft > 0 && !this.ended) {
      this.retriesLeft--;
      try {
        await this.connectModel(true);
        this.rec.mergeMetadata({ reconnects: this.manifest.fallback.retries - this.retriesLeft });
        this.recovering = false;
        return;
      } catch (err) {
        this.log.warn('model reconnect failed', { err: describeError(err) });
      }
    }
    if (this.ended) return;
    this.phase = this.phase === 'preparing' ? 'preparing' : 'ending';
    await message;
    if (fallback.humanNumber) {
      await this.transferTo(fallback.humanNumber, undefined, END_REASON.failoverTransfer);
    } else {
      await this.deps.voice.say(this, fallback.unavailableMessage);
      await this.hangUpNow(undefined, END_REASON.modelUnavailable);
    }
  }

  // ---- speaking --------------------------------------------------------------------------

  /** Has the model say `text`; resolves once it has been played (or after a cap). */
  speak(text: string): Promise<void> {
    const link = this.link;
    if (!link?.isOpen) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, this.deps.options.speakTimeoutMs);
      timer.unref();
      const waiter: SpeakWaiter = { responseId: undefined, done: false, resolve: finish };
      const waiters = this.speakWaiters;
      function finish(): void {
        clearTimeout(timer);
        const i = waiters.indexOf(waiter);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }
      this.speakWaiters.push(waiter);
      link.say(text);
    });
  }

  /** A response was created: the oldest unclaimed speak request owns it. */
  claimSpeakResponse(responseId: string): void {
    const w = this.speakWaiters.find((x) => x.responseId === undefined);
    if (w) w.responseId = responseId;
  }

  /** A response finished generating; its speaker is done once playback drains. */
  speakResponseDone(responseId: string): void {
    for (const w of this.speakWaiters) if (w.responseId === responseId) w.done = true;
    this.settleSpeakers();
  }

  private settleSpeakers(): void {
    if (!this.playback.idle) return;
    for (const w of [...this.speakWaiters]) if (w.done) w.resolve();
  }

  private onPlaybackIdle(): void {
    this.settleSpeakers();
    this.maybeQuiet();
  }

  // ---- limits ----------------------------------------------------------------------------

  /** Starts the silence count when nobody is talking and nothing is pending. */
  maybeQuiet(): void {
    if (this.phase !== 'live' || this.recovering) return;
    if (this.events.callerSpeaking || this.events.activeResponseId !== undefined) return;
    if (!this.playback.idle || this.rec.toolsRunning > 0) return;
    this.limits.quiet();
  }

  busy(): void {
    this.limits.busy();
  }

  callerSpoke(): void {
    this.limits.callerSpoke();
  }

  // ---- ending ----------------------------------------------------------------------------

  /** Says `text` (through the model), waits for it to be heard, then hangs up. */
  async hangUpPolitely(text: string, reason: EndReason): Promise<void> {
    if (this.phase !== 'live') return;
    this.phase = 'ending';
    this.forwardAudio = false;
    this.limits.stop();
    if (this.link?.isOpen) await this.speak(text);
    else await this.deps.voice.say(this, text);
    await this.hangUpNow(undefined, reason);
  }

  /**
   * Waits until the model has finished its current response and the caller has heard all of it
   * (every mark back), or `timeoutMs`, or the call ends. A barge-in clears playback, which also
   * counts as drained.
   */
  async drainPlayback(timeoutMs = this.deps.options.drainTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const drained = () => this.ended || !this.carrier || (this.events.activeResponseId === undefined && this.playback.idle);
    while (!drained() && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    }
  }

  /** Asks the carrier to end the call, then ends it here (the stream may not stop by itself). */
  async hangUpNow(goodbye: string | undefined, reason: EndReason): Promise<void> {
    if (this.ended) return;
    this.pendingEndReason = reason;
    try {
      await this.init.carrierServices.callControl.hangUp(this.callSid, goodbye ? { say: goodbye } : undefined);
    } catch (err) {
      this.log.error('hang-up request failed', { err: describeError(err) });
    }
    this.scheduleEnd(reason);
  }

  /** Transfers the caller (Twilio call update), then ends our side. */
  async transferTo(to: string, announce: string | undefined, reason: EndReason): Promise<void> {
    if (this.ended) return;
    this.pendingEndReason = reason;
    try {
      await this.init.carrierServices.callControl.transfer(this.callSid, to, announce ? { say: announce } : undefined);
    } catch (err) {
      this.log.error('transfer request failed', { err: describeError(err) });
      this.pendingEndReason = undefined;
      throw err;
    }
    this.scheduleEnd(reason);
  }

  private scheduleEnd(reason: EndReason): void {
    if (this.endGraceTimer || this.ended) return;
    this.endGraceTimer = setTimeout(() => void this.end(reason), this.deps.options.endGraceMs);
    this.endGraceTimer.unref();
  }

  /**
   * Ends the call, whatever the cause: timers stop, tools are cancelled, both sockets close and
   * the records are flushed and finalised. Idempotent.
   */
  end(reason: EndReason, status: 'completed' | 'failed' = reason === END_REASON.error || reason === END_REASON.noStream || reason === END_REASON.modelUnavailable ? 'failed' : 'completed'): Promise<void> {
    if (this.finalized) return this.finalized;
    this.phase = 'ended';
    this.limits.stop();
    for (const t of [this.ttlTimer, this.endGraceTimer, this.dtmfTimer]) if (t) clearTimeout(t);
    for (const w of [...this.speakWaiters]) w.resolve();
    this.abort.abort();
    const link = this.link;
    this.link = undefined;
    link?.close();
    this.carrier?.close(1000, reason);
    this.events.callEnded();
    this.audioPath?.close();
    this.log.info('call ended', { reason, durationMs: this.offsetMs() });
    recordCallEnded(this.vertical.id, reason);
    this.finalized = this.rec.finalize({ status, endReason: reason }).then(
      () => undefined,
      (err: unknown) => this.log.error('finalising the call failed', { err: err as Error }),
    );
    this.init.onEnded(this, this.finalized);
    return this.finalized;
  }

  /** Runs `fn` with the carrier's writes batched (one write for a delta's frames). */
  batchCarrier(fn: () => void): void {
    this.outlet.batch(fn);
  }

  /** An item's playback was cut short (a local prompt's waiter must not wait for it). */
  itemCut(itemId: string): void {
    this.deps.voice.settle(itemId);
  }

  /** The audio path (set once the engine is chosen). */
  get audio(): AudioPath | undefined {
    return this.audioPath;
  }

  get startedEvent(): StartEvent | undefined {
    return this.startEvent;
  }
}
