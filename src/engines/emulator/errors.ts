/**
 * The `error` server event, shaped as the real service sends it:
 * `{ type: "error", event_id, error: { type, code, message, param, event_id } }` where
 * `error.event_id` is the client event that caused it (or null).
 */

export interface WireError {
  type: 'invalid_request_error' | 'server_error';
  code: string | null;
  message: string;
  param: string | null;
  /** The client event id that caused the error, if it had one. */
  event_id: string | null;
}

export function wireError(code: string, message: string, param: string | null = null, clientEventId: string | null = null): WireError {
  return { type: 'invalid_request_error', code, message, param, event_id: clientEventId };
}

export const ERR = {
  invalidJson: (detail: string): WireError =>
    wireError('invalid_json', `The server failed to parse the JSON sent: ${detail}. Make sure each message is one valid JSON object.`),
  notAnObject: (): WireError => wireError('invalid_json', 'Expected a JSON object for the client event.'),
  missingType: (id: string | null): WireError => wireError('missing_required_parameter', "Missing required parameter: 'type'.", 'type', id),
  unknownType: (type: string, supported: readonly string[], id: string | null): WireError =>
    wireError('invalid_value', `Invalid value: '${type}'. Supported values are: ${supported.map((s) => `'${s}'`).join(', ')}.`, 'type', id),
  missing: (param: string, id: string | null): WireError =>
    wireError('missing_required_parameter', `Missing required parameter: '${param}'.`, param, id),
  invalidType: (param: string, expected: string, id: string | null): WireError =>
    wireError('invalid_type', `Invalid type for '${param}': expected ${expected}.`, param, id),
  invalidValue: (param: string, message: string, id: string | null): WireError => wireError('invalid_value', message, param, id),
  badAudio: (formatLabel: string, id: string | null): WireError =>
    wireError('invalid_value', `Invalid 'audio'. Expected base64-encoded audio bytes (${formatLabel}) but got an invalid value.`, 'audio', id),
  activeResponse: (responseId: string, id: string | null): WireError =>
    wireError('conversation_already_has_active_response',
      `Conversation already has an active response in progress: ${responseId}. Wait until the response is finished before creating a new one.`, null, id),
  cancelNotActive: (id: string | null): WireError =>
    wireError('response_cancel_not_active', 'Cancellation failed: no active response found', null, id),
  commitEmpty: (bufferedMs: number, id: string | null): WireError =>
    wireError('input_audio_buffer_commit_empty',
      `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${bufferedMs.toFixed(2)}ms of audio.`, null, id),
  itemNotFound: (param: string, itemId: string, id: string | null): WireError =>
    wireError('invalid_value', `Invalid value: '${itemId}'. No item with that id exists in the conversation.`, param, id),
  itemExists: (itemId: string, id: string | null): WireError =>
    wireError('item_already_exists', `Item with id '${itemId}' already exists in the conversation.`, 'item.id', id),
  voiceLocked: (id: string | null): WireError =>
    wireError('cannot_update_voice', 'Cannot update a conversation\'s voice if assistant audio is present.', 'session.audio.output.voice', id),
  truncateTooLong: (audioMs: number, endMs: number, id: string | null): WireError =>
    wireError('invalid_value', `Audio content of ${Math.round(audioMs)}ms is already shorter than ${endMs}ms`, 'audio_end_ms', id),
  truncateNotAudio: (itemId: string, id: string | null): WireError =>
    wireError('invalid_value', `Only assistant messages with audio can be truncated; '${itemId}' is not one.`, 'item_id', id),
  unauthorized: (): WireError => wireError('invalid_api_key', 'Incorrect API key provided.', null, null),
};
