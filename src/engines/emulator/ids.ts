/**
 * Ids shaped like the real service's (`event_…`, `item_…`, `resp_…`, `call_…`): a random
 * per-process prefix and a counter, so making one costs a string concatenation.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomBase62(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % 62];
  return out;
}

const PROCESS_PREFIX = randomBase62(6);
let counter = 0;

/** A new id with the given prefix, unique in this process (`item_Ab3xYz1kq`). */
export function newWireId(prefix: 'event' | 'item' | 'resp' | 'call' | 'sess' | 'conv' | 'msg' | 'fc'): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}_${PROCESS_PREFIX}${counter.toString(36).padStart(8, '0')}`;
}
