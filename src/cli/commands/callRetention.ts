/**
 * The retention section of `switchboard calls show` (key `purged` in `--json`): which kinds of
 * content a retention purge removed from the call, and when. Absent for a call nothing was purged from.
 */
import { describeError } from '../../shared/index.js';
import type { Store } from '../../store/index.js';
import type { CallShowSection } from './calls.js';

export const callRetentionSection: CallShowSection = {
  key: 'purged',
  async load(store: Store, stored) {
    try {
      const purged = await store.retention.purgedOf(stored.call.id);
      const kinds = Object.entries(purged);
      if (kinds.length === 0) return null;
      const text = kinds.map(([kind, at]) => `  ${kind} removed by retention on ${at.toISOString().slice(0, 10)}`).join('\n');
      return { text, json: Object.fromEntries(kinds.map(([kind, at]) => [kind, at.toISOString()])) };
    } catch (err) {
      return { text: `  unavailable: ${describeError(err)}`, json: null };
    }
  },
};
