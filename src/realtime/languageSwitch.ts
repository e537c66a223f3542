/**
 * The caller's language. While a multi-language call is still finding out (its first few caller
 * turns), a spare model session is opened beside the current one at the first `speech_started`,
 * and the current session's answer to a caller turn is held (at most `maxHoldMs` of it) until
 * that turn's transcript is classified. A confident detection of another supported language
 * cancels the held answer and cuts over to the spare, re-voiced and re-instructed in the new
 * language, told the conversation so far, answering at once: the caller hears one answer, in
 * their language. A detection that comes after the held answer was released switches at the
 * turn boundary instead. Agents may also switch on request (`switch_language`).
 */
import type { CompiledVertical } from '../catalog/index.js';
import type { ModelEvent, ModelSession } from '../engines/index.js';
import { fixedLinesFor, languageOverlay, matchSupportedLanguage, type FixedLines } from '../manifest/index.js';
import type { CallTelemetry, Logger } from '../observability/index.js';
import { transcriptionLanguage } from '../orchestration/index.js';
import { describeError } from '../shared/index.js';
import type { LanguageSwitchOutcome } from '../toolkit/index.js';
import { detectTurnLanguage, warmLanguageDetector } from './languageDetect.js';
import type { ModelSupervisor, SessionConfig } from './modelSupervisor.js';

/** Events of an assistant answer: held while its caller turn is being classified. */
const HELD = new Set<ModelEvent['type']>([
  'response_created', 'assistant_item_added', 'audio_delta', 'output_audio_done', 'assistant_transcript_delta', 'assistant_transcript_done',
  'assistant_item_done', 'response_done',
]);

export type EventSink = (event: ModelEvent, session: ModelSession | undefined) => void;

export interface LanguageHost {
  readonly log: Logger;
  readonly telemetry: CallTelemetry;
  readonly supervisor: ModelSupervisor;
  ended(): boolean;
  offsetMs(): number;
  /** The agent the caller is talking to (a spare that started with another one is not used). */
  currentAgent(): string;
  /** Everything the old session was saying is dropped (its playback cut, its items closed). */
  dropAnswer(): void;
  /** Written on the call's metadata (`language`). */
  record(metadata: Record<string, unknown>): void;
  /** A latency sample for the switch (decision to cut-over). */
  latency(valueMs: number): void;
}

export interface LanguageOptions {
  /** Caller turns examined before the call keeps its language for good. */
  maxTurns: number;
  /** The longest a held answer waits for its turn's classification after its first audio. */
  maxHoldMs: number;
  /** How long the call must stay quiet before a switch decided mid-answer is made. */
  boundarySettleMs: number;
}

export const DEFAULT_LANGUAGE_OPTIONS: LanguageOptions = { maxTurns: 3, maxHoldMs: 300, boundarySettleMs: 250 };


export class LanguageSwitch {
  private current: string;
  /** The call may be in several languages: every caller turn is classified. */
  private readonly multi: boolean;
  /** The first turns: the answer waits for the turn's classification, a spare session stands by. */
  private windowOpen: boolean;
  private turnsTried = 0;
  private spare: Promise<ModelSession> | undefined;
  private holding = false;
  private held: [ModelEvent, ModelSession | undefined][] = [];
  /** A response the call has seen start and not finish. */
  private answering: string | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private heldAudioAtMs: number | undefined;
  /** A switch decided after the answer was released: made at the end of that answer. */
  private atBoundary: { language: string; cause: string } | undefined;
  private settle: NodeJS.Timeout | undefined;
  /** Past the first turns: the other language the previous turn was in. */
  private candidate: string | undefined;
  private readonly switches: Record<string, unknown>[] = [];

  constructor(
    private readonly vertical: CompiledVertical,
    private readonly host: LanguageHost,
    private readonly sink: EventSink,
    private readonly options: LanguageOptions = DEFAULT_LANGUAGE_OPTIONS,
  ) {
    this.current = vertical.manifest.languages.default;
    this.multi = vertical.manifest.languages.supported.length > 1;
    this.windowOpen = this.multi;
    if (this.multi) void warmLanguageDetector().catch((err: unknown) => host.log.warn('language detector failed to load', { err: describeError(err) }));
  }

  get language(): string {
    return this.current;
  }

  /** The fixed lines the caller hears now (silence prompt, goodbye, fallback, unavailable). */
  get lines(): FixedLines {
    return fixedLinesFor(this.vertical.manifest, this.current);
  }

  get supported(): string[] {
    return this.vertical.manifest.languages.supported.map((l) => l.code);
  }

  /** What a session in `language` is opened with: its voice, transcription pinned to it, its overlay. */
  configFor(language: string): SessionConfig {
    const manifest = this.vertical.manifest;
    const voice = manifest.languages.supported.find((l) => l.code === language)?.voice;
    const transcriptionLang = transcriptionLanguage(language);
    const { language: _pinned, ...unpinned } = this.vertical.session.transcription;
    const template = {
      ...this.vertical.session,
      transcription: { ...unpinned, ...(transcriptionLang ? { language: transcriptionLang } : {}) },
    };
    const isDefault = language === manifest.languages.default;
    return {
      template, voice: voice ?? this.vertical.voices.get(this.vertical.graph.entry.name),
      ...(isDefault ? {} : { overlay: languageOverlay(language, this.vertical.languageInstructions) }),
      fallbackMessage: fixedLinesFor(manifest, language).fallback,
    };
  }

  /** Every model event of the current session passes here on its way to the call. */
  onModelEvent(e: ModelEvent, session: ModelSession | undefined): void {
    if (!this.multi) {
      this.sink(e, session);
      return;
    }
    if (this.settle && (e.type === 'response_created' || e.type === 'tool_start' || e.type === 'speech_started')) this.unsettle();
    switch (e.type) {
      case 'speech_started':
        if (this.windowOpen) this.openSpare();
        break;
      case 'caller_item_added':
        // A turn spoken over an answer still playing (a barge-in) is not held: that answer's tail
        // must reach the call, and a switch it decides is made at the next boundary.
        if (this.windowOpen && e.audio && this.answering === undefined) this.holding = true;
        break;
      case 'caller_transcript':
        this.sink(e, session);
        void this.classify(e.transcript);
        return;
      default:
        break;
    }
    if (this.holding && HELD.has(e.type)) {
      this.held.push([e, session]);
      if (e.type === 'audio_delta' && this.heldAudioAtMs === undefined) {
        this.heldAudioAtMs = performance.now();
        this.holdTimer = setTimeout(() => this.release(), this.options.maxHoldMs);
        this.holdTimer.unref();
      }
      return;
    }
    this.pass(e, session);
  }

  /** To the call, noting whether an answer is under way. */
  private pass(e: ModelEvent, session: ModelSession | undefined): void {
    if (e.type === 'response_created') this.answering = e.responseId ?? '';
    else if (e.type === 'response_done') this.answering = undefined;
    this.sink(e, session);
  }

  /**
   * The call is quiet (nobody talking, nothing playing, no tool running): the turn boundary where a
   * switch decided after its turn's answer had started is made. The new session answers the next turn.
   */
  onQuiet(): void {
    if (!this.atBoundary || this.host.ended() || this.settle) return;
    // Quiet between a tool's end and the answer that follows it is not a boundary: it must last.
    this.settle = setTimeout(() => {
      this.settle = undefined;
      const pending = this.atBoundary;
      if (!pending || this.host.ended()) return;
      this.atBoundary = undefined;
      void this.switchTo(pending.language, pending.cause, false);
    }, this.options.boundarySettleMs);
    this.settle.unref();
  }

  private unsettle(): void {
    if (this.settle) clearTimeout(this.settle);
    this.settle = undefined;
  }

  /** A caller asked (`switch_language`): `wanted` is a tag, a base code or an English name. */
  async request(wanted: string): Promise<LanguageSwitchOutcome> {
    const language = this.resolve(wanted);
    if (language === undefined) return { switched: false, language: this.current, reason: 'unsupported' };
    if (language === this.current) return { switched: false, language, reason: 'already' };
    this.closeWindow();
    // The agent is mid-answer (this is its tool call): the new session answers once cut over.
    await this.switchTo(language, 'asked', true);
    return this.current === language ? { switched: true, language } : { switched: false, language: this.current, reason: 'failed' };
  }

  /** The call ended: nothing more is held, the spare goes. */
  close(): void {
    this.atBoundary = undefined;
    this.unsettle();
    this.closeWindow();
  }

  private resolve(wanted: string): string | undefined {
    const text = wanted.trim();
    const supported = this.supported;
    const exact = supported.find((c) => c.toLowerCase() === text.toLowerCase());
    if (exact) return exact;
    if (/^[A-Za-z]{2}$/.test(text)) return matchSupportedLanguage(text, supported, this.current);
    const names = new Intl.DisplayNames(['en'], { type: 'language' });
    const byName = supported.find((c) => {
      const name = names.of(c)?.toLowerCase() ?? '';
      const base = names.of(c.split('-')[0]!)?.toLowerCase() ?? '';
      return name === text.toLowerCase() || base === text.toLowerCase();
    });
    return byName;
  }

  private openSpare(): void {
    if (this.spare || this.host.ended() || this.host.supervisor.session?.switchesInPlace) return;
    const spare = this.host.supervisor.openSpare(this.configFor(this.current));
    spare.catch((err: unknown) => {
      this.host.log.warn('spare model session for a language switch failed', { err: describeError(err) });
      if (this.spare === spare) this.spare = undefined;
    });
    this.spare = spare;
  }

  private async classify(transcript: string): Promise<void> {
    this.turnsTried++;
    let decision;
    try {
      decision = await detectTurnLanguage(transcript, this.supported, this.current);
    } catch (err) {
      this.host.log.warn('language detection failed', { err: describeError(err) });
      this.release();
      return;
    }
    if (this.host.ended()) return;
    if (decision.decided) {
      if (this.holding) {
        this.windowOpen = false;
        await this.switchTo(decision.language, 'detected', true);
      } else if (this.candidate === decision.language) {
        // Past the first turns a switch needs two turns in a row in the new language (no flapping on an "OK, thanks").
        this.candidate = undefined;
        this.atBoundary = { language: decision.language, cause: 'detected' };
      } else {
        this.candidate = decision.language;
      }
      return;
    }
    this.candidate = undefined;
    this.release();
    if (decision.reason === 'same') {
      this.host.record({ language: { current: this.current, initial: this.vertical.manifest.languages.default, detected: decision.detected, switches: this.switches } });
    }
    if (decision.reason === 'same' || this.turnsTried >= this.options.maxTurns) this.closeWindow();
  }

  /** The held answer plays after all. */
  private release(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.heldAudioAtMs = undefined;
    this.holding = false;
    const held = this.held;
    this.held = [];
    for (const [e, s] of held) this.pass(e, s);
  }

  /** The held answer is dropped; tool outcomes in it still count. */
  private discard(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.heldAudioAtMs = undefined;
    this.holding = false;
    this.held = [];
  }

  /** Later turns are still classified, but their answers no longer wait and no spare stands by. */
  private closeWindow(): void {
    this.windowOpen = false;
    this.release();
    const spare = this.spare;
    this.spare = undefined;
    spare?.then((s) => s.close(), () => undefined);
  }

  private async switchTo(language: string, cause: string, respond: boolean): Promise<void> {
    const from = this.current;
    const startedAt = performance.now();
    const config = this.configFor(language);
    const current = this.host.supervisor.session;
    if (current?.switchesInPlace) {
      if (!(await this.switchInPlace(current, config, language))) return;
      this.switched(from, language, cause, startedAt);
      if (respond) current.respond();
      return;
    }
    const pending = this.spare ?? this.host.supervisor.openSpare(config);
    this.spare = undefined;
    let spare: ModelSession;
    try {
      spare = await pending;
      if (spare.currentAgent !== this.host.currentAgent()) {
        // A handoff happened after the spare opened: a fresh one starts with the agent now talking.
        spare.close();
        spare = await this.host.supervisor.openSpare(config);
      }
      await spare.update({ voice: config.voice, template: config.template, ...(config.overlay ? { overlay: config.overlay } : {}) });
    } catch (err) {
      // The answer held for this turn plays after all: the caller is answered in the old language.
      this.host.log.warn('language switch failed; the call keeps its language', { err: describeError(err), toLanguage: language });
      this.release();
      return;
    }
    if (this.host.ended()) {
      spare.close();
      return;
    }
    this.discard();
    this.host.dropAnswer();
    this.host.supervisor.cutOver(spare, config, [], respond);
    this.switched(from, language, cause, startedAt);
  }

  /**
   * The cascade engine switches on its own session: the held answer is dropped, the transcriber
   * is pinned to the language, the voice and instructions change; later sessions (a failover)
   * open in it too. False when the session could not switch (the held answer then plays).
   */
  private async switchInPlace(session: ModelSession, config: SessionConfig, language: string): Promise<boolean> {
    try {
      await session.update({ template: config.template, ...(config.voice ? { voice: config.voice } : {}), overlay: config.overlay ?? '' });
    } catch (err) {
      // The answer held for this turn plays after all: the caller is answered in the old language.
      this.host.log.warn('language switch failed; the call keeps its language', { err: describeError(err), toLanguage: language });
      this.release();
      return false;
    }
    if (this.host.ended()) return false;
    this.discard();
    this.host.dropAnswer();
    session.cancelResponse('request');
    this.host.supervisor.setSessionConfig(config);
    return true;
  }

  private switched(from: string, language: string, cause: string, startedAt: number): void {
    this.current = language;
    const switchMs = Math.round(performance.now() - startedAt);
    this.host.telemetry.languageSwitch(from, language);
    this.host.latency(switchMs);
    this.switches.push({ from, to: language, cause, atMs: this.host.offsetMs(), switchMs });
    this.host.record({ language: { current: language, initial: this.vertical.manifest.languages.default, switches: this.switches } });
    this.host.log.info("language switched", { fromLanguage: from, toLanguage: language, cause, switchMs });
  }
}
