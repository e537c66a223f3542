/**
 * Validation of items a client creates (`conversation.item.create`), into the stored shape.
 * Returns a wire error for anything the real service would refuse.
 */
import { ERR, type WireError } from './errors.js';
import type { ContentPart, ConversationItem } from './conversation.js';
import { newWireId } from './ids.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const CONTENT_BY_ROLE: Record<string, readonly string[]> = {
  user: ['input_text', 'input_audio', 'input_image', 'item_reference'],
  system: ['input_text'],
  assistant: ['output_text', 'output_audio', 'text', 'audio'],
};

export function parseClientItem(raw: unknown, clientEventId: string | null): ConversationItem | WireError {
  const id = clientEventId;
  if (!isObj(raw)) return ERR.missing('item', id);
  const itemId = raw.id === undefined || raw.id === null ? newWireId('item') : raw.id;
  if (typeof itemId !== 'string' || itemId.length === 0 || itemId.length > 64) return ERR.invalidValue('item.id', "Invalid 'item.id': expected a string of at most 64 characters.", id);
  const type = raw.type ?? 'message';
  switch (type) {
    case 'message': {
      const role = raw.role;
      if (role !== 'user' && role !== 'assistant' && role !== 'system') {
        return role === undefined ? ERR.missing('item.role', id)
          : ERR.invalidValue('item.role', `Invalid value: '${String(role)}'. Supported values are: 'user', 'assistant', and 'system'.`, id);
      }
      if (!Array.isArray(raw.content)) return ERR.missing('item.content', id);
      const content: ContentPart[] = [];
      for (let i = 0; i < raw.content.length; i++) {
        const c: unknown = raw.content[i];
        if (!isObj(c) || typeof c.type !== 'string') return ERR.missing(`item.content[${i}].type`, id);
        if (!CONTENT_BY_ROLE[role]!.includes(c.type)) {
          return ERR.invalidValue(`item.content[${i}].type`, `Invalid value: '${c.type}'. Supported values for role '${role}' are: ${CONTENT_BY_ROLE[role]!.map((t) => `'${t}'`).join(', ')}.`, id);
        }
        if ((c.type === 'input_text' || c.type === 'output_text' || c.type === 'text') && typeof c.text !== 'string') return ERR.missing(`item.content[${i}].text`, id);
        const part: ContentPart = { ...c, type: c.type as ContentPart['type'] };
        // Stored items keep transcripts, not audio: the transcript key is always present.
        if (c.type === 'input_audio' || c.type === 'output_audio' || c.type === 'audio') {
          delete part.audio;
          part.transcript = typeof c.transcript === 'string' ? c.transcript : null;
        }
        content.push(part);
      }
      const status = raw.status === 'incomplete' || raw.status === 'in_progress' ? raw.status : 'completed';
      return { id: itemId, object: 'realtime.item', type: 'message', status, role, content };
    }
    case 'function_call_output': {
      if (typeof raw.call_id !== 'string') return ERR.missing('item.call_id', id);
      if (typeof raw.output !== 'string') return raw.output === undefined ? ERR.missing('item.output', id) : ERR.invalidType('item.output', 'a string', id);
      return { id: itemId, object: 'realtime.item', type: 'function_call_output', call_id: raw.call_id, output: raw.output };
    }
    case 'function_call': {
      if (typeof raw.name !== 'string') return ERR.missing('item.name', id);
      if (typeof raw.call_id !== 'string') return ERR.missing('item.call_id', id);
      return {
        id: itemId, object: 'realtime.item', type: 'function_call', status: 'completed', name: raw.name, call_id: raw.call_id,
        arguments: typeof raw.arguments === 'string' ? raw.arguments : '{}',
      };
    }
    default:
      return ERR.invalidValue('item.type', `Invalid value: '${String(type)}'. Supported values are: 'message', 'function_call', and 'function_call_output'.`, id);
  }
}

/** The caller's typed words in a client-created user message, if it has any. */
export function typedText(item: ConversationItem): string | undefined {
  if (item.type !== 'message' || item.role !== 'user') return undefined;
  const texts = (item.content ?? []).filter((c) => c.type === 'input_text' && typeof c.text === 'string').map((c) => c.text as string);
  return texts.length > 0 ? texts.join(' ') : undefined;
}
