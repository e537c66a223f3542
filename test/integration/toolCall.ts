/**
 * What every vertical's tool tests share: fakes of the SMS and call-control services that record
 * what they were asked, a test call (CallToolEnv with a settable clock) around them, and a tool
 * finder. Each vertical's helper adds how it opens its database and runs a tool.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '../../src/observability/logger.js';
import { MemoryToolInvocationRecorder } from '../../src/toolkit/index.js';
import type { Db } from '../../src/store/types.js';
import type { AnyToolDefinition, CallToolEnv, ToolServices } from '../../src/toolkit/types.js';

/** An SMS service that records messages (or fails, when told to). */
export class FakeSms implements NonNullable<ToolServices['sms']> {
  readonly sent: { to: string; body: string; id: string }[] = [];
  failWith: Error | null = null;

  async send(to: string, body: string): Promise<{ id: string }> {
    if (this.failWith) throw this.failWith;
    const id = `SM${String(this.sent.length + 1).padStart(32, '0')}`;
    this.sent.push({ to, body, id });
    return { id };
  }
}

/** Live-call control that records transfers and hang-ups. */
export class FakeCall implements NonNullable<ToolServices['call']> {
  readonly transfers: { to: string; announce?: string; reason?: string }[] = [];
  readonly hangUps: { goodbye?: string; reason?: string }[] = [];

  async transfer(to: string, options: { announce?: string; reason?: string } = {}): Promise<void> {
    this.transfers.push({ to, ...options });
  }

  async hangUp(options: { goodbye?: string; reason?: string } = {}): Promise<void> {
    this.hangUps.push(options);
  }
}

export interface TestCall {
  env: CallToolEnv;
  callId: string;
  sms: FakeSms;
  call: FakeCall;
  /** Moves the fixed clock. */
  setNow(at: Date): void;
}

export function testCall(db: Db, vertical: string, now: Date, options: { sms?: boolean; call?: boolean } = {}): TestCall {
  let clock = now;
  const sms = new FakeSms();
  const call = new FakeCall();
  const callId = randomUUID();
  const services: ToolServices = {
    now: () => clock,
    ...(options.sms === false ? {} : { sms }),
    ...(options.call === false ? {} : { call }),
  };
  const env: CallToolEnv = {
    callId, vertical, db, logger: createLogger(`test:${vertical}`), services,
    callSignal: new AbortController().signal, recorder: new MemoryToolInvocationRecorder(), currentAgent: () => undefined,
  };
  return { env, callId, sms, call, setNow: (at) => { clock = at; } };
}

export interface RunResult<T = Record<string, unknown>> {
  status: string;
  errorCode: string | undefined;
  /** The validated result on success; the error body otherwise. */
  result: T;
  output: string;
}

/** Looks a tool up by name in a family, failing the test when it is missing. */
export function toolFrom(family: readonly AnyToolDefinition[]): (name: string) => AnyToolDefinition {
  return (name) => {
    const def = family.find((d) => d.name === name);
    if (!def) throw new Error(`no tool ${name}`);
    return def;
  };
}
