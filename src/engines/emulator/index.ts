/** The local Realtime emulator: a GA-protocol peer with scripted and rule-based brains. */
export { startEmulator, EMULATOR_PATH, type EmulatorOptions, type RunningEmulator, type EmulatorSessionSummary, type BrainKind } from './server.js';
export { EmulatorSession, CLIENT_EVENT_TYPES, type EmulatorSessionOptions } from './session.js';
export type { OutputPacing, CancelReason } from './responder.js';
export { Conversation, cutTranscript, type ConversationItem, type ContentPart } from './conversation.js';
export { defaultSession, mergeSessionUpdate, type SessionResource, type TurnDetection, type WireAudioFormat, type WireFunctionTool } from './sessionConfig.js';
export { wireError, type WireError } from './errors.js';
export { RulesBrainSession, HONEST_INTRO, describeResult, speakableFromInstructions, rulesBrain, type RulesBrainOptions } from './brain/rules.js';
export { ScriptedBrainSession, scriptedBrain, stepReply, pairCallerTurn } from './brain/scripted.js';
export { fieldsOf, extractField, findDate, findTime, findPhone, findName, findNumber, type FieldSpec } from './brain/extract.js';
export type { BrainSession, BrainReply, BrainTurnContext, CallerInput, BrainFactory } from './brain/types.js';
export { TranscriptionSession, TRANSCRIPTION_CLIENT_EVENT_TYPES, defaultTranscriptionSession, deltaPieces, type TranscriptionSessionOptions, type TranscriptionSessionResource } from './transcription.js';
export { ResponsesPeer, RESPONSES_PATH, SCENARIO_HEADER, type ResponsesPeerOptions } from './responses/handler.js';
export { parseResponsesRequest, apiError, type ApiError, type ResponsesRequest, type InputItem } from './responses/request.js';
export { replyFor, scriptPosition, turnsOf, type Turn } from './responses/script.js';
export { TtsSession, type TtsSessionOptions } from './elevenlabs/session.js';
export { TTS_PATH, VOICES_PATH, LISTED_VOICES, OUTPUT_FORMATS, MAX_CONTEXTS, parseConnection, chunkAlignment, clientMessageSchema, type TtsConnection, type Alignment, type ClientMessage as TtsClientMessage } from './elevenlabs/protocol.js';
