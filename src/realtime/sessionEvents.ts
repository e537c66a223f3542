/**
 * What the model says and does, turned into playback, barge-in, records and latency samples.
 * Its input is the model session's typed events; it reaches the call only through `CallPort`.
 */
import type { AudioDeltaEvent, CascadeStage, ModelEvent, ModelSession } from '../engines/index.js';
import { STAGE } from '../observability/index.js';
import { idempotencyKeyFor } from '../toolkit/index.js';
import type { CallPort } from './callPort.js';
import { edgeStats } from './edgeStats.js';
import { LOCAL_ITEM_PREFIX } from './localVoice.js';
import { cutToHeard } from './records.js';

interface AssistantItem {
  key: string;
  itemId: string;
  responseId: string;
  receivedMs: number;
  transcript: string;
  generated: boolean;
  played: boolean;
  /** Set when a barge-in cut the item: what the caller heard. */
  heardMs: number | undefined;
  /** The engine cut the transcript to what was heard itself (from alignment): it is not cut again. */
  heardText?: boolean;
  startedMs: number;
}

const CASCADE_STAGES: Record<CascadeStage, string> = {
  text_request: STAGE.textRequest, first_text_token: STAGE.firstTextToken, first_tts_audio: STAGE.firstTtsAudio,
};

export class SessionEvents {
  private activeResponse: string | undefined;
  private speaking = false;
  private readonly dropped = new Set<string>();
  private readonly items = new Map<string, AssistantItem>();
  private turn = 0;
  private turnEndAt: number | undefined;
  private awaitingDelta = false;
  private awaitingFrame = false;
  private speechStartedMs: number | undefined;
  private speechStoppedMs: number | undefined;
  private streamStartAt: number | undefined;
  private readonly toolStarts = new Map<string, number>();
  /** Telemetry stage marks (`performance.now()`): speech start, first frame out; whether the turn's transcript came. */
  private speechStartAt: number | undefined;
  private firstFrameAt: number | undefined;
  private transcribed = true;
  /** When the caller's last typed turn (chat, text in a call, DTMF) reached the model, until its answer starts. */
  private typedAt: number | undefined;
  /** Typed turns recorded when sent, not yet seen back in the conversation (their echo is not recorded twice). */
  private readonly typedPending: string[] = [];
  private typedCount = 0;

  constructor(private readonly call: CallPort) {}

  /**
   * Caller text was sent to the model. It is recorded now, not when the conversation echoes it:
   * a caller who presses digits and hangs up at once still has them in the record.
   */
  typedSent(text: string): void {
    const call = this.call;
    const key = `t:${++this.typedCount}`;
    this.turn++;
    this.typedAt = performance.now();
    this.typedPending.push(text);
    const at = call.offsetMs();
    call.rec.openItem(key, { role: 'caller', startedMs: at });
    call.remember({ role: 'caller', text });
    call.rec.completeItem(key, { text, endedMs: at });
  }

  /** The response the model is generating now, if any. */
  get activeResponseId(): string | undefined {
    return this.activeResponse;
  }

  get callerSpeaking(): boolean {
    return this.speaking;
  }

  streamStarted(): void {
    this.streamStartAt = performance.now();
  }

  /** One model event; `model` is the session it came from when that is the current one. */
  onModelEvent(e: ModelEvent, model: ModelSession | undefined): void {
    const call = this.call;
    switch (e.type) {
      case 'audio_delta':
        return this.onAudioDelta(e);
      case 'speech_started':
        if (model) this.bargeIn(model, e.receivedAtMs);
        this.speaking = true;
        this.speechStartedMs = call.offsetMs();
        this.speechStartAt = e.receivedAtMs;
        this.firstFrameAt = undefined;
        call.telemetry.turnStarted(e.receivedAtMs);
        call.callerSpoke();
        return;
      case 'speech_stopped':
        this.speaking = false;
        this.speechStoppedMs = call.offsetMs();
        this.turn++;
        this.turnEndAt = e.receivedAtMs;
        this.awaitingDelta = true;
        this.awaitingFrame = true;
        this.transcribed = false;
        if (this.speechStartAt !== undefined) call.rec.latency(STAGE.callerSpeech, e.receivedAtMs - this.speechStartAt, this.turn);
        call.maybeQuiet();
        return;
      case 'interrupt_requested':
        if (model) this.bargeIn(model, performance.now());
        return;
      case 'caller_item_added':
        return this.onCallerItem(e.itemId, e.audio, e.text);
      case 'caller_transcript': {
        const text = e.transcript;
        if (!this.transcribed && this.turnEndAt !== undefined) {
          this.transcribed = true;
          call.rec.latency(STAGE.transcription, performance.now() - this.turnEndAt, this.turn);
        }
        if (text.trim()) call.remember({ role: 'caller', text });
        call.rec.completeItem(`u:${e.itemId}`, { text, endedMs: this.speechStoppedMs ?? call.offsetMs() });
        return;
      }
      case 'response_created':
        if (e.responseId !== undefined) {
          this.activeResponse = e.responseId;
          call.responseCreated(e.responseId);
        }
        call.busy();
        return;
      case 'assistant_item_added':
        if (!this.items.has(e.itemId)) this.openAssistant(e.itemId, e.responseId);
        return;
      case 'output_audio_done':
        if (!this.dropped.has(e.responseId) && !call.ended()) call.playback.endItem(e.itemId);
        return;
      case 'assistant_transcript_delta': {
        const item = this.items.get(e.itemId);
        if (item) item.transcript += e.delta;
        return;
      }
      case 'assistant_transcript_done': {
        const item = this.items.get(e.itemId);
        if (item) {
          item.transcript = e.transcript;
          if (e.heard) item.heardText = true;
        }
        return;
      }
      case 'caller_transcript_partial':
        call.rec.updateItem(`u:${e.itemId}`, { text: e.text });
        return;
      case 'stage_reached':
        if (this.turnEndAt !== undefined) call.rec.latency(CASCADE_STAGES[e.stage], e.receivedAtMs - this.turnEndAt, this.turn);
        return;
      case 'assistant_item_done': {
        const a = this.items.get(e.itemId) ?? this.openAssistant(e.itemId, e.responseId);
        // A written answer (chat) is whole when it is done; a spoken one starts at its first frame.
        if (a.receivedMs === 0) this.typedAnswered(performance.now());
        if (e.transcript !== undefined) a.transcript = e.transcript;
        a.generated = true;
        if (a.receivedMs === 0) a.played = true;
        this.maybeComplete(a);
        return;
      }
      case 'response_done':
        if (e.usage) call.telemetry.usage(e.usage);
        if (e.responseId !== undefined) {
          if (this.activeResponse === e.responseId) this.activeResponse = undefined;
          this.dropped.delete(e.responseId);
          call.responseDone(e.responseId);
        } else {
          this.activeResponse = undefined;
        }
        call.maybeQuiet();
        return;
      case 'function_call_invalid':
        return this.recordInvalidCall(e.name, e.callId, e.arguments, e.answer);
      case 'handoff':
        call.setAgent(e.to);
        call.rec.handoff(e.from, e.to, call.offsetMs());
        call.log.info('handoff', { from: e.from, to: e.to });
        return;
      case 'tool_start':
        if (e.callId) this.toolStarts.set(e.callId, performance.now());
        call.busy();
        return;
      case 'tool_end': {
        const started = e.callId ? this.toolStarts.get(e.callId) : undefined;
        if (e.callId) this.toolStarts.delete(e.callId);
        if (started !== undefined) call.rec.latency('tool.duration', performance.now() - started, this.turn);
        call.remember({ role: 'system', text: `Earlier in this call the tool ${e.name} returned: ${e.result.slice(0, 600)}` });
        call.maybeQuiet();
        return;
      }
      case 'model_error':
        call.log.debug(e.origin === 'server' ? 'model error event' : 'realtime session error', { code: e.code, type: e.errorType });
        return;
      case 'socket_closed':
        return;
    }
  }

  // ---- audio -----------------------------------------------------------------------------

  private onAudioDelta(d: AudioDeltaEvent): void {
    edgeStats.deltaIn();
    const call = this.call;
    const path = call.audio();
    if (path === undefined) return;
    const item = this.items.get(d.itemId) ?? this.openAssistant(d.itemId, d.responseId);
    item.receivedMs += path.deltaMs(d.delta);
    if (this.dropped.has(d.responseId) || call.ended()) {
      edgeStats.deltaDropped();
      return;
    }
    if (this.awaitingDelta && this.turnEndAt !== undefined) {
      this.awaitingDelta = false;
      call.rec.latency('model.first_delta', d.receivedAtMs - this.turnEndAt, this.turn);
    }
    const playback = call.playback;
    const before = playback.framesSent;
    call.batchCarrier(() => path.toCarrier(d.delta, d.itemId, d.responseId, d.contentIndex, playback));
    const sent = playback.framesSent - before;
    if (sent > 0) edgeStats.framesOut(sent, performance.now() - d.receivedAtMs);
  }

  onFirstFrame(_itemId: string): void {
    const now = performance.now();
    this.typedAnswered(now);
    if (this.awaitingFrame && this.turnEndAt !== undefined) {
      this.awaitingFrame = false;
      this.firstFrameAt = now;
      this.call.rec.latency('turn.speech_end_to_first_audio', now - this.turnEndAt, this.turn);
    }
    if (this.streamStartAt !== undefined && this.turn === 0) {
      // The greeting: how long the caller waited after the stream opened (0 when it was ready).
      this.call.rec.latency('greeting.stream_start_to_first_audio', Math.max(0, now - this.streamStartAt), 0);
      this.streamStartAt = undefined;
    }
  }

  onItemPlayed(itemId: string, _playedMs: number): void {
    if (this.firstFrameAt !== undefined) {
      // The answer's last mark is back: the caller heard the turn's reply.
      this.call.rec.latency(STAGE.playback, performance.now() - this.firstFrameAt, this.turn);
      this.firstFrameAt = undefined;
    }
    const item = this.items.get(itemId);
    if (!item) return;
    item.played = true;
    this.maybeComplete(item);
  }

  /**
   * The caller started speaking: `clear` goes to the carrier first, then the items being played
   * are truncated where playback stopped (acknowledged marks), the response is cancelled when
   * the engine will not do it, and nothing more of it reaches the caller.
   */
  private bargeIn(model: ModelSession, receivedAtMs: number): void {
    const call = this.call;
    const cut = call.playback.clear();
    const clearMs = performance.now() - receivedAtMs;
    edgeStats.cleared(clearMs);
    call.rec.latency('bargein.speech_started_to_clear', clearMs, this.turn);
    for (const c of cut) {
      call.itemCut(c.itemId);
      if (c.itemId.startsWith(LOCAL_ITEM_PREFIX)) continue;
      this.dropped.add(c.responseId);
      const item = this.items.get(c.itemId);
      const audioMs = item?.receivedMs ?? c.sentMs;
      const heard = Math.min(c.heardMs, audioMs);
      if (audioMs > 0) model.truncate(c.itemId, c.contentIndex, heard);
      if (item) {
        item.heardMs = heard;
        item.played = true;
        this.maybeComplete(item);
      }
    }
    const active = this.activeResponse;
    if (active !== undefined) {
      this.dropped.add(active);
      model.cancelResponse('barge_in');
    }
  }

  // ---- records ---------------------------------------------------------------------------

  /** The answer to a typed turn began: its latency, one per turn (`turn.typed_to_answer`). */
  private typedAnswered(now: number): void {
    if (this.typedAt === undefined) return;
    this.call.rec.latency('turn.typed_to_answer', now - this.typedAt, this.turn);
    this.typedAt = undefined;
  }

  private onCallerItem(id: string, audio: boolean, typed: string | undefined): void {
    const call = this.call;
    const key = `u:${id}`;
    if (call.rec.hasItem(key)) return;
    const sent = !audio && typed !== undefined ? this.typedPending.indexOf(typed) : -1;
    if (sent >= 0) {
      // Anything sent before it that never came back was lost with a dropped session.
      this.typedPending.splice(0, sent + 1);
      return;
    }
    if (!audio) {
      this.turn++;
      this.typedAt = performance.now();
    }
    call.rec.openItem(key, { role: 'caller', itemId: id, startedMs: audio ? this.speechStartedMs ?? call.offsetMs() : call.offsetMs() });
    if (!audio && typed !== undefined) {
      call.remember({ role: 'caller', text: typed });
      call.rec.completeItem(key, { text: typed, endedMs: call.offsetMs() });
    }
  }

  /** The engine answered a tool call whose arguments were not JSON; the invocation is recorded. */
  private recordInvalidCall(name: string, callId: string, args: string, message: string): void {
    const call = this.call;
    const key = idempotencyKeyFor(call.callId, callId);
    const recorder = call.toolRecorder;
    void recorder
      .begin({ callId: call.callId, toolCallId: callId, toolName: name, agent: call.currentAgent(), idempotencyKey: key, arguments: { raw: args.slice(0, 2000) } })
      .then(() => recorder.finish(key, { status: 'invalid_arguments', errorCode: 'INVALID_ARGUMENTS', durationMs: 0, result: { error: 'INVALID_ARGUMENTS', message } }))
      .catch((err: unknown) => call.log.error('could not record an invalid tool call', { err: err as Error }));
    call.log.warn('tool call with unparsable arguments answered', { tool: name });
  }

  private openAssistant(itemId: string, responseId: string): AssistantItem {
    const call = this.call;
    const item: AssistantItem = {
      key: `a:${itemId}`, itemId, responseId, receivedMs: 0, transcript: '', generated: false, played: false,
      heardMs: undefined, startedMs: call.offsetMs(),
    };
    this.items.set(itemId, item);
    call.rec.openItem(item.key, { role: 'assistant', agent: call.currentAgent(), itemId, startedMs: item.startedMs });
    return item;
  }

  /**
   * An assistant item is written once it is both fully generated and played (or cut). Forced
   * (the call or the connection ended), an item still generating is written as far as it got:
   * the words so far (transcript deltas) cut to what was heard, and interrupted.
   */
  private maybeComplete(item: AssistantItem, force = false): void {
    if (!force && !(item.generated && item.played)) return;
    const call = this.call;
    const cut = item.heardMs !== undefined && item.heardMs < item.receivedMs;
    const interrupted = cut || (force && !item.generated);
    const text = cut && !item.heardText ? cutToHeard(item.transcript, item.heardMs!, item.receivedMs) : item.transcript;
    const heard = item.heardMs ?? item.receivedMs;
    if (text.trim()) call.remember({ role: 'assistant', text });
    call.rec.completeItem(item.key, { text, interrupted, endedMs: item.startedMs + heard });
    this.items.delete(item.itemId);
  }

  /** The model connection died: what it was saying is gone (cut where the caller is). */
  connectionLost(): void {
    const cut = this.call.playback.clear();
    for (const c of cut) {
      this.call.itemCut(c.itemId);
      const item = this.items.get(c.itemId);
      if (item) {
        item.heardMs = Math.min(c.heardMs, item.receivedMs);
        item.played = true;
      }
    }
    for (const item of [...this.items.values()]) this.maybeComplete(item, true);
    this.activeResponse = undefined;
    this.speaking = false;
    this.dropped.clear();
  }

  /**
   * The call ended: items still open are written as far as they got. An item the playback no
   * longer tracks and never finished playing (its audio dropped, or held and never sent) was not heard.
   */
  callEnded(): void {
    for (const item of [...this.items.values()]) {
      if (!item.played) item.heardMs = Math.min(this.call.playback.heardMs(item.itemId) ?? 0, item.receivedMs);
      this.maybeComplete(item, true);
    }
  }
}
