/**
 * Benchmark child, for comparison only: a minimal gateway built the way the Agents SDK suggests,
 * one `RealtimeSession` over the SDK's own `TwilioRealtimeTransportLayer` per Media Streams
 * socket, against the same emulator, the same salon agents and the same load. It reports the
 * same process figures as bench/procs/gateway.ts (no edge timings: the SDK keeps none).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { setTracingDisabled } from '@openai/agents';
import { RealtimeSession } from '@openai/agents/realtime';
import { TwilioRealtimeTransportLayer } from '@openai/agents-extensions';
import { createCatalog } from '../../src/catalog/index.js';
import { loadConfig } from '../../src/config/index.js';
import { registry } from '../../tools/index.js';
import { serveParent } from '../lib/ipc.js';

setTracingDisabled(true);
const emulatorUrl = process.env.BENCH_EMULATOR_URL!;
const config = loadConfig({ env: { LOG_LEVEL: 'error' } });
const catalog = createCatalog({ verticalsDir: config.paths.verticals, agentsDir: config.paths.agents, registry });
const salon = catalog.get('salon')!;
const counters = { framesIn: 0, framesOut: 0, protocolErrors: 0 };
let active = 0;

const http = createServer((req, res) => {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    const form = new URLSearchParams(body);
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="ws://x/twilio/stream"><Parameter name="callSid" value="${form.get('CallSid') ?? ''}"/></Stream></Connect></Response>`);
  });
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => onStream(ws)));

function onStream(ws: WebSocket): void {
  active++;
  ws.on('message', (d) => {
    if (d.toString('latin1', 0, 16) === '{"event":"media"') counters.framesIn++;
  });
  const send = ws.send.bind(ws);
  ws.send = ((data: string, ...rest: unknown[]) => {
    if (typeof data === 'string' && data.includes('"event":"media"')) counters.framesOut++;
    return (send as (...a: unknown[]) => void)(data, ...rest);
  }) as typeof ws.send;
  const transport = new TwilioRealtimeTransportLayer({ twilioWebSocket: ws });
  const session = new RealtimeSession(salon.graph.entry, {
    transport, model: 'gpt-realtime', tracingDisabled: true,
    config: { audio: { input: { format: { type: 'audio/pcmu' }, turnDetection: { type: 'server_vad', interruptResponse: true } }, output: { format: { type: 'audio/pcmu' } } } },
  });
  ws.on('close', () => {
    active--;
    try {
      session.close();
    } catch {
      // already closed
    }
  });
  session.connect({ apiKey: 'bench', url: emulatorUrl }).then(
    () => transport.requestResponse({ instructions: `Say exactly: "${salon.manifest.greeting}"` }),
    () => ws.close(),
  );
}

await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const port = (http.address() as AddressInfo).port;
const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
const zeroRing = { p50: NaN, p99: NaN, count: 0 };
const snapshot = () => ({
  cpu: process.cpuUsage(), rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed,
  eldP50Ms: eld.percentile(50) / 1e6, eldP99Ms: eld.percentile(99) / 1e6, eldMaxMs: eld.max / 1e6,
  edge: { appendsOut: counters.framesIn, framesDroppedNoModel: 0, deltasIn: 0, framesOut: counters.framesOut, deltasDropped: 0, clears: 0, inboundMs: zeroRing, outboundMs: zeroRing, clearMs: zeroRing },
  carrier: { ...counters }, active, hrUs: Number(process.hrtime.bigint() / 1000n),
});
const parent = serveParent({
  stats: () => snapshot(),
  reset: () => {
    eld.reset();
    return snapshot();
  },
  gc: () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage().rss;
  },
  close: async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => http.close(() => r()));
    return true;
  },
});
parent.emit('ready', { url: `http://127.0.0.1:${port}`, store: 'none (SDK transport comparison)' });
