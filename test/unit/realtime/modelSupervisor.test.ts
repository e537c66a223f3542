import type { ModelEngine, ModelEvent, ModelSession, ModelSessionOptions, ModelSessionUpdate, ReplayItem } from '../../../src/engines/index.js';
import { createLogger } from '../../../src/observability/index.js';
import type { AgentGraph, SessionTemplate } from '../../../src/orchestration/index.js';
import type { CallToolEnv } from '../../../src/toolkit/index.js';
import { ModelSupervisor, type SupervisorHost } from '../../../src/realtime/modelSupervisor.js';

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

function harness(options: { retries: number; failures?: boolean[] }) {
  const log: string[] = [];
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
  };
  const supervisor = new ModelSupervisor({
    graph: {} as AgentGraph, template: {} as SessionTemplate, voice: 'alloy', env: {} as CallToolEnv,
    connectTimeoutMs: 100, retries: options.retries, fallbackMessage: 'One moment please.',
  }, host);
  supervisor.setEngine(engine);
  return { supervisor, engine, log, events, setAgent: (a: string) => (agent = a), end: () => (ended = true) };
}

describe('the model supervisor', () => {
  it('greets once on the first connection and routes only the current session', async () => {
    const h = harness({ retries: 1 });
    await h.supervisor.connect(false);
    expect(h.log).toEqual(['greet']);
    const first = h.engine.opened[0]!;
    first.fire({ type: 'response_created', responseId: 'r1' });
    expect(h.events).toEqual([{ e: { type: 'response_created', responseId: 'r1' }, current: true }]);
    expect(h.supervisor.session).toBe(first);
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
    await h.supervisor.failover('test');
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
