/** The messages sent to the analysis model: instructions, then the call as plain text. */
import type { AnalysisManifest } from '../versions.js';
import { knownIntents } from '../schemas.js';
import { judgementCriteria } from '../success.js';
import type { CallBundle } from '../types.js';
import { maskPhoneNumbers } from '../heuristic/text.js';

/** "es-US" → "Spanish (United States)"; a name or an unknown tag is used as written. */
export function reportingLanguageName(language: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  } catch {
    return language;
  }
}

export function systemPrompt(manifest: AnalysisManifest): string {
  const spec = manifest.analysis;
  const intents = knownIntents(spec);
  const lines = [
    `You analyse finished phone calls handled by the AI voice agents of "${manifest.name}".`,
    'Read the call and answer in the JSON schema given. Use only what the call says; use null for a field the call does not settle.',
    'The summary is written for the business: who called, what they wanted, what was done, how it ended. Never include phone numbers.',
    `The call may be in any language. Write the summary, the reasons and every free-text field in ${reportingLanguageName(spec.reportingLanguage ?? 'en')}; keep enum values, intents and names exactly as given.`,
  ];
  if (intents.length > 0) lines.push(`Intents: ${intents.join(', ')}; "unknown" if none fits.`);
  for (const f of spec.fields) lines.push(`Field ${f.name} (${f.type}${f.values ? `: ${f.values.join(' | ')}` : ''}): ${f.description}`);
  const judged = judgementCriteria(spec);
  if (judged.length > 0) lines.push('Success criteria: for each, say whether the call met it (passed) and why, in one sentence.');
  for (const c of judged) lines.push(`Criterion ${c.name}: ${c.description}`);
  return lines.join('\n');
}

/** The call as text: transcript lines, then what the agents did. Digit runs that look like phone numbers are masked. */
export function callText(bundle: CallBundle): string {
  const lines: string[] = [];
  lines.push(`Call ${bundle.call.id}: status ${bundle.call.status}${bundle.call.endReason ? `, ended by ${bundle.call.endReason}` : ''}, ` +
    `duration ${bundle.call.durationMs === null ? 'unknown' : `${Math.round(bundle.call.durationMs / 1000)} s`}.`);
  lines.push('', 'Transcript:');
  for (const t of bundle.transcript) {
    const who = t.role === 'caller' ? 'Caller' : t.role === 'assistant' ? `Agent${t.agent ? ` (${t.agent})` : ''}` : 'System';
    lines.push(`${who}: ${t.text}${t.interrupted ? ' [interrupted]' : ''}`);
  }
  if (bundle.tools.length > 0) {
    lines.push('', 'Tools called:');
    for (const t of bundle.tools) lines.push(`- ${t.toolName} → ${t.status}; arguments ${JSON.stringify(t.arguments ?? {})}`);
  }
  if (bundle.handoffs.length > 0) {
    lines.push('', 'Handoffs:');
    for (const h of bundle.handoffs) lines.push(`- ${h.fromAgent} → ${h.toAgent}`);
  }
  return maskPhoneNumbers(lines.join('\n'));
}
