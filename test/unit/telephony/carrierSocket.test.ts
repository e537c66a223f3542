import { once } from 'node:events';
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { CarrierSocket } from '../../../src/telephony/carrierSocket.js';
import { twilioSerializer } from '../../../src/telephony/twilio/serializer.js';
import { CARRIER_ERROR } from '../../../src/telephony/errors.js';
import type { CallEvent } from '../../../src/telephony/types.js';

const frame = Buffer.alloc(160, 0xff).toString('base64');
const start = (streamSid: string) =>
  JSON.stringify({ event: 'start', start: { streamSid, callSid: 'CA1', tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 }, customParameters: { vertical: 'salon' } } });
const media = (payload = frame) => `{"event":"media","media":{"payload":"${payload}"}}`;

interface Pair {
  conn: CarrierSocket;
  client: WebSocket;
  events: CallEvent[];
  errors: string[];
  fromServer: string[];
}

let wss: WebSocketServer;
let url: string;
const pending: Array<(s: CarrierSocket) => void> = [];
let startTimeoutMs = 5000;

beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  wss.on('connection', (ws) => pending.shift()?.(new CarrierSocket(ws, twilioSerializer, { startTimeoutMs })));
});
afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise((r) => wss.close(r));
});

async function connect(): Promise<Pair> {
  const got = new Promise<CarrierSocket>((resolve) => pending.push(resolve));
  const client = new WebSocket(url);
  const fromServer: string[] = [];
  client.on('message', (d) => fromServer.push(d.toString()));
  await once(client, 'open');
  const conn = await got;
  const pair: Pair = { conn, client, events: [], errors: [], fromServer };
  conn.on('event', (e) => pair.events.push(e));
  conn.on('error', (e) => pair.errors.push(e.code));
  return pair;
}

/** Sends a sentinel mark and waits until it is delivered, so everything sent before it was processed. */
async function flush(p: Pair): Promise<void> {
  const name = `flush-${Math.random()}`;
  const seen = new Promise<void>((resolve) => p.conn.on('event', (e) => { if (e.type === 'mark' && e.name === name) resolve(); }));
  p.client.send(JSON.stringify({ event: 'mark', mark: { name } }));
  await seen;
}

async function closeClient(p: Pair): Promise<void> {
  if (p.client.readyState === WebSocket.CLOSED) return;
  const closed = once(p.client, 'close');
  p.client.close();
  await closed;
}

describe('CarrierSocket', () => {
  it('resolves started with the start event and then emits media, marks, dtmf and stop', async () => {
    const p = await connect();
    p.client.send('{"event":"connected","protocol":"Call","version":"1.0.0"}');
    p.client.send(start('MZ1'));
    const s = await p.conn.started;
    expect(s.streamSid).toBe('MZ1');
    expect(s.customParameters).toEqual({ vertical: 'salon' });
    p.client.send(media());
    p.client.send('{"event":"dtmf","dtmf":{"digit":"5"}}');
    p.client.send('{"event":"stop","stop":{}}');
    await flush(p);
    expect(p.events.map((e) => e.type)).toEqual(['audio', 'dtmf', 'stop', 'mark']);
    expect(p.errors).toEqual([]);
    await closeClient(p);
  });

  it('sends media, mark and clear in the Twilio format with the stream id', async () => {
    const p = await connect();
    p.client.send(start('MZ2'));
    await p.conn.started;
    const got = new Promise<void>((resolve) => p.client.on('message', () => { if (p.fromServer.length === 3) resolve(); }));
    p.conn.sendAudioFrame(frame);
    p.conn.sendMark('m1');
    p.conn.clear();
    await got;
    expect(p.fromServer.map((m) => JSON.parse(m))).toEqual([
      { event: 'media', streamSid: 'MZ2', media: { payload: frame } },
      { event: 'mark', streamSid: 'MZ2', mark: { name: 'm1' } },
      { event: 'clear', streamSid: 'MZ2' },
    ]);
    await closeClient(p);
  });

  it('holds a corked burst in one buffer and sends it whole on uncork (one write per model delta)', async () => {
    const p = await connect();
    p.client.send(start('MZ9'));
    await p.conn.started;
    const got = new Promise<void>((resolve) => p.client.on('message', () => { if (p.fromServer.length === 11) resolve(); }));
    p.conn.cork();
    for (let i = 0; i < 10; i++) p.conn.sendAudioFrame(frame);
    p.conn.sendMark('m10');
    // Held in the socket, not written: an uncorked socket hands each frame to the kernel at once.
    expect(p.conn.bufferedAmount).toBeGreaterThan(10 * frame.length);
    p.conn.uncork();
    expect(p.conn.bufferedAmount).toBe(0);
    await got;
    expect(p.fromServer.map((m) => JSON.parse(m).event)).toEqual([...Array(10).fill('media'), 'mark']);
    await closeClient(p);
  });

  it('refuses media before start and a second start with codes, and the call goes on', async () => {
    const p = await connect();
    p.client.send(media());
    p.client.send('{"event":"mark","mark":{"name":"early"}}');
    p.client.send(start('MZ3'));
    await p.conn.started;
    p.client.send(start('MZ3-again'));
    p.client.send('garbage{');
    p.client.send('{"event":"nope"}');
    p.client.send(media('!!!!'));
    p.client.send(media(Buffer.alloc(10_000).toString('base64')));
    p.client.send(Buffer.from([1, 2, 3]), { binary: true });
    p.client.send(media());
    await flush(p);
    expect(p.errors).toEqual([
      CARRIER_ERROR.beforeStart,
      CARRIER_ERROR.beforeStart,
      CARRIER_ERROR.duplicateStart,
      CARRIER_ERROR.badJson,
      CARRIER_ERROR.unknownEvent,
      CARRIER_ERROR.badBase64,
      CARRIER_ERROR.frameTooLarge,
      CARRIER_ERROR.binaryMessage,
    ]);
    expect(p.events.map((e) => e.type)).toEqual(['audio', 'mark']);
    expect(p.conn.sid).toBe('MZ3');
    await closeClient(p);
  });

  it('rejects started when the socket closes first, and reports the close', async () => {
    const p = await connect();
    const closed = new Promise<{ code: number }>((resolve) => p.conn.on('close', resolve));
    await closeClient(p);
    await expect(p.conn.started).rejects.toMatchObject({ code: CARRIER_ERROR.closedBeforeStart });
    expect((await closed).code).toBe(1005);
  });

  it('rejects started after the start timeout and closes the socket', async () => {
    startTimeoutMs = 50;
    try {
      const p = await connect();
      const closed = once(p.client, 'close');
      await expect(p.conn.started).rejects.toMatchObject({ code: CARRIER_ERROR.startTimeout });
      const [code] = await closed;
      expect(code).toBe(1008);
    } finally {
      startTimeoutMs = 5000;
    }
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const p = await connect();
    p.conn.on('event', () => { throw new Error('listener bug'); });
    const after: string[] = [];
    p.conn.on('event', (e) => after.push(e.type));
    p.client.send(start('MZ4'));
    await p.conn.started;
    p.client.send(media());
    await flush(p);
    expect(after).toEqual(['audio', 'mark']);
    await closeClient(p);
  });

  it('drops outbound audio before start instead of throwing', async () => {
    const p = await connect();
    expect(() => p.conn.sendAudioFrame(frame)).not.toThrow();
    p.client.send(start('MZ5'));
    await p.conn.started;
    p.conn.clear();
    await new Promise<void>((resolve) => p.client.once('message', () => resolve()));
    expect(p.fromServer.map((m) => JSON.parse(m).event)).toEqual(['clear']);
    await closeClient(p);
  });
});
