/**
 * Keeps a call's model session alive: opens it, routes its events to the call while it is the
 * current one, and when it fails (a socket drop, a server error, a failed response, a rate
 * limit, a stall, the session's lifetime cap: see modelFaults.ts) has the caller hear the canned
 * line at once, reconnects (as often as the manifest allows, after the back-off the service
 * asked for) from the agent the caller was talking to and replays the conversation so far; when
 * nothing works the call decides how to give up. Before the service's lifetime cap it swaps in a
 * fresh session at a turn boundary (sessionLifetime.ts), which the caller never notices.
 */
import type { ModelEngine, ModelEvent, ModelSession, ReplayItem } from '../engines/index.js';
import type { Logger } from '../observability/index.js';
import type { AgentGraph, SessionTemplate } from '../orchestration/index.js';
import { describeError } from '../shared/index.js';
import type { CallToolEnv } from '../toolkit/index.js';
import { backoffMs, FAILOVER_CAUSE, faultOf, type ModelFault } from './modelFaults.js';
import { ResponseWatchdog, WatchedSession } from './modelWatchdog.js';
import { SessionLifetime, type LifetimeOptions } from './sessionLifetime.js';

export interface SupervisorHost {
  readonly log: Logger;
  ended(): boolean;
  /** Whether a lost connection may still be recovered (not ending or ended). */
  recoverable(): boolean;
  currentAgent(): string;
  /** A model event; `session` is the current session it came from (undefined for late handoff/tool outcomes). */
  onEvent(event: ModelEvent, session: ModelSession | undefined): void;
  /** The session died: what it was saying is gone. */
  connectionLost(): void;
  /** The first connection is up: greet the caller. */
  greet(): void;
  /** A line the gateway speaks itself (no model needed). */
  sayLocally(text: string): Promise<void>;
  /** Reconnected after `reconnects` attempts in all. */
  reconnected(reconnects: number): void;
  /** No model any more: hand over or hang up, once the canned line (`message`) has been heard. */
  giveUp(message: Promise<void>): Promise<void>;
  /** Nobody is speaking and nothing is playing or pending (a session can be swapped unnoticed). */
  atTurnBoundary(): boolean;
  /** Adds to the call row's metadata (failover causes, renewals). */
  mergeMetadata(metadata: Record<string, unknown>): void;
}

/** What a session is opened with besides the graph: a language switch changes all of it. */
export interface SessionConfig {
  template: SessionTemplate;
  voice: string | undefined;
  /** A language's instructions overlay (every agent's, handoffs included). */
  overlay?: string;
  /** The canned line in this language (else the init's). */
  fallbackMessage?: string;
}

export interface SupervisorInit {
  graph: AgentGraph;
  template: SessionTemplate;
  voice: string | undefined;
  env: CallToolEnv;
  connectTimeoutMs: number;
  /** Reconnects allowed in the whole call. */
  retries: number;
  /** The canned line the caller hears while we reconnect. */
  fallbackMessage: string;
  /** No model event for this long while a response is due: the model has stalled. */
  stallMs: number;
  /** The service's session lifetime cap and how early a replacement starts. */
  lifetime: LifetimeOptions;
}

/** One failover as the call row records it. */
interface FailoverRecord {
  cause: string;
  code?: string;
  atMs: number;
  outcome?: 'reconnected' | 'gave_up';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class ModelSupervisor {
  private engine: ModelEngine | undefined;
  private current: ModelSession | undefined;
  /** The current session as the call uses it (requests start the watchdog). */
  private watched: WatchedSession | undefined;
  private watchdog: ResponseWatchdog | undefined;
  private readonly lifetime: SessionLifetime;
  private generation = 0;
  private retriesLeft: number;
  private recoveringNow = false;
  private greeted = false;
  private readonly startedAtMs = Date.now();
  private readonly failovers: FailoverRecord[] = [];
  private renewals = 0;
  /** What a reconnected model is told, in the order it happened. */
  private readonly replayLog: ReplayItem[] = [];
  private config: SessionConfig;

  constructor(private readonly init: SupervisorInit, private readonly host: SupervisorHost) {
    this.retriesLeft = init.retries;
    this.config = { template: init.template, voice: init.voice };
    this.lifetime = new SessionLifetime(init.lifetime, {
      log: host.log,
      open: () => this.open(),
      currentAgent: () => host.currentAgent(),
      replayFrom: (session, from) => {
        session.replay(this.replayLog.slice(from));
        return this.replayLog.length;
      },
      atTurnBoundary: () => this.current?.isOpen === true && host.atTurnBoundary(),
      blocked: () => this.recoveringNow || !host.recoverable() || this.current === undefined,
      swap: (session) => this.renew(session),
    });
  }

  /** The open session, if any. */
  get session(): ModelSession | undefined {
    return this.watched;
  }

  get recovering(): boolean {
    return this.recoveringNow;
  }

  setEngine(engine: ModelEngine): void {
    this.engine = engine;
  }

  remember(item: ReplayItem): void {
    this.replayLog.push(item);
  }

  /** The conversation so far (transcript items and tool results), as a reconnect would replay it. */
  conversation(): readonly ReplayItem[] {
    return this.replayLog;
  }

  /** Opens and connects a session for the current agent; its events reach the call once it is current. */
  private async open(config: SessionConfig = this.config): Promise<ModelSession> {
    const engine = this.engine;
    if (!engine) throw new Error('engine not selected');
    const { graph, env, connectTimeoutMs } = this.init;
    const { template, voice } = config;
    let opened: ModelSession | undefined;
    const session = engine.open({
      graph,
      agent: this.host.currentAgent(),
      context: { switchboard: env },
      template,
      voice,
      connectTimeoutMs,
      listener: (e) => this.route(opened, e),
    });
    opened = session;
    await session.connect();
    if (config.overlay !== undefined) await session.update({ overlay: config.overlay });
    return session;
  }

  /** Voice, template and language overlay of the sessions opened from now on (a language switch sets them). */
  setSessionConfig(config: SessionConfig): void {
    this.config = config;
  }

  /**
   * A spare session beside the current one (a language switch opens it early): connected and
   * configured, it hears no caller audio and reaches the call only once `cutOver` makes it current.
   */
  openSpare(config: SessionConfig): Promise<ModelSession> {
    return this.open(config);
  }

  /**
   * `spare` becomes the call's session: the old one stops at once (its answer cancelled), the spare
   * is told the conversation so far plus `extra` and, when `respond`, answers.
   */
  cutOver(spare: ModelSession, config: SessionConfig, extra: readonly ReplayItem[], respond: boolean): void {
    this.config = config;
    ++this.generation;
    const old = this.drop();
    old?.cancelResponse('request');
    old?.close();
    this.adopt(spare);
    spare.replay([...this.replayLog, ...extra]);
    this.replayLog.push(...extra);
    if (respond) this.watched?.respond();
  }

  /**
   * A handoff to an agent served by another engine (a vertical whose agents differ in
   * `engine`): a session of that engine, opened for the new agent, takes over at once, told the
   * conversation, and answers as that agent; what the old one had started saying is dropped.
   */
  handedOff(from: string, to: string): void {
    const engine = this.engine;
    if (!engine?.pipelineFor || engine.pipelineFor(from) === engine.pipelineFor(to) || this.current === undefined) return;
    const generation = this.generation;
    const pending = this.open(this.config);
    void pending.then((session) => {
      if (this.host.ended() || generation !== this.generation || this.host.currentAgent() !== to) {
        session.close();
        return;
      }
      this.host.connectionLost();
      this.cutOver(session, this.config, [], true);
      this.host.log.info('engine switched at a handoff', { from, to, engine: engine.pipelineFor!(to) });
    }, (err: unknown) => {
      this.host.log.warn('could not open the other engine for a handoff', { err: err as Error, to });
      if (generation === this.generation) void this.failover({ cause: FAILOVER_CAUSE.connectFailed });
    });
  }

  /** Makes `session` the call's: a fresh watchdog, and its lifetime clock starts. */
  private adopt(session: ModelSession): void {
    this.watchdog?.stop();
    const watchdog = new ResponseWatchdog(this.init.stallMs, this.init.template.turnDetection.createResponse, (silentMs) => {
      if (this.current !== session) return;
      this.host.log.warn('model stopped answering', { silentMs: Math.round(silentMs) });
      void this.failover({ cause: FAILOVER_CAUSE.stalled });
    });
    this.watchdog = watchdog;
    this.current = session;
    this.watched = new WatchedSession(session, watchdog);
    this.lifetime.started();
  }

  private drop(): ModelSession | undefined {
    const old = this.current;
    this.current = undefined;
    this.watched = undefined;
    this.watchdog?.stop();
    this.watchdog = undefined;
    this.lifetime.stop();
    return old;
  }

  /** Opens a model session; on a reconnect, tells it the conversation so far. */
  async connect(reconnect: boolean): Promise<void> {
    const engine = this.engine;
    if (!engine) throw new Error('engine not selected');
    const generation = ++this.generation;
    const session = await this.open();
    if (this.host.ended() || generation !== this.generation) {
      session.close();
      return;
    }
    this.adopt(session);
    this.host.log.info(reconnect ? 'model reconnected' : 'model connected', { engine: engine.kind, audio: engine.audio });
    if (reconnect) {
      session.replay(this.replayLog);
      if (this.greeted) this.watched?.respond();
    }
    if (!this.greeted) {
      this.greeted = true;
      this.host.greet();
    }
  }

  /** The lifetime cap is near and the call is between turns: the replacement takes over. */
  private renew(session: ModelSession): void {
    if (this.recoveringNow || !this.host.recoverable()) {
      session.close();
      return;
    }
    const old = this.drop();
    this.adopt(session);
    old?.close();
    this.renewals++;
    this.host.log.info('model session renewed before its lifetime cap', { renewals: this.renewals });
    this.host.mergeMetadata({ modelSessionRenewals: this.renewals });
  }

  private record(fault: ModelFault, outcome?: FailoverRecord['outcome']): void {
    const last = this.failovers[this.failovers.length - 1];
    if (outcome && last) last.outcome = outcome;
    else this.failovers.push({ cause: fault.cause, ...(fault.code ? { code: fault.code } : {}), atMs: Date.now() - this.startedAtMs });
    this.host.mergeMetadata({ failovers: this.failovers });
  }

  /**
   * The model failed: the caller hears the canned message at once, we wait out any back-off the
   * service asked for, reconnect (as often as the manifest allows) and restore the conversation,
   * else the call gives up.
   */
  async failover(fault: ModelFault): Promise<void> {
    if (!this.host.recoverable() || this.recoveringNow) return;
    this.recoveringNow = true;
    const host = this.host;
    host.log.warn('model failed; failing over', { cause: fault.cause, code: fault.code });
    this.record(fault);
    // A late connect of the old generation must not become current.
    this.generation++;
    this.drop()?.close();
    host.connectionLost();
    const message = host.sayLocally(this.config.fallbackMessage ?? this.init.fallbackMessage);
    const wait = backoffMs(fault);
    if (wait > 0 && this.retriesLeft > 0) await sleep(wait);
    while (this.retriesLeft > 0 && !host.ended()) {
      this.retriesLeft--;
      try {
        await this.connect(true);
        if (this.current === undefined) break;
        host.reconnected(this.init.retries - this.retriesLeft);
        this.record(fault, 'reconnected');
        this.recoveringNow = false;
        return;
      } catch (err) {
        host.log.warn('model reconnect failed', { err: describeError(err) });
      }
    }
    if (host.ended()) return;
    this.record(fault, 'gave_up');
    await host.giveUp(message);
  }

  /** Caller text to the open session (a response follows); false when no session is open. */
  sendText(text: string): boolean {
    const session = this.current;
    if (!session?.isOpen) return false;
    session.sendUserText(text);
    return true;
  }

  /** The call ended: the session goes. */
  close(): void {
    this.generation++;
    this.drop()?.close();
  }

  /**
   * Only the current session reaches the call, with two exceptions: a handoff also lands while
   * no session is open, and a tool that finishes after its session was replaced still counts
   * (its result belongs in the replay).
   */
  private route(session: ModelSession | undefined, e: ModelEvent): void {
    const current = this.current;
    if (current !== undefined && current === session) {
      this.watchdog?.seen(e);
      if (e.type === 'socket_closed') {
        if (!e.expected) void this.failover({ cause: FAILOVER_CAUSE.socketClosed, code: String(e.code) });
        return;
      }
      this.host.onEvent(e, this.watched);
      const fault = faultOf(e);
      if (fault && this.current === session) void this.failover(fault);
      return;
    }
    if ((e.type === 'handoff' && current === undefined) || e.type === 'tool_start' || e.type === 'tool_end') this.host.onEvent(e, undefined);
  }
}
