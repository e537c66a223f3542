/**
 * The offline peers for the cascade engine, served on the emulator's port next to the realtime
 * emulator: Realtime transcription sessions, the Responses API and an ElevenLabs-compatible
 * TTS WebSocket (with `GET /v1/voices`). The server hands each request or upgrade here first;
 * what is not for a peer goes on to the realtime emulator unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SpeechSynthesizer } from '../../audio/index.js';
import type { Logger } from '../../observability/index.js';
import type { Scenario, ScenarioLibrary } from '../../scenarios/index.js';
import type { OutputPacing } from './responder.js';
import { RulesBrainSession } from './brain/rules.js';
import { ScriptedBrainSession } from './brain/scripted.js';
import { TranscriptionSession } from './transcription.js';
import { ResponsesPeer, RESPONSES_PATH } from './responses/handler.js';
import { LISTED_VOICES, TTS_PATH, VOICES_PATH, parseConnection } from './elevenlabs/protocol.js';
import { TtsSession } from './elevenlabs/session.js';

export interface PeerOptions {
  library: ScenarioLibrary;
  defaultScenario: Scenario | undefined;
  apiKey: string | undefined;
  /** Voice ids the TTS peer accepts; undefined: any id matching /^[A-Za-z0-9]{1,64}$/. */
  ttsVoices: readonly string[] | undefined;
  synth: SpeechSynthesizer;
  pacing: OutputPacing;
  now: () => Date;
  logger: Logger;
  /** Rejects an upgrade with an HTTP status, as the realtime endpoint does. */
  reject: (socket: Duplex, status: number, reason: string, message: string) => void;
  /** The realtime endpoint's bearer check (header or browser subprotocol). */
  bearer: (req: IncomingMessage) => string | undefined;
}

export interface Peers {
  /** True when the request was for a peer (and is answered). */
  handleRequest(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
  /** True when the upgrade was for a peer (and is handled). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean;
  readonly activeSockets: number;
  close(): void;
}

export function createPeers(opts: PeerOptions): Peers {
  const responses = new ResponsesPeer({
    library: opts.library, now: opts.now, logger: opts.logger.child({ peer: 'responses' }),
    ...(opts.defaultScenario ? { defaultScenario: opts.defaultScenario } : {}),
    ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024, handleProtocols: (p) => (p.has('realtime') ? 'realtime' : false) });
  const sockets = new Map<WebSocket, { close(): void }>();

  function track(ws: WebSocket, session: { handleMessage(data: string): void; close(): void }): void {
    sockets.set(ws, session);
    ws.on('message', (data, isBinary) => session.handleMessage(isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()));
    ws.on('error', (err) => opts.logger.warn('peer socket error', { err }));
    ws.on('close', () => {
      session.close();
      sockets.delete(ws);
    });
  }

  function transcription(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    if (opts.apiKey !== undefined && opts.bearer(req) !== opts.apiKey) return opts.reject(socket, 401, 'Unauthorized', 'Incorrect API key provided.');
    const scenarioParam = url.searchParams.get('scenario');
    const scenario = scenarioParam ? opts.library.get(scenarioParam) : opts.defaultScenario;
    if (scenarioParam && !scenario) return opts.reject(socket, 404, 'Not Found', `unknown scenario "${scenarioParam}"`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new TranscriptionSession({
        send: (json) => {
          if (ws.readyState === ws.OPEN) ws.send(json);
        },
        brain: scenario ? new ScriptedBrainSession(scenario) : new RulesBrainSession({}),
        logger: opts.logger.child({ peer: 'transcription', scenario: scenario?.id ?? null }),
      });
      track(ws, session);
      session.start();
    });
  }

  function tts(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    // The service accepts the socket and reports problems on it, then closes with 1008.
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = parseConnection(url, req.headers, opts.ttsVoices ? { voices: opts.ttsVoices } : {});
      if ('error' in connection) {
        ws.send(JSON.stringify({ message: connection.message, error: connection.error, code: 1008 }));
        ws.close(1008, connection.message.slice(0, 120));
        return;
      }
      const session = new TtsSession({
        connection, synth: opts.synth, pacing: opts.pacing, logger: opts.logger.child({ peer: 'tts' }),
        ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
        send: (json) => {
          if (ws.readyState === ws.OPEN) ws.send(json);
        },
        close: (code, reason) => ws.close(code, reason),
      });
      track(ws, session);
      session.start();
    });
  }

  function voices(req: IncomingMessage, res: ServerResponse): void {
    const header = req.headers['xi-api-key'];
    const key = Array.isArray(header) ? header[0] : header;
    const deny = (status: string, message: string): void => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ detail: { status, message } }));
    };
    if (!key) return deny('needs_authorization', 'Neither authorization header nor xi-api-key received, please provide one.');
    if (opts.apiKey !== undefined && key !== opts.apiKey) return deny('invalid_api_key', 'Invalid API key');
    const listed = opts.ttsVoices ? opts.ttsVoices.map((id) => LISTED_VOICES.find((v) => v.voice_id === id) ?? { voice_id: id, name: id }) : LISTED_VOICES;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      voices: listed.map((v) => ({ voice_id: v.voice_id, name: v.name, category: 'premade', labels: {}, description: 'offline peer voice (local synthesis)', preview_url: null, settings: null })),
    }));
  }

  return {
    handleRequest(req, res, url) {
      if (url.pathname === RESPONSES_PATH) {
        responses.handle(req, res);
        return true;
      }
      if (url.pathname === VOICES_PATH && req.method === 'GET') {
        voices(req, res);
        return true;
      }
      return false;
    },
    handleUpgrade(req, socket, head, url) {
      if (url.pathname === '/v1/realtime' && url.searchParams.get('intent') === 'transcription') {
        transcription(req, socket, head, url);
        return true;
      }
      if (TTS_PATH.test(url.pathname)) {
        tts(req, socket, head, url);
        return true;
      }
      return false;
    },
    get activeSockets() {
      return sockets.size;
    },
    close() {
      for (const [ws, session] of sockets) {
        session.close();
        ws.terminate();
      }
      sockets.clear();
      wss.close();
    },
  };
}
