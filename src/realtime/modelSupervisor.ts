/**
 * Keeps a call's model session alive: opens it, routes its events to the call while it is the
 * current one, and when it fails has the caller hear the canned line at once, reconnects (as
 * often as the manifest allows) from the agent the caller was talking to and replays the
 * conversation so far; when nothing works the call decides how to give up.
 */
import type { ModelEngine, ModelEvent, ModelSession, ReplayItem } from '../engines/index.js';
import type { Logger } from '../observability/index.js';
import type { AgentGraph, SessionTemplate } from '../orchestration/index.js';
import { describeError } from '../shared/index.js';
import type { CallToolEnv } from '../toolkit/index.js';

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
}

/** What a session is opened with besides the graph: a language switch changes all three. */
export interface SessionConfig {
  template: SessionTemplate;
  voice: string | undefined;
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
}

export class ModelSupervisor {
  private engine: ModelEngine | undefined;
  private current: ModelSession | undefined;
  private generation = 0;
  private retriesLeft: number;
  private recoveringNow = false;
  private greeted = false;
  /** What a reconnected model is told, in the order it happened. */
  private readonly replayLog: ReplayItem[] = [];
  private config: SessionConfig;

  constructor(private readonly init: SupervisorInit, private readonly host: SupervisorHost) {
    this.retriesLeft = init.retries;
    this.config = { template: init.template, voice: init.voice };
  }

  /** The open session, if any. */
  get session(): ModelSession | undefined {
    return this.current;
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

  /** Voice, template and language overlay of the sessions opened from now on (a language switch sets them). */
  setSessionConfig(config: SessionConfig): void {
    this.config = config;
  }

  private openSession(): ModelSession {
    const engine = this.engine;
    if (!engine) throw new Error('engine not selected');
    const { graph, env, connectTimeoutMs } = this.init;
    const { template, voice } = this.config;
    let opened: ModelSession | undefined;
    const session = engine.open({
      graph, agent: this.host.currentAgent(), context: { switchboard: env }, template, voice, connectTimeoutMs,
      listener: (e) => this.route(opened, e),
    });
    opened = session;
    return session;
  }

  /** After connect: a session in another language than the default gets its overlay. */
  private async configure(session: ModelSession): Promise<void> {
    if (this.config.overlay !== undefined) await session.update({ overlay: this.config.overlay });
  }

  /**
   * A spare session beside the current one (a language switch opens it early): connected and
   * configured, it hears no caller audio and reaches the call only once `cutOver` makes it current.
   */
  async openSpare(config: SessionConfig): Promise<ModelSession> {
    const saved = this.config;
    this.config = config;
    let session: ModelSession;
    try {
      session = this.openSession();
    } finally {
      this.config = saved;
    }
    await session.connect();
    if (config.overlay !== undefined) await session.update({ overlay: config.overlay });
    return session;
  }

  /**
   * `spare` becomes the call's session: the old one stops at once (its answer cancelled), the spare
   * is told the conversation so far plus `extra` and, when `respond`, answers.
   */
  cutOver(spare: ModelSession, config: SessionConfig, extra: readonly ReplayItem[], respond: boolean): void {
    const old = this.current;
    this.config = config;
    ++this.generation;
    this.current = spare;
    old?.cancelResponse('request');
    old?.close();
    spare.replay([...this.replayLog, ...extra]);
    for (const item of extra) this.replayLog.push(item);
    if (respond) spare.respond();
  }

  /** Opens a model session; on a reconnect, tells it the conversation so far. */
  async connect(reconnect: boolean): Promise<void> {
    const engine = this.engine;
    if (!engine) throw new Error('engine not selected');
    const generation = ++this.generation;
    const session = this.openSession();
    this.current = session;
    try {
      await session.connect();
      await this.configure(session);
    } catch (err) {
      if (this.current === session) this.current = undefined;
      throw err;
    }
    if (this.host.ended() || generation !== this.generation) {
      session.close();
      return;
    }
    this.host.log.info(reconnect ? 'model reconnected' : 'model connected', { engine: engine.kind, audio: engine.audio });
    if (reconnect) {
      session.replay(this.replayLog);
      if (this.greeted) session.respond();
    }
    if (!this.greeted) {
      this.greeted = true;
      this.host.greet();
    }
  }

  /**
   * The model connection failed: the caller hears the canned message at once, we reconnect
   * (as often as the manifest allows) and restore the conversation, else the call gives up.
   */
  async failover(cause: string): Promise<void> {
    if (!this.host.recoverable() || this.recoveringNow) return;
    this.recoveringNow = true;
    const host = this.host;
    host.log.warn('model connection lost', { cause });
    const old = this.current;
    this.current = undefined;
    old?.close();
    host.connectionLost();
    const message = host.sayLocally(this.config.fallbackMessage ?? this.init.fallbackMessage);
    while (this.retriesLeft > 0 && !host.ended()) {
      this.retriesLeft--;
      try {
        await this.connect(true);
        host.reconnected(this.init.retries - this.retriesLeft);
        this.recoveringNow = false;
        return;
      } catch (err) {
        host.log.warn('model reconnect failed', { err: describeError(err) });
      }
    }
    if (host.ended()) return;
    await host.giveUp(message);
  }

  /** The call ended: the session goes. */
  close(): void {
    const session = this.current;
    this.current = undefined;
    session?.close();
  }

  /**
   * Only the current session reaches the call, with two exceptions: a handoff also lands while
   * no session is open, and a tool that finishes after its session was replaced still counts
   * (its result belongs in the replay).
   */
  private route(session: ModelSession | undefined, e: ModelEvent): void {
    const current = this.current;
    if (current !== undefined && current === session) {
      if (e.type === 'socket_closed') {
        if (!e.expected) void this.failover(`model socket closed (${e.code})`);
        return;
      }
      this.host.onEvent(e, current);
      return;
    }
    if ((e.type === 'handoff' && current === undefined) || e.type === 'tool_start' || e.type === 'tool_end') this.host.onEvent(e, undefined);
  }
}
