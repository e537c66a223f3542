/**
 * One phone call: its lifecycle (prepared, live, ending, ended), the carrier connection (a stream
 * splice: a warm transfer may replace it), the limits, hang-up and transfer, and the end of the
 * call. The parts do the rest: the model supervisor keeps a model session alive, session events
 * turn what the model does into playback and records, the speaker waits for prompts to be heard,
 * DTMF is collected, tools get their environment and the call's features (callFeatures.ts). Audio
 * never waits for anything else: caller frames go to the model as they arrive, model audio goes to
 * the caller as it arrives, tools and database writes run beside them.
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { CallTelemetry, Logger } from '../observability/index.js';
import { callTelemetry, recordCallEnded } from '../observability/index.js';
import { subscribes, type Manifest } from '../manifest/index.js';
import type { CallEvent, CarrierConnection, StartEvent } from '../telephony/index.js';
import { describeError } from '../shared/index.js';
import { createAudioPath, type AudioPath } from './audioPath.js';
import type { CallPort } from './callPort.js';
import { CallFlow, type FlowBacklog } from './callFlow.js';
import { DtmfCollector } from './dtmf.js';
import { CallLimitTimers } from './limits.js';
import { ModelSupervisor } from './modelSupervisor.js';
import { LanguageSwitch } from './languageSwitch.js';
import { Playback } from './playback.js';
import { CallRecorder } from './records.js';
import { SessionEvents } from './sessionEvents.js';
import { Speaker } from './speaker.js';
import { buildCallToolEnv } from './toolEnv.js';
import { createCallFeatures, type CallFeatures } from './callFeatures.js';
import { StreamSplice } from './streamSplice.js';
import type { CallSessionDeps, CallSessionInit } from './sessionInit.js';
import { END_REASON, type EndReason } from './types.js';

export { DEFAULT_SESSION_OPTIONS, type CallSessionOptions } from './sessionOptions.js';

export type { CallSessionDeps, CallSessionInit } from './sessionInit.js';

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
  private readonly flow: CallFlow;
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
  private splice: StreamSplice | undefined;
  private readonly features: CallFeatures;
  private audioPath: AudioPath | undefined;
  /** The agent the caller is talking to (follows handoffs; a reconnect resumes with it). */
  private agent: string;
  private forwardAudio = true;
  private pendingEndReason: EndReason | undefined;
  private ttlTimer: NodeJS.Timeout | undefined;
  private endGraceTimer: NodeJS.Timeout | undefined;
  private finalized: Promise<void> | undefined;
  private startEvent: StartEvent | undefined;

  constructor(private readonly init: CallSessionInit<CallSession>, private readonly deps: CallSessionDeps) {
    this.callId = init.callId;
    this.callSid = init.callSid;
    this.vertical = init.vertical;
    this.manifest = init.vertical.manifest;
    this.telemetry = callTelemetry({
      callId: init.callId, callSid: init.callSid, traceId: init.traceId, vertical: init.vertical.id, version: init.vertical.version,
      budget: this.manifest.latency,
    });
    this.log = deps.logger.child({ ...this.telemetry.logFields, callSid: init.callSid });
    this.rec = new CallRecorder(deps.store, init.callId, this.log, this.telemetry, {
      vertical: init.vertical.id, wants: (type) => subscribes(this.manifest.webhooks, type),
    });
    this.agent = init.vertical.graph.entry.name;
    const { options } = deps;
    this.flow = new CallFlow({
      model: () => this.model.session, path: () => this.audioPath, forwarding: () => this.forwardAudio,
      stalled: (side) => void this.end(side === 'carrier' ? END_REASON.carrierStalled : END_REASON.modelStalled, 'failed'),
    }, options, init.carrierServices.media.frameMs);
    this.playback = new Playback(this.flow.outlet, {
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
      drained: () => this.ended || !this.splice || (this.events.activeResponseId === undefined && this.playback.idle),
      speakTimeoutMs: options.speakTimeoutMs,
      drainTimeoutMs: options.drainTimeoutMs,
    });
    this.dtmf = new DtmfCollector(options.dtmfGapMs, {
      callerSpoke: () => this.limits.callerSpoke(),
      send: (digits) => void this.typed(`[DTMF ${digits}]`),
    });
    this.features = createCallFeatures({
      callSid: init.callSid, calledNumber: init.to, manifest: this.manifest, carrier: init.carrierServices, store: deps.store, events: deps.transferEvents,
      rec: this.rec, log: this.log, signal: this.abort.signal, splice: () => this.splice, conversation: () => this.model.conversation(),
      streamParams: () => this.startEvent?.customParameters ?? {}, bridged: () => this.scheduleEnd(END_REASON.transferred), timing: options.transfer,
    });
    const env = buildCallToolEnv({
      callId: init.callId, vertical: init.vertical, db: deps.store.dbForVertical(this.manifest), log: this.log, signal: this.abort.signal,
      recorder: toolRecorder, currentAgent: () => this.agent, sms: init.carrierServices.sms, calledNumber: init.to,
      drain: () => this.speaker.drain(), features: this.features,
      transfer: (to, announce) => this.transferTo(to, announce, END_REASON.transferred),
      hangUp: (goodbye) => this.hangUpNow(goodbye, END_REASON.agentHangup),
      language: () => this.lang,
    });
    this.model = new ModelSupervisor({
      graph: init.vertical.graph, template: init.vertical.session, voice: init.vertical.voices.get(this.agent), env,
      connectTimeoutMs: options.connectTimeoutMs, retries: this.manifest.fallback.retries, fallbackMessage: this.manifest.fallback.message,
      stallMs: options.modelStallMs, lifetime: { maxMs: options.modelSessionMaxMs, marginMs: options.modelSessionRenewMarginMs },
    }, {
      log: this.log,
      ended: () => this.ended,
      recoverable: () => this.phase !== 'ending' && this.phase !== 'ended',
      currentAgent: () => this.agent,
      onEvent: (e, session) => this.lang.onModelEvent(e, session),
      connectionLost: () => { this.telemetry.failover(); this.events.connectionLost(); },
      greet: () => void this.features.recording.greet((text) => this.speaker.speak(text), this.manifest.greeting),
      sayLocally: (text) => deps.voice.say(this.port, text),
      reconnected: (reconnects) => { this.telemetry.reconnect(reconnects, 'reconnected'); this.rec.mergeMetadata({ reconnects }); },
      giveUp: (message) => { this.telemetry.reconnect(this.manifest.fallback.retries, 'gave_up'); return this.giveUp(message); },
      atTurnBoundary: () => !this.events.callerSpeaking && this.events.activeResponseId === undefined && this.playback.idle && this.rec.toolsRunning === 0,
      mergeMetadata: (metadata) => this.rec.mergeMetadata(metadata),
    });
    this.lang = new LanguageSwitch(init.vertical, {
      log: this.log, telemetry: this.telemetry, supervisor: this.model, ended: () => this.ended, offsetMs: () => this.offsetMs(), currentAgent: () => this.agent,
      dropAnswer: () => this.events.connectionLost(), record: (m) => this.rec.mergeMetadata(m), latency: (ms) => this.rec.latency('language_switch', ms),
    }, (e, session) => this.events.onModelEvent(e, session));
    if (init.adoptRow) this.rec.adopt();
    else {
      this.rec.start({
        id: init.callId, callSid: init.callSid, vertical: init.vertical.id, manifestVersion: init.vertical.version,
        from: init.from ?? null, to: init.to ?? null, traceId: init.traceId, startedAt: new Date(this.startedAtMs), channel: init.carrierServices.channel ?? 'phone',
        // The budget the call ran under, for the waterfall of `calls show`.
        metadata: { ...(init.scenario ? { scenario: init.scenario } : {}), latencyBudget: this.manifest.latency },
        ...(init.owner ? { owner: init.owner } : {}),
      });
    }
    this.ttlTimer = setTimeout(() => (init.noStream ? init.noStream(this) : void this.end(END_REASON.noStream, 'failed')), options.prepareTtlMs);
    this.ttlTimer.unref();
  }

  /** The narrow view of this call that session events and local prompts work through. */
  private createPort(toolRecorder: CallPort['toolRecorder']): CallPort {
    return {
      callId: this.callId,
      vertical: this.vertical.id,
      log: this.log,
      telemetry: this.telemetry,
      rec: this.rec,
      playback: this.playback,
      toolRecorder,
      ended: () => this.phase === 'ended',
      audio: () => this.audioPath,
      offsetMs: () => this.offsetMs(),
      currentAgent: () => this.agent,
      setAgent: (name) => { const from = this.agent; this.agent = name; this.model.handedOff(from, name); },
      remember: (item) => this.model.remember(item),
      batchCarrier: (fn) => this.flow.outlet.batch(fn),
      itemCut: (itemId) => this.deps.voice.settle(itemId),
      busy: () => this.limits.busy(),
      callerSpoke: () => this.limits.callerSpoke(),
      maybeQuiet: () => this.maybeQuiet(),
      responseCreated: (id) => this.speaker.claim(id),
      responseDone: (id) => this.speaker.responseDone(id),
    };
  }

  get ended(): boolean { return this.phase === 'ended'; }
  /** Has a stream (one held for a warm transfer is being replaced: a new one may attach). */
  get attached(): boolean { return this.splice !== undefined && !this.splice.holding; }
  /** Audio held by flow control and the sockets' send buffers now (diagnostics, tests). */
  get backlog(): FlowBacklog { return this.flow.backlog(); }
  get startedEvent(): StartEvent | undefined { return this.startEvent; }

  /** Milliseconds since the call started (transcript offsets). */
  offsetMs(): number {
    return Date.now() - this.startedAtMs;
  }

  /** Picks the engine, builds the audio path and opens the model connection (webhook time). */
  async start(): Promise<void> {
    try {
      const engine = await this.init.engine;
      this.model.setEngine(engine);
      // `emulator`, `openai`; a cascade engine is `emulator/cascade`, `openai/cascade`.
      const engineName = engine.pipeline === 'cascade' ? `${engine.kind}/cascade` : engine.kind;
      this.rec.setEngine(engineName);
      this.telemetry.engine({ kind: engineName, model: engine.model });
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
      void this.model.failover({ cause: 'connect_failed' });
    }
  }

  /** The media stream started: audio flows both ways from here. */
  attach(carrier: CarrierConnection, start: StartEvent): void {
    if (this.ended) {
      carrier.close(1000, 'call already ended');
      return;
    }
    if (this.splice?.holding) return this.splice.swap(carrier);
    if (this.ttlTimer) clearTimeout(this.ttlTimer);
    this.splice = new StreamSplice(carrier);
    this.startEvent = start;
    this.phase = this.phase === 'preparing' ? 'live' : this.phase;
    this.events.streamStarted();
    this.telemetry.streamStarted();
    this.splice.on('close', (info) => void this.end(this.pendingEndReason ?? (info.lost ? END_REASON.peerLost : END_REASON.callerHangup)));
    this.splice.on('error', (err) => this.log.debug('carrier input refused', { code: err.code }));
    this.flow.attach(this.splice);
    this.limits.startMaxDuration();
    this.maybeQuiet();
  }

  /** Every carrier event after `start` (the CallManager routes them here). */
  handleCarrierEvent(e: CallEvent): void {
    switch (e.type) {
      case 'audio':
        return this.flow.caller.frame(e.payloadBase64);
      case 'mark':
        return this.playback.acknowledge(e.name);
      case 'dtmf':
        return this.dtmf.push(e.digit);
      case 'stop':
        if (!this.splice?.holding) void this.end(this.pendingEndReason ?? END_REASON.callerHangup);
        return;
      default:
        return;
    }
  }

  /** Caller text (chat, a typed turn in a voice call, DTMF): answered like speech. False when no model is listening. */
  typed(text: string): boolean {
    if (this.phase !== 'live' || !this.model.session?.isOpen) return false;
    // Recorded before it is sent: an engine may echo it back into the conversation at once.
    this.events.typedSent(text);
    this.model.sendText(text);
    this.limits.callerSpoke();
    return true;
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
    // A carrier that cannot transfer (a browser, a chat) refuses; the caller then hears the apology.
    const transferred = fallback.humanNumber !== undefined && await this.transferTo(fallback.humanNumber, undefined, END_REASON.failoverTransfer).then(() => true, () => false);
    if (transferred) return this.features.transfers.coldStarted(END_REASON.failoverTransfer);
    await this.deps.voice.say(this.port, this.lang.lines.unavailable);
    await this.hangUpNow(undefined, END_REASON.modelUnavailable);
  }

  /** Says `text` (through the model), waits for it to be heard, then hangs up. */
  async hangUpPolitely(text: string, reason: EndReason): Promise<void> {
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

  /** Says the transfer line in the vertical's voice, transfers the caller (Twilio call update), then ends our side. */
  async transferTo(to: string, announce: string | undefined, reason: EndReason): Promise<void> {
    const line = announce ?? (reason === END_REASON.transferred ? this.manifest.fallback.transferMessage : undefined);
    if (line !== undefined && !this.ended) await this.deps.voice.say(this.port, line);
    if (this.ended) return;
    this.pendingEndReason = reason;
    try {
      await this.init.carrierServices.callControl.transfer(this.callSid, to);
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

  /** Another instance claimed this prepared call: close the pre-warmed model, leave the row unfinalised. */
  release(reason: string): boolean {
    if (this.finalized || this.splice) return false;
    this.phase = 'ended';
    this.stopParts();
    this.rec.discard();
    this.log.info('prepared call released to another instance', { reason });
    this.finalized = Promise.resolve();
    this.init.onEnded(this, this.finalized);
    return true;
  }

  private stopParts(): void {
    this.limits.stop();
    for (const t of [this.ttlTimer, this.endGraceTimer]) if (t) clearTimeout(t);
    this.dtmf.stop();
    this.flow.stop();
    this.speaker.releaseAll();
    this.lang.close();
    this.abort.abort();
    this.model.close();
    this.audioPath?.close();
  }

  /**
   * Ends the call, whatever the cause: timers stop, tools are cancelled, both sockets close and
   * the records are flushed and finalised. Idempotent.
   */
  end(reason: EndReason, status: 'completed' | 'failed' = reason === END_REASON.error || reason === END_REASON.noStream || reason === END_REASON.modelUnavailable ? 'failed' : 'completed'): Promise<void> {
    if (this.finalized) return this.finalized;
    this.phase = 'ended';
    this.stopParts();
    this.splice?.close(1000, reason);
    this.events.callEnded();
    this.log.info('call ended', { reason, durationMs: this.offsetMs() });
    recordCallEnded(this.vertical.id, reason);
    this.telemetry.callEnded(reason, status);
    const flow = this.flow.summary();
    if (Object.keys(flow).length > 0) this.rec.mergeMetadata({ audioFlow: flow });
    this.finalized = this.rec.finalize({ status, endReason: reason }).then(
      () => undefined,
      (err: unknown) => this.log.error('finalising the call failed', { err: err as Error }),
    );
    this.init.onEnded(this, this.finalized);
    return this.finalized;
  }
}
