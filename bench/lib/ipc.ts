/**
 * Child processes for the benchmark: each part (gateway, emulator, load generator) runs in its
 * own Node process so the gateway's CPU and memory are measured alone. Requests go over the IPC
 * channel as `{ id, cmd, args }` and come back as `{ id, ok, result | error }`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Child {
  readonly pid: number;
  /** Settles when the process exits (with its exit code). */
  readonly exited: Promise<number | null>;
  request<T>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Resolves with the first `{ event }` message of that name. */
  once<T>(event: string, timeoutMs?: number): Promise<T>;
  kill(): Promise<void>;
}

/** Starts `bench/procs/<name>.ts` under tsx with an IPC channel. */
export function spawnChild(name: string, env: Record<string, string> = {}, execArgv: string[] = []): Child {
  const file = fileURLToPath(new URL(`../procs/${name}.ts`, import.meta.url));
  const proc: ChildProcess = fork(file, [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    env: { ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners: Array<{ event: string; resolve: (v: unknown) => void }> = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.on('message', (raw) => {
    const msg = raw as { id?: number; ok?: boolean; result?: unknown; error?: string; event?: string; data?: unknown };
    if (msg.event) {
      for (const l of listeners.filter((x) => x.event === msg.event)) {
        listeners.splice(listeners.indexOf(l), 1);
        l.resolve(msg.data);
      }
      return;
    }
    const p = msg.id !== undefined ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id!);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${name}: ${msg.error}`));
  });
  proc.once('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code})`));
    pending.clear();
  });
  return {
    pid: proc.pid ?? -1,
    exited,
    request<T>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: ${cmd} timed out`)), timeoutMs);
        pending.set(id, {
          resolve: (v) => { clearTimeout(timer); resolve(v as T); },
          reject: (e) => { clearTimeout(timer); reject(e); },
        });
        proc.send({ id, cmd, args });
      });
    },
    once<T>(event: string, timeoutMs = 60_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no ${event} within ${timeoutMs} ms`)), timeoutMs);
        listeners.push({ event, resolve: (v) => { clearTimeout(timer); resolve(v as T); } });
        proc.once('exit', (code) => reject(new Error(`${name} exited (${code}) before ${event}`)));
      });
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** In a child: answers requests with `handlers`, and sends events. */
export function serveParent(handlers: Record<string, (args: any) => unknown>): { emit(event: string, data?: unknown): void } {
  process.on('message', async (raw) => {
    const msg = raw as { id: number; cmd: string; args?: unknown };
    const handler = handlers[msg.cmd];
    try {
      if (!handler) throw new Error(`unknown command ${msg.cmd}`);
      const result = await handler(msg.args);
      process.send?.({ id: msg.id, ok: true, result });
    } catch (err) {
      process.send?.({ id: msg.id, ok: false, error: (err as Error).message });
    }
  });
  process.on('disconnect', () => process.exit(0));
  return { emit: (event, data) => process.send?.({ event, data }) };
}
