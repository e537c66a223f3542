/**
 * Warm transfer, messages and recording only do what the manifest promises when the pieces they
 * need are there: a person to dial, someone to text, a way for a caller to refuse recording.
 */
import type { PathProblem } from './issues.js';
import { asList, asMap, asText, textItems } from './raw.js';

export function checkCallFeatures(data: Record<string, unknown>, problems: PathProblem[]): void {
  const human = asText(asMap(data.fallback)?.humanNumber);
  const transfer = asMap(data.transfer);
  const recording = asMap(data.recording);
  const tools: Array<{ tool: string; agent: number; index: number }> = [];
  asList(data.agents).forEach((raw, agent) => {
    for (const [tool, index] of textItems(asMap(raw)?.tools)) tools.push({ tool, agent, index });
  });
  if (asText(transfer?.mode) === 'warm' && human === undefined) {
    problems.push({ path: ['transfer', 'mode'], severity: 'warning', message: 'a warm transfer dials fallback.humanNumber, which is not set: transfer_to_human will refuse' });
  }
  if (human === undefined && asText(transfer?.messageNumber) === undefined) {
    for (const t of tools.filter((x) => x.tool === 'take_message')) {
      problems.push({ path: ['agents', t.agent, 'tools', t.index], severity: 'warning', message: 'take_message stores messages but nobody is texted: set transfer.messageNumber or fallback.humanNumber' });
    }
  }
  if (recording?.enabled === true && !tools.some((t) => t.tool === 'stop_recording')) {
    problems.push({ path: ['recording', 'enabled'], severity: 'warning', message: 'calls are recorded but no agent has stop_recording: a caller who objects cannot stop it' });
  }
}
