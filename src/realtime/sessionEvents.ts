/**
 * What the model says and does, turned into playback, barge-in, records and latency samples.
 * The transport hands us every server event before the SDK sees it; the SDK session tells us
 * about tools and handoffs.
 */
import { idempotencyKeyFor } from '../toolkit/index.js';
import type { CallSession } from './callSession.js';
import { edgeStats } from './edgeStats.js';
import { REPLAY_ITEM_PREFIX, type ModelLink } from './modelLink.js';
import { cutToHeard } from './records.js';
import { LOCAL_ITEM_PREFIX } from './localVoice.js';
import type { AudioDelta, ServerEvent } from './wire.js';

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
  startedMs: number;
}


type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

function transcriptOf(item: Obj | undefined): string | undefined {
  const content = item?.content;
  if (!Array.isArray(content)) return undefined;
  const parts = content.map((c) => str(obj(c)?.transcript) ?? str(obj(c)?.text) ?? '').filter((t) => t !== '');
  return parts.length ? parts.join(' ') : undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export class SessionEvents {
  activeResponseId: string | undefined;
  callerSpeaking = false;
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

  constructor(private readonly call: CallSession) {}

  /** Subscribes to the SDK session of a new link. */
  attachSession(link: ModelLink): void {
    const call = this.call;
    link.session.on('agent_handoff', (_ctx, from, to) => {
      if (call.link !== link && call.link !== undefined) return;
      call.currentAgent = to as typeof call.currentAgent;
      call.rec.handoff(from.name, to.name, call.offsetMs());
      call.log.info('handoff', { from: from.name, to: to.name });
    });
    link.session.on('agent_tool_start', (_ctx, _agent, _tool, details) => {
      const id = (details.toolCall as { callId?: string }).callId;
      if (id) this.toolStarts.set(id, performance.now());
      call.busy();
    });
    link.session.on('agent_tool_end', (_ctx, _agent, tool, result, details) => {
      const id = (details.toolCall as { callId?: string }).callId;
      const started = id ? this.toolStarts.get(id) : undefined;
      if (id) this.toolStarts.delete(id);
      if (started !== undefined) call.rec.latency('tool.duration', performance.now() - started, this.turn);
      call.replayLog.push({ role: 'system', text: `Earlier in this call the tool ${tool.name} returned: ${result.slice(0, 600)}` });
      call.maybeQuiet();
    });
    link.session.on('error', (e) => {
      const err = e.error as { message?: string; type?: string } | undefined;
      call.log.debug('realtime session error', { err: err?.type ?? err?.message?.slice(0, 120) });
    });
  }

  streamStarted(): void {
    this.streamStartAt = performance.now();
  }

  // ---- audio -----------------------------------------------------------------------------

  onAudioDelta(link: ModelLink, d: AudioDelta, receivedAt: number): void {
    edgeStats.deltasIn++;
    const call = this.call;
    const path = call.audio;
    if (path === undefined) return;
    const item = this.items.get(d.itemId) ?? this.openAssistant(d.itemId, d.responseId);
    item.receivedMs += path.deltaMs(d.delta);
    if (this.dropped.has(d.responseId) || call.ended) {
      edgeStats.deltasDropped++;
      return;
    }
    if (this.awaitingDelta && this.turnEndAt !== undefined) {
      this.awaitingDelta = false;
      call.rec.latency('model.first_delta', receivedAt - this.turnEndAt, this.turn);
    }
    const before = call.playback.framesSent;
    call.batchCarrier(() => path.toCarrier(d.delta, d.itemId, d.responseId, d.contentIndex, call.playback));
    const sent = call.playback.framesSent - before;
    if (sent > 0) {
      edgeStats.framesOut += sent;
      edgeStats.outboundMs.add(performance.now() - receivedAt);
    }
    void link;
  }

  onFirstFrame(_itemId: string): void {
    const now = performance.now();
    if (this.awaitingFrame && this.turnEndAt !== undefined) {
      this.awaitingFrame = false;
      this.call.rec.latency('turn.speech_end_to_first_audio', now - this.turnEndAt, this.turn);
    }
    if (this.streamStartAt !== undefined && this.turn === 0) {
      // The greeting: how long the caller waited after the stream opened (0 when it was ready).
      this.call.rec.latency('greeting.stream_start_to_first_audio', Math.max(0, now - this.streamStartAt), 0);
      this.streamStartAt = undefined;
    }
  }

  onItemPlayed(itemId: string, _playedMs: number): void {
    const item = this.items.get(itemId);
    if (!item) return;
    item.played = true;
    this.maybeComplete(item);
  }

  /**
   * The caller started speaking: `clear` goes to the carrier first, then the items being played
   * are truncated where playback stopped (acknowledged marks), the response is cancelled when
   * the server will not do it, and nothing more of it reaches the caller.
   */
  bargeIn(link: ModelLink, receivedAt: number): void {
    const call = this.call;
    const cut = call.playback.clear();
    const clearMs = performance.now() - receivedAt;
    edgeStats.clears++;
    edgeStats.clearMs.add(clearMs);
    call.rec.latency('bargein.speech_started_to_clear', clearMs, this.turn);
    for (const c of cut) {
      call.itemCut(c.itemId);
      if (c.itemId.startsWith(LOCAL_ITEM_PREFIX)) continue;
      this.dropped.add(c.responseId);
      const item = this.items.get(c.itemId);
      const audioMs = item?.receivedMs ?? c.sentMs;
      const heard = Math.min(c.heardMs, audioMs);
      if (audioMs > 0) link.truncate(c.itemId, c.contentIndex, heard);
      if (item) {
        item.heardMs = heard;
        item.played = true;
        this.maybeComplete(item);
      }
    }
    const active = this.activeResponseId;
    if (active !== undefined) {
      this.dropped.add(active);
      if (!link.interruptResponse) link.cancelResponse();
    }
  }

  // ---- server events ---------------------------------------------------------------------

  /** Returns true to keep the event from the SDK. */
  onServerEvent(link: ModelLink, e: ServerEvent, receivedAt: number): boolean {
    const call = this.call;
    switch (e.type) {
      case 'input_audio_buffer.speech_started':
        this.bargeIn(link, receivedAt);
        this.callerSpeaking = true;
        this.speechStartedMs = call.offsetMs();
        call.callerSpoke();
        return false;
      case 'input_audio_buffer.speech_stopped':
        this.callerSpeaking = false;
        this.speechStoppedMs = call.offsetMs();
        this.turn++;
        this.turnEndAt = receivedAt;
        this.awaitingDelta = true;
        this.awaitingFrame = true;
        call.maybeQuiet();
        return false;
      case 'conversation.item.added':
        this.onItemAdded(obj(e.item));
        return false;
      case 'conversation.item.input_audio_transcription.completed': {
        const key = `u:${str(e.item_id) ?? ''}`;
        const text = str(e.transcript) ?? '';
        if (text.trim()) call.replayLog.push({ role: 'caller', text });
        call.rec.completeItem(key, { text, endedMs: this.speechStoppedMs ?? call.offsetMs() });
        return false;
      }
      case 'response.created': {
        const id = str(obj(e.response)?.id);
        if (id) {
          this.activeResponseId = id;
          call.claimSpeakResponse(id);
        }
        call.busy();
        return false;
      }
      case 'response.output_item.added': {
        const item = obj(e.item);
        const id = str(item?.id);
        if (id && item?.type === 'message' && item.role === 'assistant' && !this.items.has(id)) {
          this.openAssistant(id, str(e.response_id) ?? '');
        }
        return false;
      }
      case 'response.output_audio.done': {
        const itemId = str(e.item_id);
        const responseId = str(e.response_id) ?? '';
        if (itemId && !this.dropped.has(responseId) && !call.ended) call.playback.endItem(itemId);
        return false;
      }
      case 'response.output_audio_transcript.done': {
        const item = this.items.get(str(e.item_id) ?? '');
        const t = str(e.transcript);
        if (item && t !== undefined) item.transcript = t;
        return false;
      }
      case 'response.output_item.done':
        return this.onOutputItemDone(link, e);
      case 'response.done': {
        const id = str(obj(e.response)?.id);
        if (id) {
          if (this.activeResponseId === id) this.activeResponseId = undefined;
          this.dropped.delete(id);
          call.speakResponseDone(id);
        } else {
          this.activeResponseId = undefined;
        }
        call.maybeQuiet();
        return false;
      }
      case 'error': {
        const err = obj(e.error);
        call.log.debug('model error event', { code: str(err?.code), type: str(err?.type) });
        return false;
      }
      default:
        return false;
    }
  }

  private onItemAdded(item: Obj | undefined): void {
    const id = str(item?.id);
    if (!id || item?.type !== 'message' || item.role !== 'user' || id.startsWith(REPLAY_ITEM_PREFIX)) return;
    const call = this.call;
    const key = `u:${id}`;
    if (call.rec.hasItem(key)) return;
    const typed = transcriptOf(item);
    const isAudio = Array.isArray(item.content) && item.content.some((c) => obj(c)?.type === 'input_audio');
    call.rec.openItem(key, { role: 'caller', itemId: id, startedMs: isAudio ? this.speechStartedMs ?? call.offsetMs() : call.offsetMs() });
    if (!isAudio && typed !== undefined) {
      call.replayLog.push({ role: 'caller', text: typed });
      call.rec.completeItem(key, { text: typed, endedMs: call.offsetMs() });
    }
  }

  private onOutputItemDone(link: ModelLink, e: ServerEvent): boolean {
    const call = this.call;
    const item = obj(e.item);
    const id = str(item?.id);
    if (!item || !id) return false;
    if (item.type === 'message' && item.role === 'assistant') {
      const a = this.items.get(id) ?? this.openAssistant(id, str(e.response_id) ?? '');
      const t = transcriptOf(item);
      if (t !== undefined) a.transcript = t;
      a.generated = true;
      if (a.receivedMs === 0) a.played = true;
      this.maybeComplete(a);
      return false;
    }
    if (item.type === 'function_call' && item.status === 'completed') {
      const name = str(item.name) ?? '';
      const args = str(item.arguments) ?? '';
      if (name.startsWith('transfer_to_') || args.trim() === '' || isJson(args)) return false;
      // The SDK drops a call whose arguments are not JSON without answering it; the model
      // would wait forever. Answer it and record the invocation.
      const callId = str(item.call_id) ?? id;
      const message = 'invalid arguments: not valid JSON';
      link.answerFunctionCall(callId, message);
      const key = idempotencyKeyFor(call.env.callId, callId);
      const recorder = call.env.recorder;
      void recorder
        .begin({ callId: call.env.callId, toolCallId: callId, toolName: name, agent: call.currentAgent.name, idempotencyKey: key, arguments: { raw: args.slice(0, 2000) } })
        .then(() => recorder.finish(key, { status: 'invalid_arguments', errorCode: 'INVALID_ARGUMENTS', durationMs: 0, result: { error: 'INVALID_ARGUMENTS', message } }))
        .catch((err: unknown) => call.log.error('could not record an invalid tool call', { err: err as Error }));
      call.log.warn('tool call with unparsable arguments answered', { tool: name });
      return true;
    }
    return false;
  }

  private openAssistant(itemId: string, responseId: string): AssistantItem {
    const call = this.call;
    const item: AssistantItem = {
      key: `a:${itemId}`, itemId, responseId, receivedMs: 0, transcript: '', generated: false, played: false,
      heardMs: undefined, startedMs: call.offsetMs(),
    };
    this.items.set(itemId, item);
    call.rec.openItem(item.key, { role: 'assistant', agent: call.currentAgent.name, itemId, startedMs: item.startedMs });
    return item;
  }

  /** An assistant item is written once it is both fully generated and played (or cut). */
  private maybeComplete(item: AssistantItem, force = false): void {
    if (!force && !(item.generated && item.played)) return;
    const call = this.call;
    const interrupted = item.heardMs !== undefined && item.heardMs < item.receivedMs;
    const text = interrupted ? cutToHeard(item.transcript, item.heardMs!, item.receivedMs) : item.transcript;
    const heard = item.heardMs ?? item.receivedMs;
    if (text.trim()) call.replayLog.push({ role: 'assistant', text });
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
    this.activeResponseId = undefined;
    this.callerSpeaking = false;
    this.dropped.clear();
  }

  /** The call ended: items still open are written as far as they got. */
  callEnded(): void {
    for (const item of [...this.items.values()]) {
      if (!item.played) {
        const heard = this.call.playback.heardMs(item.itemId);
        if (heard !== undefined) item.heardMs = Math.min(heard, item.receivedMs);
      }
      this.maybeComplete(item, true);
    }
  }
}
