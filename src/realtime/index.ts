/** The realtime runtime: one call session per phone call, talking to a carrier and a `ModelSession`. */
export * from './types.js';
export { CallManager, type CallManagerOptions, type FleetOptions } from './callManager.js';
export { STREAM_REFUSAL, type StreamRefusal } from './coldStart.js';
export { CallSession, DEFAULT_SESSION_OPTIONS, type CallSessionOptions, type CallSessionDeps } from './callSession.js';
export { createRealtimeRuntime, type RealtimeRuntime, type RealtimeRuntimeOptions } from './runtime.js';
export { Playback, type CarrierOut, type CutItem, type PlaybackOptions } from './playback.js';
export { LocalVoice } from './localVoice.js';
export type { CallPort } from './callPort.js';
export { CallRecorder, cutToHeard, type CallStore } from './records.js';
export { edgeStats, snapshotEdgeStats, resetEdgeStats, type EdgeStatsSnapshot } from './edgeStats.js';
export { TransferEvents, type TransferEvent, type TransferEventType, type TransferListener } from './transferEvents.js';
export { buildBriefing, toolsDone, type BriefingInput } from './briefing.js';
export { StreamSplice } from './streamSplice.js';
export { ACCEPT_WINDOW_MS, RESUME_WAIT_MS, TRANSFER_ERROR } from './warmTransfer.js';
export { RECORDING_ERROR } from './callRecording.js';
export { smsBody } from './callMessages.js';
export { CallFeed, feedingStore, type CallFeedEvent, type CallFeedListener, type FeedableStore } from './callFeed.js';
