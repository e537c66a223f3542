/**
 * Test harness: the real `RealtimeSession` from the Agents SDK on `OpenAIRealtimeWebSocket`,
 * connected to the emulator, with helpers to speak caller audio and wait for events.
 */
import { setTracingDisabled } from '@openai/agents';
import { OpenAIRealtimeWebSocket, RealtimeSession, type RealtimeAgent, type RealtimeItem } from '@openai/agents/realtime';
import { SpeechSynthesizer, PCM24K, PCMU8K, type AudioFormat } from '../../src/audio/index.js';

setTracingDisabled(true);

export type WireFormat = 'pcm' | 'pcmu';
export type TransportEvent = Record<string, unknown> & { type: string };

const synth = new SpeechSynthesizer({ engine: 'synthetic' });

export function audioFormatOf(format: WireFormat): AudioFormat {
  return format === 'pcm' ? PCM24K : PCMU8K;
}

export interface SdkCall {
  session: RealtimeSession<Record<string, unknown>>;
  transport: OpenAIRealtimeWebSocket;
  /** Server events as the SDK saw them (`transport_event`). */
  events: TransportEvent[];
  errors: unknown[];
  waitEvent(type: string, pred?: (e: TransportEvent) => boolean, from?: number, timeoutMs?: number): Promise<TransportEvent>;
  waitSession<T extends unknown[]>(name: string, pred?: (...args: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Speaks `text` as caller audio (synthetic speech, then enough silence to end the turn). */
  say(text: string, trailingSilenceMs?: number): Promise<void>;
  /** Sends raw text on the SDK's own socket (to provoke protocol errors). */
  sendRaw(text: string): void;
  history(): RealtimeItem[];
  /**
   * Waits until the SDK believes the agent's audio has finished playing (it times playback
   * by wall clock from the first delta), so the next caller turn is not taken as a barge-in.
   */
  waitPlayback(extraMs?: number): Promise<void>;
  close(): void;
}

export async function connectSdk(url: string, agent: RealtimeAgent<Record<string, unknown>>, format: WireFormat, context: Record<string, unknown> = {}): Promise<SdkCall> {
  const transport = new OpenAIRealtimeWebSocket({ url });
  const wire = format === 'pcm' ? { type: 'audio/pcm' as const, rate: 24000 } : { type: 'audio/pcmu' as const };
  const session = new RealtimeSession<Record<string, unknown>>(agent, {
    transport,
    tracingDisabled: true,
    context,
    config: {
      audio: {
        input: {
          format: wire,
          transcription: { model: 'gpt-4o-mini-transcribe' },
          turnDetection: { type: 'server_vad', threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: 400, interruptResponse: true, createResponse: true },
        },
        output: { format: wire },
      },
    },
  });
  const events: TransportEvent[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  session.on('transport_event', (e) => {
    events.push(e as TransportEvent);
    for (const w of [...waiters]) w();
  });
  session.on('error', (e) => errors.push(e));
  await session.connect({ apiKey: 'sk-test-emulator' });

  const waitEvent = (type: string, pred: (e: TransportEvent) => boolean = () => true, from = 0, timeoutMs = 15_000): Promise<TransportEvent> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = events.slice(from).find((e) => e.type === type && pred(e));
        if (hit) {
          waiters.delete(check as () => void);
          clearTimeout(timer);
          resolve(hit);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        waiters.delete(check as () => void);
        reject(new Error(`timed out waiting for ${type}; saw ${events.slice(from).map((e) => e.type).join(', ')}`));
      }, timeoutMs);
      if (!check()) waiters.add(check as () => void);
    });

  const waitSession = <T extends unknown[]>(name: string, pred: (...args: T) => boolean = () => true, timeoutMs = 15_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for session event ${name}`)), timeoutMs);
      const listener = (...args: unknown[]): void => {
        if (!pred(...(args as T))) return;
        clearTimeout(timer);
        (session as unknown as { off(n: string, l: (...a: unknown[]) => void): void }).off(name, listener);
        resolve(args as T);
      };
      (session as unknown as { on(n: string, l: (...a: unknown[]) => void): void }).on(name, listener);
    });

  const fmt = audioFormatOf(format);
  const frameBytes = format === 'pcm' ? 960 : 160;
  const say = async (text: string, trailingSilenceMs = 700): Promise<void> => {
    const clip = await synth.clip(text, fmt);
    const silenceBytes = Math.round((trailingSilenceMs * fmt.rateHz) / 1000) * (format === 'pcm' ? 2 : 1);
    const audio = new Uint8Array(clip.bytes.length + silenceBytes);
    audio.set(clip.bytes);
    if (format === 'pcmu') audio.fill(0xff, clip.bytes.length);
    for (let i = 0; i < audio.length; i += frameBytes) {
      const frame = audio.slice(i, Math.min(audio.length, i + frameBytes));
      session.sendAudio(frame.buffer);
    }
  };

  const sendRaw = (text: string): void => {
    (transport.connectionState.websocket as unknown as { send(s: string): void }).send(text);
  };

  const waitPlayback = async (extraMs = 50): Promise<void> => {
    // Protected in the SDK's types; read here only to mirror its own playback estimate.
    const playback = transport as unknown as { _firstAudioTimestamp: number | undefined; _audioLengthMs: number };
    const first = playback._firstAudioTimestamp;
    if (typeof first !== 'number') return;
    const remaining = playback._audioLengthMs - (Date.now() - first);
    await new Promise((r) => setTimeout(r, Math.max(0, remaining) + extraMs));
  };

  return {
    session, transport, events, errors, waitEvent, waitSession, say, sendRaw, waitPlayback,
    history: () => session.history,
    close: () => session.close(),
  };
}

/** The transcript (or text) of a history message item. */
export function itemText(item: RealtimeItem): string {
  if (item.type !== 'message') return '';
  return item.content.map((c) => ('transcript' in c ? c.transcript ?? '' : 'text' in c ? c.text : '')).join(' ');
}
