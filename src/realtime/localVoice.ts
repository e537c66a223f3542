/**
 * Prompts the gateway speaks itself, without the model: the failover message ("one moment
 * please") and the apology when the model cannot be restored. They are synthesised locally
 * (src/audio) and cached per text, so the caller hears them at once.
 */
import { PCMU8K } from '../audio/index.js';
import { SpeechSynthesizer } from '../audio/index.js';
import type { CallPort } from './callPort.js';

/** Local prompt items are named with this prefix. */
export const LOCAL_ITEM_PREFIX = 'local_';

export class LocalVoice {
  private readonly waiters = new Map<string, () => void>();
  private seq = 0;

  constructor(private readonly synth: SpeechSynthesizer = new SpeechSynthesizer()) {}

  /** Synthesises ahead of need (each vertical's fallback lines). */
  warm(texts: readonly string[]): void {
    for (const t of texts) void this.synth.clip(t, PCMU8K).catch(() => undefined);
  }

  /** Plays `text` on the call; resolves when it has been heard (or after its length plus a margin). */
  async say(call: CallPort, text: string, marginMs = 3000): Promise<void> {
    // A model connected after this (failover) must know the caller heard it.
    call.remember({ role: 'assistant', text });
    let clip;
    try {
      clip = await this.synth.clip(text, PCMU8K);
    } catch (err) {
      call.log.error('local prompt synthesis failed', { err: err as Error });
      return;
    }
    if (call.ended()) return;
    const itemId = `${LOCAL_ITEM_PREFIX}${++this.seq}`;
    const key = `s:${itemId}`;
    const startedMs = call.offsetMs();
    call.rec.openItem(key, { role: 'system', itemId, startedMs });
    call.rec.completeItem(key, { text, endedMs: startedMs + clip.durationMs });
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(itemId);
        resolve();
      };
      const timer = setTimeout(done, clip.durationMs + marginMs);
      timer.unref();
      this.waiters.set(itemId, done);
      call.playback.pushBytes(itemId, itemId, 0, clip.bytes);
      call.playback.endItem(itemId);
    });
  }

  /** A local item finished playing or was cut. */
  settle(itemId: string): void {
    this.waiters.get(itemId)?.();
  }
}
