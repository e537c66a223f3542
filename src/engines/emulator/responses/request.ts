/**
 * A `POST /v1/responses` body as the `openai` client (v7) and the Agents SDK send it, parsed at
 * the edge. A bad body becomes the service's own error: status 400 and
 * `{ error: { message, type: "invalid_request_error", param, code } }`, with messages worded
 * as the service words them, so a client's error handling meets what it meets in production.
 */
import { z } from 'zod';

export interface ApiError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}

export function apiError(status: number, message: string, param: string | null = null, code: string | null = null, type = 'invalid_request_error'): ApiError {
  return { status, body: { error: { message, type, param, code } } };
}

export const INVALID_JSON = apiError(400,
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)");

/** Text models the peer answers as (any dated snapshot too); others get `model_not_found`. */
const MODEL = /^(gpt-[0-9a-z.-]+|o[1-9](-[a-z0-9-]+)?|chatgpt-[a-z0-9.-]+|codex-[a-z0-9.-]+|computer-use-[a-z0-9.-]+)$/;

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const messageItem = z.looseObject({
  type: z.literal('message').optional(),
  id: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(contentPart)]),
  status: z.string().optional(),
});
const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  status: z.string().optional(),
});
const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  id: z.string().optional(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(contentPart)]),
});
/** Any other item type (reasoning, hosted tool calls, …) is kept as it came. */
const otherItem = z.looseObject({ type: z.string().refine((t) => !['message', 'function_call', 'function_call_output'].includes(t)) });

export const inputItemSchema = z.union([messageItem, functionCallItem, functionCallOutputItem, otherItem]);
export type InputItem = z.infer<typeof inputItemSchema>;
export type MessageInput = z.infer<typeof messageItem>;
export type FunctionCallInput = z.infer<typeof functionCallItem>;
export type FunctionCallOutputInput = z.infer<typeof functionCallOutputItem>;

const functionTool = z.looseObject({
  type: z.literal('function'),
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'"),
  description: z.string().nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});
const otherTool = z.looseObject({ type: z.string().refine((t) => t !== 'function') });
export type FunctionToolParam = z.infer<typeof functionTool>;

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string() }),
  z.looseObject({ type: z.string() }),
]);

/** Every top-level parameter of `ResponseCreateParams` (openai v7); others are unknown parameters. */
export const responsesRequestSchema = z.strictObject({
  model: z.string(),
  input: z.union([z.string(), z.array(inputItemSchema)]).optional(),
  instructions: z.string().nullable().optional(),
  tools: z.array(z.union([functionTool, otherTool])).optional(),
  tool_choice: toolChoice.optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.looseObject({}).nullable().optional(),
  previous_response_id: z.string().nullable().optional(),
  store: z.boolean().nullable().optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  max_output_tokens: z.number().int().min(16).nullable().optional(),
  max_tool_calls: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  text: z.looseObject({}).optional(),
  reasoning: z.looseObject({}).nullable().optional(),
  include: z.array(z.string()).nullable().optional(),
  user: z.string().optional(),
  safety_identifier: z.string().nullable().optional(),
  prompt_cache_key: z.string().nullable().optional(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullable().optional(),
  prompt_cache_options: z.looseObject({}).optional(),
  service_tier: z.string().nullable().optional(),
  background: z.boolean().nullable().optional(),
  conversation: z.union([z.string(), z.looseObject({})]).nullable().optional(),
  prompt: z.looseObject({}).nullable().optional(),
  context_management: z.array(z.looseObject({})).nullable().optional(),
  moderation: z.looseObject({}).nullable().optional(),
  access_programs: z.unknown().optional(),
  image: z.unknown().optional(),
});
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

function paramOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : typeof v;
}

/** Walks the body along a path (for "but got … instead"). */
function at(body: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = body;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

type Issue = z.core.$ZodIssue;

/** The leaf problem with the longest path, through nested unions. */
function deepestIssue(issue: Issue, prefix: readonly PropertyKey[]): { leaf: Issue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return { leaf: issue, path };
  let best: { leaf: Issue; path: PropertyKey[] } = { leaf: issue, path };
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const found = deepestIssue(inner, path);
      if (found.path.length > best.path.length) best = found;
    }
  }
  return best;
}

/** The body, or the error the service answers it with. */
export function parseResponsesRequest(body: unknown): { ok: true; request: ResponsesRequest } | { ok: false; error: ApiError } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, error: INVALID_JSON };
  const b = body as Record<string, unknown>;
  if (b.model === undefined) return { ok: false, error: apiError(400, "Missing required parameter: 'model'.", 'model', 'missing_required_parameter') };
  const parsed = responsesRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      return { ok: false, error: apiError(400, `Unknown parameter: '${key}'.`, key, 'unknown_parameter') };
    }
    // A union reports every branch's problem: name the one that got furthest into the value.
    const { leaf, path } = deepestIssue(issue, []);
    const deepest = leaf;
    const param = paramOf(path);
    const value = at(body, path);
    if (value === undefined) return { ok: false, error: apiError(400, `Missing required parameter: '${param}'.`, param, 'missing_required_parameter') };
    if (deepest.code === 'invalid_type') {
      return { ok: false, error: apiError(400, `Invalid type for '${param}': expected ${deepest.expected}, but got ${describe(value)} instead.`, param, 'invalid_type') };
    }
    return { ok: false, error: apiError(400, `Invalid '${param}': ${deepest.message}.`, param, 'invalid_value') };
  }
  const request = parsed.data;
  if (!MODEL.test(request.model)) return { ok: false, error: apiError(400, `The requested model '${request.model}' does not exist.`, 'model', 'model_not_found') };
  const choice = request.tool_choice;
  if (choice && typeof choice === 'object' && choice.type === 'function') {
    const names = (request.tools ?? []).filter((t): t is FunctionToolParam => t.type === 'function').map((t) => t.name);
    if (!names.includes(String(choice.name))) return { ok: false, error: apiError(400, `Tool choice 'function' not found in 'tools' parameter.`, 'tool_choice', null) };
  }
  if (Array.isArray(request.input)) {
    const calls = new Set(request.input.filter((i): i is FunctionCallInput => i.type === 'function_call').map((i) => i.call_id));
    for (const item of request.input) {
      if (item.type === 'function_call_output' && !calls.has((item as FunctionCallOutputInput).call_id) && !request.previous_response_id) {
        return { ok: false, error: apiError(400, `No tool call found for function call output with call_id ${(item as FunctionCallOutputInput).call_id}.`, 'input', null) };
      }
    }
  }
  return { ok: true, request };
}
