/**
 * One spoken answer of the cascade engine: the text the model streamed, what of it has gone to
 * the voice, the audio that came back and where each character starts in it (ElevenLabs'
 * alignment, chunk-relative times made absolute). A barge-in cuts the answer to the words whose
 * characters had started when playback stopped; where the voice sent no alignment, by the share
 * of the audio that was played.
 */
export interface SpokenItem {
  id: string;
  responseId: string;
  /** Everything the model said for this item. */
  text: string;
  /** Streamed text not yet given to the voice (waits for a clause boundary). */
  pending: string;
  /** Audio received so far (μ-law 8 kHz: 8 bytes a millisecond). */
  audioMs: number;
  chars: string[];
  startsMs: number[];
  /** The voice sent its last audio (`isFinal`). */
  audioDone: boolean;
  /** Cut by a barge-in (its late audio is dropped). */
  cut: boolean;
  /** Its text was cut to what the caller heard. */
  truncated: boolean;
  /** Its message in the engine's conversation, whose text a cut rewrites (session.ts). */
  message?: { role?: string; content?: Array<{ type: string; text?: string }> };
}

export function newSpokenItem(id: string, responseId: string): SpokenItem {
  return { id, responseId, text: '', pending: '', audioMs: 0, chars: [], startsMs: [], audioDone: false, cut: false, truncated: false };
}

/** μ-law at 8 kHz: one byte a sample. */
export function ulawMs(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return ((base64.length / 4) * 3 - padding) / 8;
}

/** One chunk of the voice's audio with its alignment (times relative to the chunk). */
export function addAudio(item: SpokenItem, base64: string, chars: string[] | undefined, startsMs: number[] | undefined): void {
  const offset = item.audioMs;
  if (chars && startsMs && chars.length === startsMs.length) {
    for (let i = 0; i < chars.length; i++) {
      item.chars.push(chars[i]!);
      item.startsMs.push(offset + startsMs[i]!);
    }
  }
  item.audioMs += ulawMs(base64);
}

/** Drops a word cut in the middle: "the price is twen" → "the price is". */
function wholeWords(heard: string, next: string | undefined): string {
  if (next === undefined || /\s/.test(next) || /\s$/.test(heard)) return heard.trim();
  const space = heard.search(/\s\S*$/);
  return space < 0 ? '' : heard.slice(0, space).trim();
}

/** The words the caller heard when playback stopped `heardMs` into the item's audio. */
export function heardText(item: SpokenItem, heardMs: number): string {
  if (heardMs >= item.audioMs && item.audioDone) return item.text.trim();
  if (item.chars.length > 0) {
    let n = 0;
    while (n < item.chars.length && item.startsMs[n]! < heardMs) n++;
    return wholeWords(item.chars.slice(0, n).join(''), item.chars[n]);
  }
  if (item.audioMs <= 0) return '';
  const spokenText = item.text.slice(0, item.text.length - item.pending.length);
  const share = Math.min(1, heardMs / item.audioMs);
  const cut = Math.round(spokenText.length * share);
  return wholeWords(spokenText.slice(0, cut), spokenText[cut]);
}
