/**
 * One phone call: its lifecycle (prepared, live, ending, ended), the carrier connection, the
 * limits, hang-up and transfer, and the end of the call. The parts do the rest: the model
 * supervisor keeps a model session alive, session events turn what the model does into
 * playback and records, the speaker waits for prompts to be heard, DTMF is collected, tools get
 * their environment. Audio never waits for anything else: caller frames go to the model as they
 * arrive, model audio goes to the caller as it arrives, tools and database writes run beside them.
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { ModelEngine } from '../engines/index.js';
import type { CallTelemetry, Logger } from '../observability/index.js';
import { callTelemetry, recordCallEnded } from '../observability/index.js';
import type { Db } from '../store/index.js';
import type { Manifest } from '../manifest/index.js';
import type { CarrierCallServices } from '../telephony/index.js';
import type { CallEvent, CarrierConnection, StartEvent } from '../telephony/index.js';
import { describeError } from '../shared/index.js';
import { createAudioPath, type AudioPath } from './audioPath.js';
import type { CallPort } from './callPort.js';
import { CarrierOutlet } from './carrierQueue.js';
import { DtmfCollector } from './dtmf.js';
import { edgeStats } from './edgeStats.js';
import { CallLimitTimers } from './limits.js';
import type { LocalVoice } from './localVoice.js';
import { ModelSupervisor } from './modelSupervisor.js';
import { LanguageSwitch } from './languageSwitch.js';
import { Playback } from './playback.js';
import { CallRecorder, type CallStore } from './records.js';
import { SessionEvents } from './sessionEvents.js';
import { Speaker } from './speaker.js';
import { buildCallToolEnv } from './toolEnv.js';
import type { CallSessionOptions } from './sessionOptions.js';
import { END_REASON, type EndReason } from './types.js';

export { DEFAULT_SESSION_OPTIONS, type CallSessionOptions } from './sessionOptions.js';

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
  engine: Promise<ModelEngine>;
  from?: string;
  to?: string;
  scenario?: string;
  traceId: string;
  /** The call ended; `finalized` settles when its records are written. */
  onEnded(session: CallSession, finalized: Promise<void>): void;
}

type Phase = 'preparing' | 'live' | 'ending' | 'ended';

export class CallSession {
  readonly callId: string;
  readonly callSid: string;
  readonly vertical: CompiledVertical;
  readonly log: Logger;
  /** The call's trace and metrics (the call-telemetry port). */
  readonly telemetry: CallTelemetry;
  private readonly rec: CallRecorder;
  private readonly playback: Playback;
  private readonly manifest: Manifest;
  private readonly outlet = new CarrierOutlet();
  private readonly startedAtMs = Date.now();
  private readonly abort = new AbortController();
  private readonly limits: CallLimitTimers;
  private readonly port: CallPort;
  private readonly events: SessionEvents;
  private readonly model: ModelSupervisor;
  private readonly lang: LanguageSwitch;
  private readonly speaker: Speaker;
  private readonly dtmf: DtmfCollector;
  private phase: Phase = 'preparing';
  private carrier: CarrierConnection | undefined;
  private audioPath: AudioPath | undefined;
  /** The agent the caller is talking to (follows handoffs; a reconnect resumes with it). */
  private agent: string;
  private forwardAudio = true;
  private pendingEndReason: EndReason | undefined;
  private ttlTimer: NodeJS.Timeout | undefined;
  private endGraceTimer: NodeJS.Timeout | undefined;
  private finalized: Promise<void> | undefined;
  private startEvent: StartEvent | undefined;

  constructor(private readonly init: CallSessionInit, private readonly deps: CallSessionDeps) {
    this.callId = init.callId;
    this.callSid = init.callSid;
    this.vertical = init.vertical;
    this.manifest = init.vertical.manifest;
    this.telemetry = callTelemetry({
      callId: init.callId, callSid: init.callSid, traceId: init.traceId, vertical: init.vertical.id, version: init.vertical.version,
      budget: this.manifest.latency,
    });
    this.log = deps.logger.child({ ...this.telemetry.logFields, callSid: init.callSid });
    this.rec = new CallRecorder(deps.store, init.callId, this.log, this.telemetry);
    this.agent = init.vertical.graph.entry.name;
    const { options } = deps;
    this.playback = new Playback(this.outlet, {
      onFirstFrame: (itemId) => this.events.onFirstFrame(itemId),
      onItemPlayed: (itemId, playedMs) => {
        this.events.onItemPlayed(itemId, playedMs);
        deps.voice.settle(itemId);
      },
      onIdle: () => this.onPlaybackIdle(),
    }, { markEveryFrames: options.markEveryFrames, media: init.carrierServices.media });
    this.limits = new CallLimitTimers(this.manifest.limits, {
      silencePrompt: () => void this.speaker.speak(this.lang.lines.silencePrompt),
      silenceHangUp: () => void this.hangUpPolitely(this.lang.lines.goodbye, END_REASON.silenceTimeout),
      maxDuration: () => void this.hangUpPolitely(this.lang.lines.goodbye, END_REASON.maxDuration),
    });
    const toolRecorder = this.rec.toolRecorder();
    this.port = this.createPort(toolRecorder);
    this.events = new SessionEvents(this.port);
    this.speaker = new Speaker({
      model: () => this.model.session,
      playbackIdle: () => this.playback.idle,
      drained: () => this.ended || !this.carrier || (this.events.activeResponseId === undefined && this.playback.idle),
      speakTimeoutMs: options.speakTimeoutMs,
      drainTimeoutMs: options.drainTimeoutMs,
    });
    this.dtmf = new DtmfCollector(options.dtmfGapMs, {
      callerSpoke: () => this.limits.callerSpoke(),
      send: (digits) => {
        const model = this.model.session;
        if (model?.isOpen && this.phase === 'live') model.sendUserText(`[DTMF ${digits}]`);
      },
    });
    const env = buildCallToolEnv({
      callId: init.callId,
      vertical: init.vertical,
      db: deps.store.dbForVertical(this.manifest),
      log: this.log,
      signal: this.abort.signal,
      recorder: toolRecorder,
      currentAgent: () => this.agent,
      sms: init.carrierServices.sms,
      calledNumber: init.to,
      drain: () => this.speaker.drain(),
      transfer: (to, announce) => this.transferTo(to, announce, END_REASON.transferred),
      hangUp: (goodbye) => this.hangUpNow(goodbye, END_REASON.agentHangup),
      language: () => this.lang,
    });
    this.model = new ModelSupervisor({
      graph: init.vertical.graph, template: init.vertical.session, voice: init.vertical.voices.get(this.agent), env,
      connectTimeoutMs: options.connectTimeoutMs, retries: this.manifest.fallback.retries, fallbackMessage: this.manifest.fallback.message,
    }, {
      log: this.log,
      ended: () => this.ended,
      recoverable: () => this.phase !== 'ending' && this.phase !== 'ended',
      currentAgent: () => this.agent,
      onEvent: (e, session) => this.lang.onModelEvent(e, session),
      connectionLost: () => { this.telemetry.failover(); this.events.connectionLost(); },
      greet: () => void this.speaker.speak(this.manifest.greeting),
      sayLocally: (text) => deps.voice.say(this.port, text),
      reconnected: (reconnects) => { this.telemetry.reconnect(reconnects, 'reconnected'); this.rec.mergeMetadata({ reconnects }); },
      giveUp: (message) => { this.telemetry.reconnect(this.manifest.fallback.retries, 'gave_up'); return this.giveUp(message); },
    });
    this.lang = new LanguageSwitch(init.vertical, {
      log: this.log, telemetry: this.telemetry, supervisor: this.model, ended: () => this.ended, offsetMs: () => this.offsetMs(), currentAgent: () => this.agent,
      dropAnswer: () => this.events.connectionLost(), record: (m) => this.rec.mergeMetadata(m), latency: (ms) => this.rec.latency('language_switch', ms),
    }, (e, session) => this.events.onModelEvent(e, session));
    this.rec.start({
      id: init.callId, callSid: init.callSid, vertical: init.vertical.id, manifestVersion: init.vertical.version,
      from: init.from ?? null, to: init.to ?? null, traceId: init.traceId, startedAt: new Date(this.startedAtMs),
      // The budget the call ran under, for the waterfall of `calls show`.
      metadata: { ...(init.scenario ? { scenario: init.scenario } : {}), latencyBudget: this.manifest.latency },
    });
    this.ttlTimer = setTimeout(() => void this.end(END_REASON.noStream, 'failed'), options.prepareTtlMs);
    this.ttlTimer.unref();
  }

  /** The narrow view of this call that session events and local prompts work through. */
  private createPort(toolRecorder: CallPort['toolRecorder']): CallPort {
    return {
      callId: this.callId,
      log: this.log,
      telemetry: this.telemetry,
      rec: this.rec,
      playback: this.playback,
      toolRecorder,
      ended: () => this.phase === 'ended',
      audio: () => this.audioPath,
      offsetMs: () => this.offsetMs(),
      currentAgent: () => this.agent,
      setAgent: (name) => { this.agent = name; },
      remember: (item) => this.model.remember(item),
      batchCarrier: (fn) => this.outlet.batch(fn),
      itemCut: (itemId) => this.deps.voice.settle(itemId),
      busy: () => this.limits.busy(),
      callerSpoke: () => this.limits.callerSpoke(),
      maybeQuiet: () => this.maybeQuiet(),
      responseCreated: (id) => this.speaker.claim(id),
      responseDone: (id) => this.speaker.responseDone(id),
    };
  }

  get ended(): boolean {
    return this.phase === 'ended';
  }

  get attached(): boolean {
    return this.carrier !== undefined;
  }

  get startedEvent(): StartEvent | undefined {
    return this.startEvent;
  }

  /** Milliseconds since the call started (transcript offsets). */
  offsetMs(): number {
    return Date.now() - this.startedAtMs;
  }

  /** Picks the engine, builds the audio path and opens the model connection (webhook time). */
  async start(): Promise<void> {
    try {
      const engine = await this.init.engine;
      this.model.setEngine(engine);
      this.rec.setEngine(engine.kind);
      this.telemetry.engine({ kind: engine.kind, model: engine.model });
      this.audioPath = await createAudioPath(engine.audio);
    } catch (err) {
      this.log.error('no engine for this call', { err: err as Error });
      await this.end(END_REASON.error, 'failed');
      return;
    }
    if (this.ended) return;
    const connected = this.telemetry.modelConnect(false);
    try {
      await this.model.connect(false);
      connected();
    } catch (err) {
      connected(err);
      this.log.warn('model connection failed at call start', { err: describeError(err) });
      void this.model.failover('connect failed');
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
    this.telemetry.streamStarted();
    carrier.on('close', () => void this.end(this.pendingEndReason ?? END_REASON.callerHangup));
    carrier.on('error', (err) => this.log.debug('carrier input refused', { code: err.code }));
    this.outlet.attach(carrier);
    this.limits.startMaxDuration();
    this.maybeQuiet();
  }

  /** Every carrier event after `start` (the CallManager routes them here). */
  handleCarrierEvent(e: CallEvent): void {
    switch (e.type) {
      case 'audio':
        return this.onCallerAudio(e.payloadBase64);
      case 'mark':
        return this.playback.acknowledge(e.name);
      case 'dtmf':
        return this.dtmf.push(e.digit);
      case 'stop':
        void this.end(this.pendingEndReason ?? END_REASON.callerHangup);
        return;
      default:
        return;
    }
  }

  private onCallerAudio(payloadBase64: string): void {
    const t0 = performance.now();
    const model = this.model.session;
    const path = this.audioPath;
    if (model === undefined || path === undefined || !this.forwardAudio) {
      edgeStats.frameDroppedNoModel();
      return;
    }
    if (model.append(path.toModel(payloadBase64))) edgeStats.appendSent(performance.now() - t0);
    else edgeStats.frameDroppedNoModel();
  }

  private onPlaybackIdle(): void {
    this.speaker.settle();
    this.maybeQuiet();
  }

  /** Starts the silence count when nobody is talking and nothing is pending. */
  private maybeQuiet(): void {
    if (this.phase !== 'live' || this.model.recovering) return;
    if (this.events.callerSpeaking || this.events.activeResponseId !== undefined) return;
    if (!this.playback.idle || this.rec.toolsRunning > 0) return;
    this.lang.onQuiet();
    this.limits.quiet();
  }

  // ---- ending ----------------------------------------------------------------------------

  /** No model could be restored: hand the caller to a human, else apologise and hang up. */
  private async giveUp(message: Promise<void>): Promise<void> {
    this.phase = this.phase === 'preparing' ? 'preparing' : 'ending';
    await message;
    const fallback = this.manifest.fallback;
    if (fallback.humanNumber) {
      await this.transferTo(fallback.humanNumber, undefined, END_REASON.failoverTransfer);
    } else {
      await this.deps.voice.say(this.port, this.lang.lines.unavailable);
      await this.hangUpNow(undefined, END_REASON.modelUnavailable);
    }
  }

  /** Says `text` (through the model), waits for it to be heard, then hangs up. */
  private async hangUpPolitely(text: string, reason: EndReason): Promise<void> {
    if (this.phase !== 'live') return;
    this.phase = 'ending';
    this.forwardAudio = false;
    this.limits.stop();
    if (this.model.session?.isOpen) await this.speaker.speak(text);
    else await this.deps.voice.say(this.port, text);
    await this.hangUpNow(undefined, reason);
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
    for (const t of [this.ttlTimer, this.endGraceTimer]) if (t) clearTimeout(t);
    this.dtmf.stop();
    this.speaker.releaseAll();
    this.lang.close();
    this.abort.abort();
    this.model.close();
    this.carrier?.close(1000, reason);
    this.events.callEnded();
    this.audioPath?.close();
    this.log.info('call ended', { reason, durationMs: this.offsetMs() });
    recordCallEnded(this.vertical.id, reason);
    this.telemetry.callEnded(reason, status);
    this.finalized = this.rec.finalize({ status, endReason: reason }).then(
      () => undefined,
      (err: unknown) => this.log.error('finalising the call failed', { err: err as Error }),
    );
    this.init.onEnded(this, this.finalized);
    return this.finalized;
  }
}
