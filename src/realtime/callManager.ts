/**
 * Every live call of the process, keyed by CallSid. The voice webhook prepares a call (pins the
 * vertical version, writes the call row, opens the model connection and asks for the greeting);
 * the media stream then attaches to it. A stream with no prepared call (a restart in between, a
 * simulator skipping the webhook) is prepared on the spot from its stream parameters.
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { EngineSelector } from '../engines/select.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { newId, traceIdFromCallSid } from '../shared/ids.js';
import { describeError } from '../shared/errors.js';
import { STREAM_PARAM, type CallControl, type CarrierConnection, type SmsSender, type StartEvent } from '../telephony/types.js';
import { CallSession, DEFAULT_SESSION_OPTIONS, type CallSessionDeps, type CallSessionOptions } from './callSession.js';
import { LocalVoice } from './localVoice.js';
import { END_REASON, TERMINAL_CALL_STATUSES, type CallHandler, type PrepareInput } from './types.js';

export interface CallManagerOptions {
  store: CallSessionDeps['store'];
  engines: EngineSelector;
  callControl: CallControl;
  sms?: SmsSender;
  /** Finds a vertical (and, when given, that exact version) for streams nobody prepared. */
  resolveVertical?: (id: string, version?: string) => CompiledVertical | undefined;
  voice?: LocalVoice;
  logger?: Logger;
  session?: Partial<CallSessionOptions>;
}

export class CallManager implements CallHandler {
  private readonly calls = new Map<string, CallSession>();
  private readonly log: Logger;
  private readonly voice: LocalVoice;
  private readonly sessionOptions: CallSessionOptions;
  private closing = false;

  constructor(private readonly options: CallManagerOptions) {
    this.log = options.logger ?? createLogger('realtime');
    this.voice = options.voice ?? new LocalVoice();
    this.sessionOptions = { ...DEFAULT_SESSION_OPTIONS, ...options.session };
  }

  /** The live session of a call, if any. */
  get(callSid: string): CallSession | undefined {
    return this.calls.get(callSid);
  }

  prepare(input: PrepareInput): void {
    if (this.closing) throw new Error('the gateway is shutting down');
    if (this.calls.has(input.callSid)) return;
    this.create(input);
  }

  attach(connection: CarrierConnection): void {
    connection.started.then(
      (start) => this.onStart(connection, start),
      () => undefined,
    );
  }

  private onStart(connection: CarrierConnection, start: StartEvent): void {
    const params = start.customParameters;
    const callSid = params[STREAM_PARAM.callSid] || start.callSid;
    let session = this.calls.get(callSid);
    if (!session) {
      const verticalId = params[STREAM_PARAM.vertical];
      const vertical = verticalId ? this.options.resolveVertical?.(verticalId, params[STREAM_PARAM.version]) : undefined;
      if (this.closing || !vertical) {
        this.log.warn('media stream for an unknown call', { callSid, vertical: verticalId ?? null });
        connection.close(1008, 'unknown call');
        return;
      }
      const scenario = params[STREAM_PARAM.scenario];
      session = this.create({ callSid, vertical, ...(scenario ? { scenario } : {}) });
    }
    if (session.attached) {
      this.log.warn('second media stream for a call refused', { callSid });
      connection.close(1008, 'call already has a stream');
      return;
    }
    session.attach(connection, start);
  }

  private create(input: PrepareInput): CallSession {
    const { vertical } = input;
    const fallback = vertical.manifest.fallback;
    this.voice.warm([fallback.message, fallback.unavailableMessage]);
    const session = new CallSession({
      callId: newId(),
      callSid: input.callSid,
      vertical,
      engine: this.options.engines.select({ manifest: vertical.manifest, ...(input.scenario ? { scenario: input.scenario } : {}) }),
      traceId: traceIdFromCallSid(input.callSid),
      ...(input.from ? { from: input.from } : {}),
      ...(input.to ? { to: input.to } : {}),
      ...(input.scenario ? { scenario: input.scenario } : {}),
      onEnded: (s) => {
        if (this.calls.get(s.callSid) === s) this.calls.delete(s.callSid);
      },
    }, {
      store: this.options.store,
      callControl: this.options.callControl,
      ...(this.options.sms ? { sms: this.options.sms } : {}),
      voice: this.voice,
      logger: this.log,
      options: this.sessionOptions,
    });
    this.calls.set(input.callSid, session);
    void session.start().catch((err: unknown) => this.log.error('call start failed', { err: describeError(err) }));
    return session;
  }

  async statusCallback(input: { callSid: string; callStatus: string; durationSec?: number }): Promise<void> {
    if (!TERMINAL_CALL_STATUSES.has(input.callStatus)) return;
    const live = this.calls.get(input.callSid);
    if (live) {
      await live.end(END_REASON.callerHangup);
      return;
    }
    const row = await this.options.store.calls.getBySid(input.callSid);
    if (!row || row.endedAt) return;
    await this.options.store.calls.finalize(row.id, {
      status: input.callStatus === 'completed' ? 'completed' : 'failed',
      endReason: END_REASON.statusCallback,
    });
  }

  stats(): { active: number; byVertical: Record<string, number> } {
    const byVertical: Record<string, number> = {};
    for (const s of this.calls.values()) byVertical[s.vertical.id] = (byVertical[s.vertical.id] ?? 0) + 1;
    return { active: this.calls.size, byVertical };
  }

  async shutdown(reason: string): Promise<void> {
    this.closing = true;
    const live = [...this.calls.values()];
    if (live.length) this.log.info('ending live calls', { count: live.length, reason });
    await Promise.all(live.map((s) => s.end(END_REASON.shutdown)));
    await this.options.engines.close();
  }
}
