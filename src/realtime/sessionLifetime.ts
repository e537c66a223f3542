/**
 * The model service ends a session at its maximum lifetime (60 minutes for OpenAI Realtime). A
 * long call must not notice: `marginMs` before the cap a fresh session is opened beside the
 * current one and told the conversation so far; at the next turn boundary (nobody speaking,
 * nothing playing or pending) it is told what was said meanwhile and takes over, and the old one
 * is closed. No canned line, no retry spent. Should the cap come first anyway, the service's
 * `session_expired` enters the ordinary failover.
 */
import type { ModelSession } from '../engines/index.js';
import type { Logger } from '../observability/index.js';
import { describeError } from '../shared/index.js';

export interface LifetimeOptions {
  /** The service's session cap. */
  maxMs: number;
  /** How long before the cap the replacement starts. */
  marginMs: number;
  /** How often a pending swap looks for a turn boundary. */
  pollMs?: number;
}

export interface LifetimeHost {
  readonly log: Logger;
  /** Opens and connects a session for the current agent (not yet the call's). */
  open(): Promise<ModelSession>;
  /** The agent the call is talking to now. */
  currentAgent(): string;
  /** Tells `session` the conversation from item `from` on; returns the count told so far. */
  replayFrom(session: ModelSession, from: number): number;
  /** Nobody is speaking and nothing is pending: a swap goes unnoticed. */
  atTurnBoundary(): boolean;
  /** Failover or the end of the call owns the model now: no renewal. */
  blocked(): boolean;
  /** Makes `session` the call's session (the old one is closed). */
  swap(session: ModelSession): void;
}

export class SessionLifetime {
  private timer: NodeJS.Timeout | undefined;
  private warm: { session: ModelSession; agent: string; told: number } | undefined;
  private opening = false;
  private stopped = false;

  constructor(private readonly options: LifetimeOptions, private readonly host: LifetimeHost) {}

  /** A session became the call's: its clock starts now. */
  started(): void {
    this.cancel();
    this.stopped = false;
    this.schedule(Math.max(0, this.options.maxMs - this.options.marginMs));
  }

  /** The call ended or failed over: no renewal (a half-open replacement is closed). */
  stop(): void {
    this.stopped = true;
    this.cancel();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.warm?.session.close();
    this.warm = undefined;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const host = this.host;
    if (this.stopped || host.blocked()) return;
    const poll = this.options.pollMs ?? 100;
    const warm = this.warm;
    if (!warm || !warm.session.isOpen || warm.agent !== host.currentAgent()) {
      // None yet, it died, or a handoff happened since: (re)open it.
      warm?.session.close();
      this.warm = undefined;
      if (this.opening) return;
      this.opening = true;
      try {
        const agent = host.currentAgent();
        const session = await host.open();
        if (this.stopped || host.blocked()) {
          session.close();
          return;
        }
        this.warm = { session, agent, told: host.replayFrom(session, 0) };
      } catch (err) {
        host.log.warn('model session renewal could not connect; trying again', { err: describeError(err) });
      } finally {
        this.opening = false;
      }
      if (!this.stopped) this.schedule(poll);
      return;
    }
    if (!host.atTurnBoundary()) {
      this.schedule(poll);
      return;
    }
    this.warm = undefined;
    host.replayFrom(warm.session, warm.told);
    host.swap(warm.session);
  }
}
