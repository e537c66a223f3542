/**
 * Prompts the gateway speaks itself, without the model: the failover message ("one moment
 * please"), the apology when the model cannot be restored, the words before a transfer. They
 * are the vertical's canned lines, rendered ahead of time in its own voice (cannedLines.ts), so
 * the caller hears them at once. A line no voice can say is recorded but not played.
 */
import type { CompiledVertical } from '../catalog/index.js';
import { CannedLines } from './cannedLines.js';
import type { CallPort } from './callPort.js';

/** Local prompt items are named with this prefix. */
export const LOCAL_ITEM_PREFIX = 'local_';

export class LocalVoice {
  private readonly waiters = new Map<string, () => void>();
  private seq = 0;

  constructor(readonly lines: CannedLines = new CannedLines()) {}

  /** Renders a vertical's lines ahead of need, unless that version's are already prepared. */
  warm(vertical: CompiledVertical): void {
    this.lines.prepareOnce(vertical);
  }

  /** Plays `text` on the call; resolves when it has been heard (or after its length plus a margin). */
  async say(call: CallPort, text: string, marginMs = 3000): Promise<void> {
    // A model connected after this (failover) must know the caller heard it.
    call.remember({ role: 'assistant', text });
    const bytes = await this.lines.clip(call.vertical, text).catch(() => undefined);
    if (call.ended()) return;
    const itemId = `${LOCAL_ITEM_PREFIX}${++this.seq}`;
    const key = `s:${itemId}`;
    const startedMs = call.offsetMs();
    const clip = { bytes: bytes ?? new Uint8Array(0), durationMs: (bytes?.length ?? 0) / 8 };
    call.rec.openItem(key, { role: 'system', itemId, startedMs });
    call.rec.completeItem(key, { text, endedMs: startedMs + clip.durationMs });
    if (!bytes) {
      // No voice here (start-up said so): the line is on the record, the caller hears nothing rather than noise.
      call.log.warn('canned line not played: no voice available');
      return;
    }
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
