/**
 * The engine-neutral session template of a compiled vertical: what every model session of a
 * version starts from, settled once at compile time rather than on every call and reconnect.
 */
import type { Manifest } from '../manifest/index.js';

/**
 * What every model session of this version starts from, settled at compile time: the engine
 * adds only its audio formats and the agent's voice. Engine-neutral (no wire shapes).
 */
export interface SessionTemplate {
  turnDetection: Manifest['turnDetection'];
  /** Transcription of the caller; `language` is ISO 639-1 (`en-US` → `en`) when the vertical speaks one language (a switch pins it later). */
  transcription: { model: string; language?: string };
}

/** ISO 639-1 code a transcriber takes (`en-US` → `en`); undefined when the code has none. */
export function transcriptionLanguage(code: string): string | undefined {
  const base = code.split(/[-_]/)[0]?.toLowerCase();
  return base && /^[a-z]{2}$/.test(base) ? base : undefined;
}

export function sessionTemplate(manifest: Pick<Manifest, 'turnDetection' | 'engine' | 'languages'>): SessionTemplate {
  // A call that may be in several languages is transcribed unpinned until it knows which one.
  const language = manifest.languages.supported.length > 1 ? undefined : transcriptionLanguage(manifest.languages.default);
  return {
    turnDetection: manifest.turnDetection,
    transcription: { model: manifest.engine.realtime.transcriptionModel, ...(language ? { language } : {}) },
  };
}
