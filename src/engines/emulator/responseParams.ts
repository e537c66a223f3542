/**
 * What one `response.create` asks for, read against the session: modality, output format and
 * voice, the language the speech is in, and whether the response joins the conversation.
 */
import type { ResponseParams } from './responder.js';
import { toAudioFormat, type SessionResource, type WireAudioFormat } from './sessionConfig.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function responseParams(params: Record<string, unknown>, s: SessionResource, conversationId: string): ResponseParams {
  const audioParams = isObj(params.audio) && isObj(params.audio.output) ? params.audio.output : {};
  const modalities = Array.isArray(params.output_modalities) ? params.output_modalities : s.output_modalities;
  const wireFormat = (isObj(audioParams.format) ? audioParams.format : s.audio.output.format) as WireAudioFormat;
  const inConversation = params.conversation !== 'none';
  return {
    modality: modalities[0] === 'text' ? 'text' : 'audio',
    format: toAudioFormat(wireFormat),
    wireFormat,
    voice: typeof audioParams.voice === 'string' ? audioParams.voice : s.audio.output.voice,
    // The emulator speaks the language the session transcribes (set once a call knows it).
    ...(s.audio.input.transcription?.language ? { language: s.audio.input.transcription.language } : {}),
    inConversation,
    conversationId: inConversation ? conversationId : null,
    metadata: params.metadata ?? null,
  };
}
