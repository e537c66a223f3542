/**
 * The session resource as the emulator keeps and echoes it (GA shape, snake_case), and the
 * merge of a `session.update` into it. A bad update is rejected whole with a wire error; the
 * session stays as it was.
 */
import type { AudioFormat } from '../../audio/index.js';
import { ERR, type WireError } from './errors.js';
import { newWireId } from './ids.js';

export interface WireAudioFormat {
  type: 'audio/pcm' | 'audio/pcmu' | 'audio/pcma';
  rate?: number;
}

export interface ServerVad {
  type: 'server_vad';
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
  idle_timeout_ms: number | null;
  create_response: boolean;
  interrupt_response: boolean;
}

export interface SemanticVad {
  type: 'semantic_vad';
  eagerness: 'low' | 'medium' | 'high' | 'auto';
  create_response: boolean;
  interrupt_response: boolean;
}

export type TurnDetection = ServerVad | SemanticVad;

export interface WireFunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface SessionResource {
  type: 'realtime';
  object: 'realtime.session';
  id: string;
  model: string;
  output_modalities: ('audio' | 'text')[];
  instructions: string;
  tools: (WireFunctionTool | Record<string, unknown>)[];
  tool_choice: unknown;
  max_output_tokens: number | 'inf';
  tracing: unknown;
  prompt: unknown;
  truncation: unknown;
  expires_at: number;
  include: unknown;
  audio: {
    input: {
      format: WireAudioFormat;
      transcription: { model?: string; language?: string; prompt?: string } | null;
      noise_reduction: { type: string } | null;
      turn_detection: TurnDetection | null;
    };
    output: {
      format: WireAudioFormat;
      voice: string;
      speed: number;
    };
  };
  [extra: string]: unknown;
}

export function defaultSession(model = 'gpt-realtime'): SessionResource {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: newWireId('sess'),
    model,
    output_modalities: ['audio'],
    instructions: '',
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    prompt: null,
    truncation: 'auto',
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    include: null,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24_000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: defaultServerVad(),
      },
      output: { format: { type: 'audio/pcm', rate: 24_000 }, voice: 'alloy', speed: 1 },
    },
  };
}

function defaultServerVad(): ServerVad {
  return {
    type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500,
    idle_timeout_ms: null, create_response: true, interrupt_response: true,
  };
}

/** The audio format a wire format stands for. */
export function toAudioFormat(f: WireAudioFormat): AudioFormat {
  return f.type === 'audio/pcm' ? { type: 'audio/pcm', rateHz: f.rate ?? 24_000 } : { type: f.type, rateHz: 8000 };
}

/** How errors describe the expected audio (`mono PCM16 at 24kHz`). */
export function formatLabel(f: WireAudioFormat): string {
  return f.type === 'audio/pcm' ? `mono PCM16 at ${Math.round((f.rate ?? 24_000) / 1000)}kHz` : f.type === 'audio/pcmu' ? 'G.711 μ-law at 8kHz' : 'G.711 A-law at 8kHz';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseFormat(v: unknown, param: string, id: string | null): WireAudioFormat | WireError {
  // Legacy string names are accepted the way the SDK normalises them.
  if (v === 'pcm16') return { type: 'audio/pcm', rate: 24_000 };
  if (v === 'g711_ulaw') return { type: 'audio/pcmu' };
  if (v === 'g711_alaw') return { type: 'audio/pcma' };
  if (!isObj(v)) return ERR.invalidType(param, 'an object like {"type":"audio/pcm","rate":24000}', id);
  const type = v.type;
  if (type === 'audio/pcm') {
    const rate = v.rate ?? 24_000;
    if (rate !== 24_000) return ERR.invalidValue(`${param}.rate`, `Invalid value: ${String(rate)}. Supported values are: 24000.`, id);
    return { type, rate: 24_000 };
  }
  if (type === 'audio/pcmu' || type === 'audio/pcma') return { type };
  return ERR.invalidValue(`${param}.type`, `Invalid value: '${String(type)}'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.`, id);
}

function num(v: unknown, param: string, min: number, max: number, id: string | null): number | WireError {
  if (typeof v !== 'number' || !Number.isFinite(v)) return ERR.invalidType(param, 'a number', id);
  if (v < min || v > max) return ERR.invalidValue(param, `Invalid '${param}': expected a value between ${min} and ${max}, got ${v}.`, id);
  return v;
}

function parseTurnDetection(v: unknown, id: string | null): TurnDetection | null | WireError {
  if (v === null) return null;
  const p = 'session.audio.input.turn_detection';
  if (!isObj(v)) return ERR.invalidType(p, 'an object or null', id);
  const bool = (key: string, dflt: boolean): boolean | WireError =>
    v[key] === undefined || v[key] === null ? dflt : typeof v[key] === 'boolean' ? (v[key] as boolean) : ERR.invalidType(`${p}.${key}`, 'a boolean', id);
  const createResponse = bool('create_response', true);
  if (typeof createResponse !== 'boolean') return createResponse;
  const interruptResponse = bool('interrupt_response', true);
  if (typeof interruptResponse !== 'boolean') return interruptResponse;
  if (v.type === 'semantic_vad') {
    const eagerness = v.eagerness ?? 'auto';
    if (!['low', 'medium', 'high', 'auto'].includes(eagerness as string)) {
      return ERR.invalidValue(`${p}.eagerness`, `Invalid value: '${String(eagerness)}'. Supported values are: 'low', 'medium', 'high', and 'auto'.`, id);
    }
    return { type: 'semantic_vad', eagerness: eagerness as SemanticVad['eagerness'], create_response: createResponse, interrupt_response: interruptResponse };
  }
  if (v.type === 'server_vad' || v.type === undefined) {
    const d = defaultServerVad();
    const threshold = v.threshold === undefined ? d.threshold : num(v.threshold, `${p}.threshold`, 0, 1, id);
    if (typeof threshold !== 'number') return threshold;
    const prefix = v.prefix_padding_ms === undefined ? d.prefix_padding_ms : num(v.prefix_padding_ms, `${p}.prefix_padding_ms`, 0, 10_000, id);
    if (typeof prefix !== 'number') return prefix;
    const silence = v.silence_duration_ms === undefined ? d.silence_duration_ms : num(v.silence_duration_ms, `${p}.silence_duration_ms`, 10, 10_000, id);
    if (typeof silence !== 'number') return silence;
    const idle = v.idle_timeout_ms === undefined || v.idle_timeout_ms === null ? null : num(v.idle_timeout_ms, `${p}.idle_timeout_ms`, 0, 600_000, id);
    if (idle !== null && typeof idle !== 'number') return idle;
    return {
      type: 'server_vad', threshold, prefix_padding_ms: prefix, silence_duration_ms: silence, idle_timeout_ms: idle,
      create_response: createResponse, interrupt_response: interruptResponse,
    };
  }
  return ERR.invalidValue(`${p}.type`, `Invalid value: '${String(v.type)}'. Supported values are: 'server_vad' and 'semantic_vad'.`, id);
}

function parseTools(v: unknown, id: string | null): SessionResource['tools'] | WireError {
  if (!Array.isArray(v)) return ERR.invalidType('session.tools', 'an array', id);
  const out: SessionResource['tools'] = [];
  for (let i = 0; i < v.length; i++) {
    const t: unknown = v[i];
    if (!isObj(t)) return ERR.invalidType(`session.tools[${i}]`, 'an object', id);
    if (t.type === 'function' || t.type === undefined) {
      if (typeof t.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(t.name)) {
        return ERR.invalidValue(`session.tools[${i}].name`, `Invalid 'session.tools[${i}].name': must match ^[a-zA-Z0-9_-]{1,64}$.`, id);
      }
      out.push({ ...t, type: 'function', name: t.name } as WireFunctionTool);
    } else {
      out.push(t);
    }
  }
  return out;
}

export interface SessionUpdateContext {
  clientEventId: string | null;
  /** True once assistant audio exists: the voice is fixed from then on. */
  voiceLocked: boolean;
}

/** Applies a `session.update` payload; returns the new session or a wire error. */
export function mergeSessionUpdate(current: SessionResource, update: unknown, ctx: SessionUpdateContext): SessionResource | WireError {
  const id = ctx.clientEventId;
  if (!isObj(update)) return ERR.missing('session', id);
  if (update.type !== undefined && update.type !== 'realtime') {
    return ERR.invalidValue('session.type', `Invalid value: '${String(update.type)}'. Supported values are: 'realtime'.`, id);
  }
  const next: SessionResource = {
    ...current,
    audio: { input: { ...current.audio.input }, output: { ...current.audio.output } },
  };
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) continue;
    switch (key) {
      case 'type': case 'object': case 'id': case 'expires_at':
        break;
      case 'instructions':
        if (typeof value !== 'string') return ERR.invalidType('session.instructions', 'a string', id);
        next.instructions = value;
        break;
      case 'model':
        if (typeof value !== 'string') return ERR.invalidType('session.model', 'a string', id);
        next.model = value;
        break;
      case 'output_modalities': {
        if (!Array.isArray(value) || value.length !== 1 || (value[0] !== 'audio' && value[0] !== 'text')) {
          return ERR.invalidValue('session.output_modalities', "Invalid 'session.output_modalities': expected ['audio'] or ['text'].", id);
        }
        next.output_modalities = [value[0]];
        break;
      }
      case 'tools': {
        const tools = parseTools(value, id);
        if (!Array.isArray(tools)) return tools;
        next.tools = tools;
        break;
      }
      case 'audio': {
        if (!isObj(value)) return ERR.invalidType('session.audio', 'an object', id);
        const input = value.input;
        if (input !== undefined && input !== null) {
          if (!isObj(input)) return ERR.invalidType('session.audio.input', 'an object', id);
          if (input.format !== undefined) {
            const f = parseFormat(input.format, 'session.audio.input.format', id);
            if ('code' in f) return f;
            next.audio.input.format = f;
          }
          if (input.transcription !== undefined) {
            if (input.transcription !== null && !isObj(input.transcription)) return ERR.invalidType('session.audio.input.transcription', 'an object or null', id);
            next.audio.input.transcription = input.transcription as SessionResource['audio']['input']['transcription'];
          }
          if (input.noise_reduction !== undefined) {
            if (input.noise_reduction !== null && !isObj(input.noise_reduction)) return ERR.invalidType('session.audio.input.noise_reduction', 'an object or null', id);
            next.audio.input.noise_reduction = input.noise_reduction as { type: string } | null;
          }
          if (input.turn_detection !== undefined) {
            const td = parseTurnDetection(input.turn_detection, id);
            if (td !== null && 'code' in td) return td;
            next.audio.input.turn_detection = td;
          }
        }
        const output = value.output;
        if (output !== undefined && output !== null) {
          if (!isObj(output)) return ERR.invalidType('session.audio.output', 'an object', id);
          if (output.format !== undefined) {
            const f = parseFormat(output.format, 'session.audio.output.format', id);
            if ('code' in f) return f;
            next.audio.output.format = f;
          }
          if (output.voice !== undefined && output.voice !== null) {
            if (typeof output.voice !== 'string') return ERR.invalidType('session.audio.output.voice', 'a string', id);
            if (ctx.voiceLocked && output.voice !== current.audio.output.voice) return ERR.voiceLocked(id);
            next.audio.output.voice = output.voice;
          }
          if (output.speed !== undefined && output.speed !== null) {
            const speed = num(output.speed, 'session.audio.output.speed', 0.25, 1.5, id);
            if (typeof speed !== 'number') return speed;
            next.audio.output.speed = speed;
          }
        }
        break;
      }
      default:
        // tool_choice, tracing, prompt, include, truncation, max_output_tokens, … are kept and echoed.
        next[key] = value;
    }
  }
  return next;
}

/** Type guard for the error branch of `mergeSessionUpdate`. */
export function isWireError(v: unknown): v is WireError {
  return isObj(v) && typeof v.message === 'string' && 'code' in v && 'param' in v && v.type !== 'realtime';
}
