/** The OpenAI Realtime engine (also serves the local emulator, which speaks the same protocol). */
export { OpenAIRealtimeModelSession, openaiRealtimeEngine, REPLAY_ITEM_PREFIX } from './session.js';
export { callSessionConfig, openaiEndpoint, realtimeUrlWithModel, type CallSessionConfig, type RealtimeEndpoint } from './config.js';
export { CarrierRealtimeTransport, type TransportTap, type CarrierTransportOptions } from './transport.js';
export {
  SERVER_EVENT_SCHEMAS, classifyServerEvent, parseServerEvent, itemText, realtimeItemSchema,
  type KnownServerEvent, type GenericServerEvent, type ParsedServerEvent, type ServerEventFields, type SharedServerEventType, type RealtimeWireItem,
  TRANSCRIPTION_EVENT_SCHEMAS, TRANSCRIPTION_MODELS, classifyTranscriptionEvent, transcriptionSessionUpdateSchema,
  type TranscriptionEvent, type TranscriptionEventType, type TranscriptionEventFields, type ParsedTranscriptionEvent, type TranscriptionSessionUpdate,
} from './events.js';
