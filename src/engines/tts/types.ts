/**
 * Text to speech for the lines the gateway speaks itself (canned lines): one voice of one
 * provider renders a text to G.711 μ-law at 8 kHz, the carrier's own format.
 */
export type SpeechProvider = 'openai' | 'elevenlabs' | 'espeak';

/** The voice a vertical's canned lines are spoken in. */
export interface CannedVoiceSpec {
  provider: SpeechProvider;
  voice: string;
  /** The provider's model (OpenAI `gpt-4o-mini-tts`, ElevenLabs `eleven_flash_v2_5`); none for espeak. */
  model?: string;
}

export interface SpeechRenderer {
  readonly provider: SpeechProvider;
  /** μ-law 8 kHz bytes of `text` spoken by `voice`. Rejects on any failure. */
  render(text: string, voice: CannedVoiceSpec): Promise<Uint8Array>;
}
