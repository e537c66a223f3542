/**
 * The emulator's server: `ws://host:port/v1/realtime`, one EmulatorSession per connection. A
 * connection may pick its scenario (`?scenario=salon/booking`) and brain (`?brain=rules`), so
 * one emulator serves many scripted calls at once.
 *
 * The same port serves the cascade engine's offline peers (peers.ts; contract in README.md):
 * - `ws://HOST:PORT/v1/realtime?intent=transcription&scenario=<vertical>/<scenario>`: Realtime transcription sessions
 * - `POST http://HOST:PORT/v1/responses` (header `x-switchboard-scenario: <vertical>/<scenario>`): the Responses API
 * - `ws://HOST:PORT/v1/text-to-speech/{voice}/multi-stream-input?model_id=&output_format=ulaw_8000`: ElevenLabs multi-context TTS
 * - `GET http://HOST:PORT/v1/voices`: the voices the TTS peer lists
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { SpeechSynthesizer, type SpeechSynthesizerOptions } from '../../audio/index.js';
import { createLogger, type Logger } from '../../observability/index.js';
import { AppError } from '../../shared/index.js';
import { ScenarioLibrary, type Scenario } from '../../scenarios/index.js';
import { EmulatorSession } from './session.js';
import type { OutputPacing } from './responder.js';
import { RulesBrainSession } from './brain/rules.js';
import { ScriptedBrainSession } from './brain/scripted.js';
import type { BrainSession } from './brain/types.js';
import type { ConversationItem } from './conversation.js';
import { createPeers } from './peers.js';

export const EMULATOR_PATH = '/v1/realtime';

export type BrainKind = 'scripted' | 'rules';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1: the emulator is a local peer, not a public service. */
  host?: string;
  /** Default brain: `scripted` when a scenario applies, else `rules`. */
  brain?: BrainKind;
  /** Scenarios a connection may ask for by id (`?scenario=salon/booking`). */
  scenarios?: ScenarioLibrary | readonly Scenario[];
  /** The scenario for connections that do not name one (an id in `scenarios`, or a scenario). */
  scenario?: string | Scenario;
  /** When set, connections must send `Authorization: Bearer <apiKey>`; otherwise any key (or none) is accepted. */
  apiKey?: string;
  /** Speech synthesis (shared by every session: one cache). */
  speech?: SpeechSynthesizer | SpeechSynthesizerOptions;
  /** Output audio pacing; defaults: 200 ms chunks, 4× real time, no initial delay. */
  pacing?: Partial<OutputPacing>;
  /** Clock for the brains' date arithmetic. */
  now?: () => Date;
  model?: string;
  /** Voice ids the TTS peer accepts (default: any id matching /^[A-Za-z0-9]{1,64}$/). */
  ttsVoices?: readonly string[];
  logger?: Logger;
  /** The session lifetime cap, as the service enforces it (default 60 minutes). */
  maxSessionMs?: number;
  /** Called when a connection ends, with what happened on it. */
  onSessionEnd?: (summary: EmulatorSessionSummary) => void;
}

export interface EmulatorSessionSummary {
  sessionId: string;
  scenarioId: string | null;
  brain: BrainKind;
  items: ConversationItem[];
  counts: EmulatorSession['counts'];
  /** Output audio sent on the connection, in bytes. */
  audioOutBytes: number;
}

export interface RunningEmulator {
  /** `ws://127.0.0.1:<port>/v1/realtime` */
  url: string;
  /** `http://127.0.0.1:<port>`: the peers' base (Responses at `/v1/responses`, TTS at `/v1/text-to-speech/…`). */
  baseUrl: string;
  port: number;
  /** Open sessions now. */
  readonly activeSessions: number;
  /** Sessions since start. */
  readonly totalSessions: number;
  /** Sessions since start that heard caller audio (a call's serving session; not a pre-warm released unused or a language switch's spare that never cut over). */
  readonly servingSessions: number;
  close(): Promise<void>;
}

function resolveLibrary(scenarios: EmulatorOptions['scenarios']): ScenarioLibrary {
  if (!scenarios) return new ScenarioLibrary();
  return scenarios instanceof ScenarioLibrary ? scenarios : new ScenarioLibrary(scenarios);
}

function bearer(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) return auth.replace(/^Bearer\s+/i, '').trim();
  // Browsers cannot set headers: the key rides in a subprotocol.
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  const p = protocols.find((x) => x.startsWith('openai-insecure-api-key.'));
  return p?.slice('openai-insecure-api-key.'.length);
}

function reject(socket: Duplex, status: number, reason: string, message: string): void {
  const body = JSON.stringify({ error: { message } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Starts an emulator. Resolves once it listens; `close()` ends every session and the server. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.logger ?? createLogger('emulator');
  const library = resolveLibrary(options.scenarios);
  const defaultScenario = typeof options.scenario === 'string' ? library.get(options.scenario) : options.scenario;
  if (typeof options.scenario === 'string' && !defaultScenario) {
    throw new AppError('EMULATOR_SCENARIO', `unknown scenario "${options.scenario}" (known: ${library.list().map((s) => s.id).join(', ') || 'none'})`);
  }
  const synth = options.speech instanceof SpeechSynthesizer ? options.speech : new SpeechSynthesizer(options.speech ?? {});
  const pacing: OutputPacing = { chunkMs: 200, speed: 4, firstAudioDelayMs: 0, ...options.pacing };
  const now = options.now ?? (() => new Date());
  const sessions = new Set<{ ws: WebSocket; session: EmulatorSession }>();
  let total = 0;
  let servedClosed = 0;
  const peers = createPeers({
    library, defaultScenario, apiKey: options.apiKey, ttsVoices: options.ttsVoices, synth, pacing, now,
    logger: log, reject, bearer,
  });

  const http: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (peers.handleRequest(req, res, url)) return;
    if (url.pathname === '/' || url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        ok: true, service: 'switchboard realtime emulator (offline stand-in, not a language model)',
        sessions: sessions.size, scenarios: library.list().map((s) => s.id),
      }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `not found; connect a WebSocket to ${EMULATOR_PATH}` } }));
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : false),
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (peers.handleUpgrade(req, socket, head, url)) return;
    if (url.pathname !== EMULATOR_PATH) return reject(socket, 404, 'Not Found', `the realtime endpoint is ${EMULATOR_PATH}`);
    if (options.apiKey !== undefined && bearer(req) !== options.apiKey) return reject(socket, 401, 'Unauthorized', 'Incorrect API key provided.');
    const scenarioParam = url.searchParams.get('scenario');
    const scenario = scenarioParam ? library.get(scenarioParam) : defaultScenario;
    if (scenarioParam && !scenario) return reject(socket, 404, 'Not Found', `unknown scenario "${scenarioParam}"`);
    const brainParam = url.searchParams.get('brain');
    if (brainParam !== null && brainParam !== 'scripted' && brainParam !== 'rules') return reject(socket, 400, 'Bad Request', 'brain must be scripted or rules');
    const wanted: BrainKind = (brainParam as BrainKind | null) ?? (scenario ? scenario.brain : options.brain) ?? (scenario ? 'scripted' : 'rules');
    // The scripted brain needs a script: without a scenario the connection gets the rule-based one.
    const brainKind: BrainKind = wanted === 'scripted' && !scenario ? 'rules' : wanted;
    if (wanted !== brainKind) log.debug('no scenario for the scripted brain; using the rule-based brain');
    wss.handleUpgrade(req, socket, head, (ws) => {
      const brain: BrainSession = brainKind === 'scripted' && scenario
        ? new ScriptedBrainSession(scenario)
        : new RulesBrainSession(scenario ? { transcripts: scenario.turns.map((t) => t.caller) } : {});
      const slog = log.child({ scenario: scenario?.id ?? null, brain: brainKind });
      const session = new EmulatorSession({
        send: (json) => {
          if (ws.readyState === ws.OPEN) ws.send(json);
        },
        brain, synth, pacing, now, logger: slog, ...(options.model ? { model: options.model } : {}),
        socket: { drop: () => ws.terminate(), close: (code, reason) => ws.close(code, reason) },
        ...(options.maxSessionMs !== undefined ? { maxSessionMs: options.maxSessionMs } : {}),
      });
      const entry = { ws, session };
      sessions.add(entry);
      total += 1;
      ws.on('message', (data, isBinary) => {
        session.handleMessage(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString());
      });
      ws.on('error', (err) => slog.warn('emulator socket error', { err }));
      ws.on('close', () => {
        session.close();
        sessions.delete(entry);
        if (session.counts.audioAppends > 0) servedClosed += 1;
        options.onSessionEnd?.({
          sessionId: session.resource.id, scenarioId: scenario?.id ?? null, brain: brainKind,
          items: session.conversation.list(), counts: session.counts, audioOutBytes: session.audioOutBytes,
        });
      });
      session.start();
    });
  });

  await new Promise<void>((resolve, rejectListen) => {
    http.once('error', rejectListen);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      http.off('error', rejectListen);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  log.info('realtime emulator listening', { port: address.port, scenarios: library.size });

  return {
    url: `ws://${host}:${address.port}${EMULATOR_PATH}`,
    baseUrl: `http://${host}:${address.port}`,
    port: address.port,
    get activeSessions() {
      return sessions.size;
    },
    get totalSessions() {
      return total;
    },
    get servingSessions() {
      return servedClosed + [...sessions].filter(({ session }) => session.counts.audioAppends > 0).length;
    },
    close: async () => {
      for (const { ws, session } of sessions) {
        session.close();
        ws.terminate();
      }
      sessions.clear();
      peers.close();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
