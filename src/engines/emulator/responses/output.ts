/**
 * One Responses API response built from a brain reply: the `Response` object (as the service
 * returns it non-streaming and inside `response.created` / `response.completed`) and the
 * streamed events in the service's order, each with its `sequence_number`.
 */
import { newWireId } from '../ids.js';
import type { BrainReply } from '../brain/types.js';
import type { FunctionToolParam, ResponsesRequest } from './request.js';

export type OutputItem =
  | { id: string; type: 'message'; status: 'in_progress' | 'completed'; role: 'assistant'; content: OutputText[] }
  | { id: string; type: 'function_call'; status: 'in_progress' | 'completed'; arguments: string; call_id: string; name: string };

interface OutputText {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface StreamEvent {
  type: string;
  sequence_number: number;
  [key: string]: unknown;
}

/** Words per `response.output_text.delta` (the service streams a token or a few at a time). */
const WORDS_PER_DELTA = 2;
/** Characters per `response.function_call_arguments.delta`. */
const ARGS_PER_DELTA = 24;

function echoTool(t: ResponsesRequest['tools'] extends (infer T)[] | undefined ? T : never): unknown {
  if (t.type !== 'function') return t;
  const f = t as FunctionToolParam;
  return { ...f, description: f.description ?? null, parameters: f.parameters ?? null, strict: f.strict ?? true };
}

export class ResponseBuilder {
  readonly id = newWireId('resp');
  private readonly createdAt = Math.floor(Date.now() / 1000);
  private seq = 0;
  readonly output: OutputItem[] = [];

  constructor(private readonly request: ResponsesRequest, private readonly inputChars: number) {}

  /** The response resource with the given status and output. */
  resource(status: 'in_progress' | 'completed', output: readonly OutputItem[] = []): Record<string, unknown> {
    const r = this.request;
    const outputTokens = Math.ceil(output.reduce((n, i) => n + (i.type === 'message' ? i.content[0]?.text.length ?? 0 : i.arguments.length + i.name.length), 0) / 4);
    const inputTokens = Math.ceil(this.inputChars / 4) + 20;
    return {
      id: this.id,
      object: 'response',
      created_at: this.createdAt,
      status,
      background: r.background ?? false,
      error: null,
      incomplete_details: null,
      instructions: r.instructions ?? null,
      max_output_tokens: r.max_output_tokens ?? null,
      max_tool_calls: r.max_tool_calls ?? null,
      model: r.model,
      output,
      parallel_tool_calls: r.parallel_tool_calls ?? true,
      previous_response_id: r.previous_response_id ?? null,
      prompt_cache_key: r.prompt_cache_key ?? null,
      reasoning: { effort: null, summary: null },
      safety_identifier: r.safety_identifier ?? null,
      service_tier: 'default',
      store: r.store ?? true,
      temperature: r.temperature ?? 1,
      text: r.text ?? { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: r.tool_choice ?? 'auto',
      tools: (r.tools ?? []).map(echoTool),
      top_logprobs: r.top_logprobs ?? 0,
      top_p: r.top_p ?? 1,
      truncation: r.truncation ?? 'disabled',
      usage: status === 'completed'
        ? {
          input_tokens: inputTokens, input_tokens_details: { cached_tokens: 0 },
          output_tokens: outputTokens, output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: inputTokens + outputTokens,
        }
        : null,
      user: r.user ?? null,
      metadata: r.metadata ?? {},
    };
  }

  private event(type: string, fields: Record<string, unknown>): StreamEvent {
    return { type, sequence_number: this.seq++, ...fields };
  }

  /** Plays the reply: every streamed event in order (the last is `response.completed`). */
  events(reply: BrainReply): StreamEvent[] {
    const out: StreamEvent[] = [];
    out.push(this.event('response.created', { response: this.resource('in_progress') }));
    out.push(this.event('response.in_progress', { response: this.resource('in_progress') }));
    const say = reply.say?.trim();
    if (say) out.push(...this.message(say));
    if (reply.toolCall) out.push(...this.functionCall(reply.toolCall.name, reply.toolCall.arguments));
    out.push(this.event('response.completed', { response: this.resource('completed', this.output) }));
    return out;
  }

  private message(text: string): StreamEvent[] {
    const outputIndex = this.output.length;
    const id = newWireId('msg');
    const at = { item_id: id, output_index: outputIndex, content_index: 0 };
    const out = [
      this.event('response.output_item.added', { output_index: outputIndex, item: { id, type: 'message', status: 'in_progress', content: [], role: 'assistant' } }),
      this.event('response.content_part.added', { ...at, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } }),
    ];
    const words = text.split(/(?<= )/);
    for (let i = 0; i < words.length; i += WORDS_PER_DELTA) {
      out.push(this.event('response.output_text.delta', { ...at, delta: words.slice(i, i + WORDS_PER_DELTA).join(''), logprobs: [] }));
    }
    const part: OutputText = { type: 'output_text', annotations: [], logprobs: [], text };
    out.push(this.event('response.output_text.done', { ...at, text, logprobs: [] }));
    out.push(this.event('response.content_part.done', { ...at, part }));
    const item: OutputItem = { id, type: 'message', status: 'completed', role: 'assistant', content: [part] };
    this.output.push(item);
    out.push(this.event('response.output_item.done', { output_index: outputIndex, item }));
    return out;
  }

  private functionCall(name: string, args: string): StreamEvent[] {
    const outputIndex = this.output.length;
    const id = newWireId('fc');
    const callId = newWireId('call');
    const out = [
      this.event('response.output_item.added', { output_index: outputIndex, item: { id, type: 'function_call', status: 'in_progress', arguments: '', call_id: callId, name } }),
    ];
    for (let i = 0; i < args.length; i += ARGS_PER_DELTA) {
      out.push(this.event('response.function_call_arguments.delta', { item_id: id, output_index: outputIndex, delta: args.slice(i, i + ARGS_PER_DELTA) }));
    }
    out.push(this.event('response.function_call_arguments.done', { item_id: id, output_index: outputIndex, name, arguments: args }));
    const item: OutputItem = { id, type: 'function_call', status: 'completed', arguments: args, call_id: callId, name };
    this.output.push(item);
    out.push(this.event('response.output_item.done', { output_index: outputIndex, item }));
    return out;
  }
}
