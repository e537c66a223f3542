import type { ModelEngine, ModelEvent, ModelSession, ModelSessionOptions, ModelSessionUpdate, ReplayItem } from '../../../src/engines/index.js';
import { createLogger } from '../../../src/observability/index.js';
import type { AgentGraph, SessionTemplate } from '../../../src/orchestration/index.js';
import type { CallToolEnv } from '../../../src/toolkit/index.js';
import { ModelSupervisor, type SupervisorHost } from '../../../src/realtime/modelSupervisor.js';
import { WatchedSession } from '../../../src/realtime/modelWatchdog.js';

/** A model session that records what the call asked of it; `connect` succeeds or fails as told. */
class FakeModelSession implements ModelSession {
  readonly calls: string[] = [];
  replayed: readonly ReplayItem[] = [];
  private open = false;
  private closed = false;
  constructor(readonly options: ModelSessionOptions, private readonly fails: boolean) {}
  get isOpen(): boolean {
    return this.open && !this.closed;
  }
  get currentAgent(): string {
    return this.options.agent;
  }
  async connect(): Promise<void> {
    if (this.fails) throw new Error('refused');
    this.open = true;
  }
  append(): boolean {
    return this.isOpen;
  }
  say(text: string): void {
    this.calls.push(`say:${text}`);
  }
  respond(): void {
    this.calls.push('respond');
  }
  sendUserText(text: string): void {
    this.calls.push(`text:${text}`);
  }
  truncate(): void {}
  cancelResponse(): void {}
  async update(_u: ModelSessionUpdate): Promise<void> {}
  replay(items: readonly ReplayItem[]): void {
    this.replayed = [...items];
  }
  answerFunctionCall(): void {}
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.calls.push('close');
  }
  /** The engine side: an event for the call. */
  fire(e: ModelEvent): void {
    this.options.listener(e);
  }
}

class FakeEngine implements ModelEngine {
  readonly kind = 'emulator' as const;
  readonly audio = 'pcmu' as const;
  readonly model = 'fake';
  readonly endpoint = 'fake://';
  readonly opened: FakeModelSession[] = [];
  /** Whether each successive session fails to connect. */
  constructor(private readonly failures: boolean[] = []) {}
  open(options: ModelSessionOptions): ModelSession {
    const s = new FakeModelSession(options, this.failures[this.opened.length] ?? false);
    this.opened.push(s);
    return s;
  }
}

interface HarnessOptions {
  retries: number;
  failures?: boolean[];
  stallMs?: number;
  lifetime?: { maxMs: number; marginMs: number };
}

function harness(options: HarnessOptions) {
  const log: string[] = [];
  const metadata: Record<string, unknown> = {};
  let boundary = true;
  const events: Array<{ e: ModelEvent; current: boolean }> = [];
  let agent = 'Front';
  let ended = false;
  const engine = new FakeEngine(options.failures);
  const host: SupervisorHost = {
    log: createLogger('test'),
    ended: () => ended,
    recoverable: () => !ended,
    currentAgent: () => agent,
    onEvent: (e, session) => events.push({ e, current: session !== undefined }),
    connectionLost: () => log.push('connection lost'),
    greet: () => log.push('greet'),
    sayLocally: async (text) => {
      log.push(`local:${text}`);
    },
    reconnected: (n) => log.push(`reconnected ${n}`),
    giveUp: async (message) => {
      await message;
      log.push('give up');
    },
    atTurnBoundary: () => boundary,
    mergeMetadata: (m) => Object.assign(metadata, structuredClone(m)),
  };
  const supervisor = new ModelSupervisor({
    graph: {} as AgentGraph, template: { turnDetection: { createResponse: true } } as SessionTemplate, voice: 'alloy', env: {} as CallToolEnv,
    connectTimeoutMs: 100, retries: options.retries, fallbackMessage: 'One moment please.',
    stallMs: options.stallMs ?? 60_000, lifetime: { ...(options.lifetime ?? { maxMs: 3_600_000, marginMs: 300_000 }), pollMs: 10 },
  }, host);
  supervisor.setEngine(engine);
  return {
    supervisor, engine, log, events, metadata, setAgent: (a: string) => (agent = a), end: () => (ended = true),
    setBoundary: (b: boolean) => (boundary = b),
  };
}

const tick = (ms = 10) => new Promise((r) => setTimeout(r, ms));

async function eventually(check: () => boolean, withinMs: number): Promise<void> {
  const until = performance.now() + withinMs;
  while (!check() && performance.now() < until) await tick(20);
}
const innerOf = (s: ModelSession | undefined) => (s as WatchedSession | undefined)?.inner;

describe('the model supervisor', () => {
  it('greets once on the first connection and routes only the current session', async () => {
    const h = harness({ retries: 1 });
    await h.supervisor.connect(false);
    expect(h.log).toEqual(['greet']);
    const first = h.engine.opened[0]!;
    first.fire({ type: 'response_created', responseId: 'r1' });
    expect(h.events).toEqual([{ e: { type: 'response_created', responseId: 'r1' }, current: true }]);
    expect(innerOf(h.supervisor.session)).toBe(first);
  });

  it('on an unexpected close: canned line, reconnect from the current agent, replay, respond', async () => {
    const h = harness({ retries: 2 });
    await h.supervisor.connect(false);
    h.supervisor.remember({ role: 'caller', text: 'I need a haircut' });
    h.setAgent('Booking');
    const first = h.engine.opened[0]!;
    first.fire({ type: 'socket_closed', code: 1006, reason: '', expected: false });
    await new Promise((r) => setTimeout(r, 10));
    const second = h.engine.opened[1]!;
    expect(first.calls).toContain('close');
    expect(second.options.agent).toBe('Booking');
    expect(second.replayed).toEqual([{ role: 'caller', text: 'I need a haircut' }]);
    expect(second.calls).toEqual(['respond']);
    expect(h.log).toEqual(['greet', 'connection lost', 'local:One moment please.', 'reconnected 1']);
    expect(h.supervisor.recovering).toBe(false);
    // The old session is gone: its late events do not reach the call, except tool outcomes.
    first.fire({ type: 'response_created', responseId: 'old' });
    first.fire({ type: 'tool_end', name: 'book', callId: 'c1', result: 'ok' });
    expect(h.events.map((x) => x.e.type)).toEqual(['tool_end']);
    expect(h.events[0]!.current).toBe(false);
  });

  it('ignores an expected close and gives up when every reconnect fails', async () => {
    const h = harness({ retries: 2, failures: [false, true, true] });
    await h.supervisor.connect(false);
    h.engine.opened[0]!.fire({ type: 'socket_closed', code: 1000, reason: '', expected: true });
    expect(h.log).toEqual(['greet']);
    await h.supervisor.failover({ cause: 'connect_failed' });
    expect(h.engine.opened).toHaveLength(3);
    expect(h.log).toEqual(['greet', 'connection lost', 'local:One moment please.', 'give up']);
    expect(h.supervisor.session).toBeUndefined();
    expect(h.supervisor.recovering).toBe(true);
  });

  it('lets a handoff land while no session is open', async () => {
    const h = harness({ retries: 0, failures: [false] });
    await h.supervisor.connect(false);
    const first = h.engine.opened[0]!;
    h.supervisor.close();
    first.fire({ type: 'handoff', from: 'Front', to: 'Billing' });
    first.fire({ type: 'speech_started', receivedAtMs: 1 });
    expect(h.events).toEqual([{ e: { type: 'handoff', from: 'Front', to: 'Billing' }, current: false }]);
  });
});

describe('every model failure fails over', () => {
  async function connected(options: Partial<HarnessOptions> = {}) {
    const h = harness({ retries: 1, ...options });
    await h.supervisor.connect(false);
    return { h, first: h.engine.opened[0]! };
  }

  it('fails over on a server_error event, not on a client mistake', async () => {
    const { h, first } = await connected();
    first.fire({ type: 'model_error', origin: 'server', code: 'response_cancel_not_active', errorType: 'invalid_request_error' });
    first.fire({ type: 'model_error', origin: 'engine', code: undefined, errorType: 'server_error' });
    expect(h.engine.opened).toHaveLength(1);
    first.fire({ type: 'model_error', origin: 'server', code: undefined, errorType: 'server_error' });
    await tick();
    expect(h.engine.opened).toHaveLength(2);
    expect(h.log).toEqual(['greet', 'connection lost', 'local:One moment please.', 'reconnected 1']);
    expect(h.metadata.failovers).toEqual([expect.objectContaining({ cause: 'server_error', outcome: 'reconnected' })]);
  });

  it('fails over when a response ends failed', async () => {
    const { h, first } = await connected();
    first.fire({ type: 'response_done', responseId: 'r1' });
    expect(h.engine.opened).toHaveLength(1);
    first.fire({ type: 'response_done', responseId: 'r2', failure: { errorType: 'server_error', code: undefined, retryAfterMs: undefined } });
    await tick();
    expect(h.engine.opened).toHaveLength(2);
    expect(h.metadata.failovers).toEqual([expect.objectContaining({ cause: 'response_failed', outcome: 'reconnected' })]);
  });

  it('waits out the back-off a rate limit names before reconnecting', async () => {
    const { h, first } = await connected();
    first.fire({ type: 'model_error', origin: 'server', code: 'rate_limit_exceeded', errorType: 'invalid_request_error', retryAfterMs: 300 });
    await tick(150);
    // The canned line plays at once; the reconnect waits.
    expect(h.log).toEqual(['greet', 'connection lost', 'local:One moment please.']);
    expect(h.engine.opened).toHaveLength(1);
    await tick(300);
    expect(h.engine.opened).toHaveLength(2);
    expect(h.metadata.failovers).toEqual([expect.objectContaining({ cause: 'rate_limited', code: 'rate_limit_exceeded', outcome: 'reconnected' })]);
  });

  it('declares a stall when no event comes while a response is due, and only then', async () => {
    const { h, first } = await connected({ stallMs: 400 });
    // Nothing due: silence is fine. (Gaps between events are a tenth of stallMs and the waits
    // half again as long as it, so a loaded machine's late timers do not decide the outcome.)
    await tick(600);
    expect(h.engine.opened).toHaveLength(1);
    // Events keep coming while a response streams: no stall.
    first.fire({ type: 'response_created', responseId: 'r1' });
    for (let i = 0; i < 4; i++) {
      await tick(40);
      first.fire({ type: 'speech_started', receivedAtMs: 0 });
    }
    first.fire({ type: 'response_done', responseId: 'r1' });
    await tick(600);
    expect(h.engine.opened).toHaveLength(1);
    // A request and then nothing.
    h.supervisor.session!.respond();
    await eventually(() => h.engine.opened.length === 2, 3000);
    expect(h.engine.opened).toHaveLength(2);
    expect(h.metadata.failovers).toEqual([expect.objectContaining({ cause: 'model_stalled', outcome: 'reconnected' })]);
  });

  it('a second failure with no retries left gives up with that cause', async () => {
    const { h, first } = await connected();
    first.fire({ type: 'socket_closed', code: 1006, reason: '', expected: false });
    await tick();
    h.engine.opened[1]!.fire({ type: 'model_error', origin: 'server', code: 'session_expired', errorType: 'invalid_request_error' });
    await tick();
    expect(h.log.at(-1)).toBe('give up');
    expect(h.metadata.failovers).toEqual([
      expect.objectContaining({ cause: 'socket_closed', outcome: 'reconnected' }),
      expect.objectContaining({ cause: 'session_expired', outcome: 'gave_up' }),
    ]);
  });

  it('renews the session before its lifetime cap at a turn boundary, without a canned line or a retry', async () => {
    const { h, first } = await connected({ lifetime: { maxMs: 200, marginMs: 150 } });
    h.supervisor.remember({ role: 'caller', text: 'first words' });
    h.setBoundary(false);
    await tick(120);
    // The replacement is open and told the conversation, but the caller is mid-turn.
    expect(h.engine.opened).toHaveLength(2);
    const second = h.engine.opened[1]!;
    expect(second.replayed).toEqual([{ role: 'caller', text: 'first words' }]);
    expect(innerOf(h.supervisor.session)).toBe(first);
    h.supervisor.remember({ role: 'assistant', text: 'said meanwhile' });
    h.setBoundary(true);
    await tick(40);
    expect(innerOf(h.supervisor.session)).toBe(second);
    expect(second.replayed).toEqual([{ role: 'assistant', text: 'said meanwhile' }]);
    expect(first.calls).toContain('close');
    expect(second.calls).not.toContain('respond');
    expect(h.log).toEqual(['greet']);
    expect(h.metadata.modelSessionRenewals).toBe(1);
    // The clock restarts with the new session: it is renewed again in time.
    await tick(200);
    expect(h.engine.opened.length).toBeGreaterThanOrEqual(3);
    h.supervisor.close();
  });
});
