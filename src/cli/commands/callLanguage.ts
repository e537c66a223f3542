/**
 * The language section of `switchboard calls show` (key `language` in `--json`): the language the
 * call began and ended in, what the detector heard, and each switch with its cause and how long the
 * cut-over took. Absent for a call of a one-language vertical (nothing was detected).
 */
import type { CallShowSection } from './calls.js';

interface LanguageRecord {
  current?: string;
  initial?: string;
  detected?: string;
  switches?: Array<{ from?: string; to?: string; cause?: string; atMs?: number; switchMs?: number }>;
}

export const callLanguageSection: CallShowSection = {
  key: 'language',
  async load(_store, stored) {
    const lang = stored.call.metadata.language as LanguageRecord | undefined;
    if (!lang || typeof lang !== 'object' || typeof lang.current !== 'string') return null;
    const lines = [`  ${lang.initial && lang.initial !== lang.current ? `began in ${lang.initial}, ended in ${lang.current}` : `in ${lang.current}`}${lang.detected ? ` (detected: ${lang.detected})` : ''}`];
    for (const s of lang.switches ?? []) {
      const at = typeof s.atMs === 'number' ? `+${(s.atMs / 1000).toFixed(2)}s ` : '';
      lines.push(`  ${at}${s.from ?? '?'} → ${s.to ?? '?'} (${s.cause ?? 'switch'}${typeof s.switchMs === 'number' ? `, cut over in ${s.switchMs} ms` : ''})`);
    }
    return { text: lines.join('\n'), json: lang };
  },
};
