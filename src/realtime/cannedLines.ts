/**
 * The lines the gateway speaks itself (fallback, unavailable, transfer, silence prompt, goodbye),
 * rendered ahead of time in each vertical's own voice: OpenAI text to speech for realtime
 * verticals, ElevenLabs for cascade ones that name it, μ-law 8 kHz. Each clip is cached in memory
 * and on disk under the data directory by a hash of (provider, voice, model, text), so a restart
 * or a reload renders only what changed. Without the provider's key (offline) the local espeak-ng
 * voice renders them; with no voice at all the lines are not played (start-up says so loudly)
 * rather than played as noise.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompiledVertical } from '../catalog/index.js';
import {
  elevenLabsSpeechRenderer, espeakAvailable, espeakSpeechRenderer, openAiSpeechRenderer,
  type CannedVoiceSpec, type SpeechProvider, type SpeechRenderer,
} from '../engines/index.js';
import type { Manifest } from '../manifest/index.js';
import { createLogger, type Logger } from '../observability/index.js';
import { describeError } from '../shared/index.js';

const CACHE_DIR = 'canned-lines';
const MAX_MEMORY_CLIPS = 512;
const ESPEAK_VOICE: CannedVoiceSpec = { provider: 'espeak', voice: 'en-us' };

export interface CannedLinesOptions {
  /** Root of the on-disk cache (`<dataDir>/canned-lines`); none: memory only. */
  dataDir?: string;
  /** OpenAI's API (OPENAI_BASE_URL, OPENAI_API_KEY): realtime verticals' voices. */
  openai?: { baseUrl: string; apiKey: string } | undefined;
  /** ElevenLabs' API (ELEVENLABS_BASE_URL, ELEVENLABS_API_KEY): cascade verticals' voices. */
  elevenlabs?: { baseUrl: string; apiKey: string } | undefined;
  /** Whether espeak-ng may be used (default: when it runs here). */
  espeak?: boolean;
  logger?: Logger;
}

/** What one `prepare` did. */
export interface PrepareReport {
  /** Lines rendered now, read back from disk, and that could not be rendered. */
  rendered: number;
  fromDisk: number;
  fromMemory: number;
  failed: number;
  /** The voice each vertical's lines are spoken in (`none`: no voice available). */
  voices: Record<string, SpeechProvider | 'none'>;
}

/** The fixed lines of a vertical, in every language it speaks (a switched call speaks its language's). */
export function cannedLinesOf(manifest: Manifest): string[] {
  const { fallback, limits } = manifest;
  const localized = manifest.languages.supported.flatMap((l) => (l.lines ? [l.lines.fallback, l.lines.unavailable, l.lines.silencePrompt, l.lines.goodbye] : []));
  return [...new Set([fallback.message, fallback.unavailableMessage, fallback.transferMessage, limits.silencePrompt, limits.goodbye, ...localized])];
}

/** The voice a vertical asks for: its cascade TTS when it names one, else its entry agent's realtime voice. */
export function wantedVoice(vertical: Pick<CompiledVertical, 'manifest' | 'voices' | 'graph'>): CannedVoiceSpec {
  const { manifest } = vertical;
  const tts = manifest.engine.type === 'cascade' ? manifest.engine.cascade?.tts : undefined;
  if (tts) return { provider: tts.provider, voice: tts.voiceId, ...(tts.model ? { model: tts.model } : {}) };
  const voice = vertical.voices.get(vertical.graph.entry.name) ?? manifest.languages.supported[0]?.voice ?? 'alloy';
  return { provider: 'openai', voice };
}

export function clipKey(spec: CannedVoiceSpec, text: string): string {
  return createHash('sha256').update(JSON.stringify([spec.provider, spec.voice, spec.model ?? '', text])).digest('hex').slice(0, 40);
}

export class CannedLines {
  private readonly log: Logger;
  private readonly renderers = new Map<SpeechProvider, SpeechRenderer>();
  private readonly memory = new Map<string, Promise<Uint8Array | undefined>>();
  private readonly voices = new Map<string, CannedVoiceSpec | undefined>();
  private readonly espeak: Promise<boolean>;
  private readonly dir: string | undefined;
  private readonly prepared = new Set<string>();

  constructor(private readonly opts: CannedLinesOptions = {}) {
    this.log = opts.logger ?? createLogger('realtime');
    this.dir = opts.dataDir ? join(opts.dataDir, CACHE_DIR) : undefined;
    if (opts.openai) this.renderers.set('openai', openAiSpeechRenderer(opts.openai));
    if (opts.elevenlabs) this.renderers.set('elevenlabs', elevenLabsSpeechRenderer(opts.elevenlabs));
    this.espeak = opts.espeak === false ? Promise.resolve(false) : opts.espeak === true ? Promise.resolve(true) : espeakAvailable();
    void this.espeak.then((ok) => {
      if (ok) this.renderers.set('espeak', espeakSpeechRenderer());
    });
  }

  /** The voice a vertical's lines are spoken in here: its own when the provider is configured, else espeak-ng, else none. */
  async resolveVoice(vertical: Pick<CompiledVertical, 'manifest' | 'voices' | 'graph'>): Promise<CannedVoiceSpec | undefined> {
    const wanted = wantedVoice(vertical);
    if (this.renderers.has(wanted.provider) && wanted.provider !== 'espeak') return wanted;
    return (await this.espeak) ? ESPEAK_VOICE : undefined;
  }

  /** The voice each vertical's lines will be spoken in here, without rendering anything. */
  async voicesOf(verticals: readonly CompiledVertical[]): Promise<PrepareReport['voices']> {
    const out: PrepareReport['voices'] = {};
    for (const v of verticals) out[v.id] = (await this.resolveVoice(v))?.provider ?? 'none';
    return out;
  }

  /** Renders (or finds) every fixed line of these verticals; what is cached is not rendered again. */
  async prepare(verticals: readonly CompiledVertical[]): Promise<PrepareReport> {
    const report: PrepareReport = { rendered: 0, fromDisk: 0, fromMemory: 0, failed: 0, voices: {} };
    const specs = await Promise.all(verticals.map(async (v) => {
      const spec = await this.resolveVoice(v);
      this.voices.set(v.id, spec);
      this.prepared.add(`${v.id}@${v.version}`);
      report.voices[v.id] = spec?.provider ?? 'none';
      return spec;
    }));
    // One line at a time: this runs beside live calls (start-up, reloads), and a renderer such as
    // espeak-ng is a process per line; several verticals × languages at once would starve the calls.
    for (const [i, v] of verticals.entries()) {
      const spec = specs[i];
      if (!spec) continue;
      for (const text of cannedLinesOf(v.manifest)) {
        const source = await this.ensure(spec, text);
        report[source]++;
      }
    }
    return report;
  }

  /** Prepares a vertical the first time a call of it is seen (a canary, a vertical added without a reload). */
  prepareOnce(vertical: CompiledVertical): void {
    if (this.prepared.has(`${vertical.id}@${vertical.version}`)) return;
    void this.prepare([vertical]).catch((err: unknown) => this.log.warn('canned lines not prepared', { vertical: vertical.id, err: describeError(err) }));
  }

  /** μ-law 8 kHz of `text` in the vertical's voice (rendered now if it is not cached); undefined when no voice can say it. */
  async clip(verticalId: string, text: string): Promise<Uint8Array | undefined> {
    const spec = this.voices.has(verticalId) ? this.voices.get(verticalId) : ((await this.espeak) ? ESPEAK_VOICE : undefined);
    if (!spec) return undefined;
    const key = clipKey(spec, text);
    if (!this.memory.has(key)) await this.ensure(spec, text);
    const clip = await this.memory.get(key);
    if (clip || spec.provider === 'espeak' || !(await this.espeak)) return clip;
    // The provider failed for this line: the offline voice says it rather than nobody.
    await this.ensure(ESPEAK_VOICE, text);
    return this.memory.get(clipKey(ESPEAK_VOICE, text));
  }

  private async ensure(spec: CannedVoiceSpec, text: string): Promise<'rendered' | 'fromDisk' | 'fromMemory' | 'failed'> {
    const key = clipKey(spec, text);
    const hit = this.memory.get(key);
    if (hit) return (await hit) ? 'fromMemory' : 'failed';
    let source: 'rendered' | 'fromDisk' | 'failed' = 'failed';
    const p = (async (): Promise<Uint8Array | undefined> => {
      const disk = await this.readDisk(key);
      if (disk) {
        source = 'fromDisk';
        return disk;
      }
      const renderer = this.renderers.get(spec.provider);
      if (!renderer) return undefined;
      try {
        const bytes = await renderer.render(text, spec);
        source = 'rendered';
        await this.writeDisk(key, bytes);
        return bytes;
      } catch (err) {
        this.log.warn('canned line not rendered', { provider: spec.provider, voice: spec.voice, err: describeError(err) });
        return undefined;
      }
    })();
    this.memory.set(key, p);
    const bytes = await p;
    // A failure is not remembered (the next call tries again); the memory stays bounded.
    if (!bytes) this.memory.delete(key);
    while (this.memory.size > MAX_MEMORY_CLIPS) this.memory.delete(this.memory.keys().next().value as string);
    return source;
  }

  private async readDisk(key: string): Promise<Uint8Array | undefined> {
    if (!this.dir) return undefined;
    try {
      const bytes = await readFile(join(this.dir, `${key}.ulaw`));
      return bytes.length > 0 ? new Uint8Array(bytes) : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeDisk(key: string, bytes: Uint8Array): Promise<void> {
    if (!this.dir) return;
    try {
      await mkdir(this.dir, { recursive: true });
      // Written aside and renamed, so a crash never leaves half a clip under the real name.
      const tmp = join(this.dir, `${key}.${process.pid}.tmp`);
      await writeFile(tmp, bytes);
      await rename(tmp, join(this.dir, `${key}.ulaw`));
    } catch (err) {
      this.log.warn('canned line not cached on disk', { err: describeError(err) });
    }
  }
}
