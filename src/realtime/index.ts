/** The realtime runtime: one call session per phone call over the SDK's RealtimeSession. */
export * from './types.js';
export { CallManager, type CallManagerOptions } from './callManager.js';
export { CallSession, DEFAULT_SESSION_OPTIONS, type CallSessionOptions, type CallSessionDeps } from './callSession.js';
export { createRealtimeRuntime, type RealtimeRuntime, type RealtimeRuntimeOptions } from './runtime.js';
export { CarrierRealtimeTransport, type TransportTap } from './transport.js';
export { Playback, type CarrierOut, type CutItem, type PlaybackOptions } from './playback.js';
export { LocalVoice } from './localVoice.js';
export { CallRecorder, cutToHeard, type CallStore } from './records.js';
export { edgeStats, snapshotEdgeStats, resetEdgeStats, type EdgeStatsSnapshot } from './edgeStats.js';
