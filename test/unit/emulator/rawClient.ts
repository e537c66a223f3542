/** A plain `ws` client for the emulator that records every server event (test helper). */
import WebSocket from 'ws';

export type ServerEvent = Record<string, unknown> & { type: string; event_id: string };

export class RawClient {
  readonly events: ServerEvent[] = [];
  private waiters: { pred: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void; from: number }[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const e = JSON.parse(data.toString()) as ServerEvent;
      this.events.push(e);
      const idx = this.events.length - 1;
      this.waiters = this.waiters.filter((w) => {
        if (idx >= w.from && w.pred(e)) {
          w.resolve(e);
          return false;
        }
        return true;
      });
    });
  }

  static async connect(url: string, headers: Record<string, string> = { Authorization: 'Bearer test-key' }): Promise<RawClient> {
    const ws = new WebSocket(url, { headers });
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(event));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** The next event (at or after index `from`, default: any recorded so far) matching. */
  waitFor(type: string, pred: (e: ServerEvent) => boolean = () => true, from = 0, timeoutMs = 10_000): Promise<ServerEvent> {
    const found = this.events.slice(from).find((e) => e.type === type && pred(e));
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${type}; saw ${this.types().join(', ')}`)), timeoutMs);
      this.waiters.push({ pred: (e) => e.type === type && pred(e), resolve: (e) => { clearTimeout(timer); resolve(e); }, from });
    });
  }

  types(from = 0): string[] {
    return this.events.slice(from).map((e) => e.type);
  }

  mark(): number {
    return this.events.length;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export function tonePcm16(ms: number, rateHz: number, amplitude = 8000): Int16Array {
  const n = Math.round((ms * rateHz) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 220 * i) / rateHz));
  return out;
}

export function concatPcm(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Sends audio as 20 ms appends, as fast as the socket takes them. */
export function appendAudio(client: RawClient, bytes: Uint8Array, frameBytes: number): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < buf.length; i += frameBytes) {
    client.send({ type: 'input_audio_buffer.append', audio: buf.subarray(i, Math.min(buf.length, i + frameBytes)).toString('base64') });
  }
}
