/**
 * The latency budget of a turn (manifest `latency`): caller speech end to the first audio frame
 * out, 800 ms by default, split as the seed measured it (150 network, 200 speech-to-text, 250
 * first token, 150 first TTS frame, 50 edge). The stages a call records (latency sample names)
 * and the share of the budget each one may use live here, for the telemetry, the metrics and the
 * waterfall of `calls show`.
 */

export interface LatencyBudget {
  budgetMs: number;
  stages: { network: number; speechToText: number; firstToken: number; firstTtsFrame: number; edge: number };
}

export const DEFAULT_LATENCY_BUDGET: LatencyBudget = {
  budgetMs: 800,
  stages: { network: 150, speechToText: 200, firstToken: 250, firstTtsFrame: 150, edge: 50 },
};

/** Latency sample names (`latency_samples.metric`) a call records, by stage. */
export const STAGE = {
  callerSpeech: 'turn.caller_speech',
  transcription: 'turn.transcription',
  /** Cascade: speech end to the text model's request leaving (after the final transcript: the engine's own dispatch time). */
  textRequest: 'turn.text_request',
  /** Cascade: speech end to the text model's first token. */
  firstTextToken: 'turn.first_text_token',
  /** Cascade: speech end to the first text-to-speech audio in the gateway. */
  firstTtsAudio: 'turn.first_tts_audio',
  /** Speech end to the model's first audio delta in the gateway. */
  modelFirstAudio: 'model.first_delta',
  /** Speech end to the first audio frame out to the carrier: THE turn latency. */
  turn: 'turn.speech_end_to_first_audio',
  /** Derived: turn latency minus model first audio (the gateway's own share). */
  edge: 'turn.edge',
  /** First frame out to the last mark of the answer back from the carrier. */
  playback: 'turn.playback',
  tool: 'tool.duration',
  bargeInClear: 'bargein.speech_started_to_clear',
  greeting: 'greeting.stream_start_to_first_audio',
} as const;

/**
 * What each measured stage of a speech-to-speech turn may take. A realtime model does network,
 * first token and first TTS frame in one hop, so that hop's budget is their sum.
 */
export function stageBudgets(budget: LatencyBudget): Record<string, number> {
  const s = budget.stages;
  return {
    [STAGE.transcription]: s.speechToText,
    [STAGE.modelFirstAudio]: s.network + s.firstToken + s.firstTtsFrame,
    [STAGE.edge]: s.edge,
    [STAGE.turn]: budget.budgetMs,
    // Cascade hops, each from the end of the one before it.
    [STAGE.firstTextToken]: s.network + s.firstToken,
    [STAGE.firstTtsAudio]: s.firstTtsFrame,
  };
}
