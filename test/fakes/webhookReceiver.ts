/**
 * A webhook receiver on loopback: records every request (path, headers, raw body) and answers
 * each path by a script: `500` (an error), `hang` (never answers: the sender's timeout fires),
 * `200` (accepted). The last step of a script repeats; `setScript` changes it mid-test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceiverStep = 200 | 500 | 'hang';

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  answered: ReceiverStep;
}

export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly scripts = new Map<string, ReceiverStep[]>();
  private readonly served = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver!: WebhookReceiver;
    const server = createServer((req, res) => receiver.handle(req, res));
    receiver = new WebhookReceiver(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  setScript(path: string, steps: ReceiverStep[]): void {
    this.scripts.set(path, steps);
    this.served.set(path, 0);
  }

  at(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  accepted(path: string): ReceivedRequest[] {
    return this.at(path).filter((r) => r.answered === 200);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const steps = this.scripts.get(path) ?? [200];
      const n = this.served.get(path) ?? 0;
      this.served.set(path, n + 1);
      const step = steps[Math.min(n, steps.length - 1)]!;
      this.requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), answered: step });
      if (step === 'hang') {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      res.writeHead(step, { 'content-type': 'text/plain' }).end(step === 200 ? 'ok' : 'boom');
    });
  }
}
