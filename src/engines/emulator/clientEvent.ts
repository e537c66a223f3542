/**
 * The edge of a Realtime connection: one client message parsed into an event object and its
 * `event_id`, or the wire error the service answers it with. (The realtime session has its own
 * copy in `handleMessage`, kept while fault injection is added there; it can adopt this.)
 */
import { ERR, type WireError } from './errors.js';

export interface ClientEvent {
  event: Record<string, unknown>;
  /** The client's `event_id`, echoed in errors it causes. */
  id: string | null;
}

/** The service's answer to an event it failed on. */
export function serverError(clientEventId: string | null): WireError {
  return { type: 'server_error', code: null, message: 'The server had an error while processing your request.', param: null, event_id: clientEventId };
}

export function readClientEvent(data: string): ClientEvent | WireError {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (err) {
    return ERR.invalidJson((err as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ERR.notAnObject();
  const event = value as Record<string, unknown>;
  return { event, id: typeof event.event_id === 'string' ? event.event_id : null };
}
