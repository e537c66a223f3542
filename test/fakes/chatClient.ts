/**
 * A chat page's side of the console's chat socket, in Node: it sends what a page sends and
 * keeps every message the gateway pushes, with a way to wait for one.
 */
import WebSocket from 'ws';
import type { ChatServerMessage } from '../../src/telephony/index.js';

export class ChatClient {
  readonly received: ChatServerMessage[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as ChatServerMessage);
      this.changed();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.changed();
    });
  }

  /** Opens the socket (rejects with the refusal's status when the upgrade is refused). */
  static open(baseUrl: string, headers: Record<string, string> = {}): Promise<ChatClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/console/api/chat`, { headers });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ChatClient(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  of<T extends ChatServerMessage['type']>(type: T): Array<Extract<ChatServerMessage, { type: T }>> {
    return this.received.filter((m): m is Extract<ChatServerMessage, { type: T }> => m.type === type);
  }

  /** Resolves with the first message (from `from` on) that `pred` accepts. */
  async waitFor<T extends ChatServerMessage>(pred: (m: ChatServerMessage) => m is T, what: string, timeoutMs?: number, from?: number): Promise<T>;
  async waitFor(pred: (m: ChatServerMessage) => boolean, what: string, timeoutMs?: number, from?: number): Promise<ChatServerMessage>;
  async waitFor(pred: (m: ChatServerMessage) => boolean, what: string, timeoutMs = 15_000, from = 0): Promise<ChatServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.slice(from).find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.received.slice(from)).slice(0, 1500)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 100);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  async waitClosed(timeoutMs = 15_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the chat socket to close');
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.closed;
  }

  private changed(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }
}
