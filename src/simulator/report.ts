/** Human-readable output of simulated calls and stored calls. */
import type { Check } from './expectations.js';
import type { SimulatedCall, TimelineEvent } from './call.js';
import type { StoredCall } from '../store/index.js';

const secs = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function formatTimelineEvent(e: TimelineEvent): string {
  const at = pad(`+${secs(e.atMs)}`, 9);
  switch (e.kind) {
    case 'answered':
      return `${at} answered: ${e.vertical}@${e.version}`;
    case 'caller':
      return `${at} caller  ${e.bargeIn ? '(barge-in) ' : ''}"${e.text}" (${secs(e.durationMs)})`;
    case 'agent':
      return `${at} agent   speaking ${secs(e.durationMs)}`;
    case 'clear':
      return `${at} clear   ${e.afterCallerSpeechMs === null ? '' : `${e.afterCallerSpeechMs} ms after the caller began, `}${Math.round(e.droppedMs)} ms of unplayed audio dropped`;
    case 'no_answer':
      return `${at} (no answer from the agent after ${secs(e.waitedMs)})`;
    case 'hangup':
      return `${at} hang-up by the ${e.by}${e.code !== undefined ? ` (${e.code}${e.reason ? ` ${e.reason}` : ''})` : ''}`;
    case 'problem':
      return `${at} problem: ${e.message}`;
  }
}

export function formatStoredCall(stored: StoredCall, opts: { indent?: string } = {}): string {
  const ind = opts.indent ?? '';
  const c = stored.call;
  const lines: string[] = [];
  lines.push(`${ind}call ${c.id}  ${c.callSid}`);
  lines.push(`${ind}  vertical ${c.vertical}@${c.manifestVersion}  channel ${c.channel}  engine ${c.engine ?? '?'}  status ${c.status}  end ${c.endReason ?? '-'}  duration ${c.durationMs === null ? '-' : secs(c.durationMs)}`);
  lines.push(`${ind}  started ${c.startedAt.toISOString()}${c.endedAt ? `  ended ${c.endedAt.toISOString()}` : ''}`);
  lines.push(`${ind}transcript:`);
  if (stored.transcript.length === 0) lines.push(`${ind}  (none)`);
  for (const t of stored.transcript) {
    const at = t.startedMs === null ? '       ' : pad(`+${secs(t.startedMs)}`, 9);
    const who = t.role === 'assistant' ? `agent${t.agent ? ` (${t.agent})` : ''}` : t.role;
    lines.push(`${ind}  ${at} ${who}: ${t.text}${t.interrupted ? '  [cut short]' : ''}`);
  }
  lines.push(`${ind}tools:`);
  if (stored.tools.length === 0) lines.push(`${ind}  (none)`);
  for (const t of stored.tools) {
    lines.push(`${ind}  ${t.toolName} ${JSON.stringify(t.arguments)} → ${t.status}${t.errorCode ? ` ${t.errorCode}` : ''}${t.durationMs === null ? '' : ` in ${t.durationMs} ms`}${t.agent ? `  (${t.agent})` : ''}`);
  }
  lines.push(`${ind}handoffs:`);
  if (stored.handoffs.length === 0) lines.push(`${ind}  (none)`);
  for (const h of stored.handoffs) lines.push(`${ind}  ${h.offsetMs === null ? '' : `+${secs(h.offsetMs)} `}${h.fromAgent} → ${h.toAgent}`);
  lines.push(`${ind}latency:`);
  const byMetric = new Map<string, number[]>();
  for (const s of stored.latency) byMetric.set(s.metric, [...(byMetric.get(s.metric) ?? []), s.valueMs]);
  if (byMetric.size === 0) lines.push(`${ind}  (none)`);
  for (const [metric, values] of [...byMetric].sort(([a], [b]) => a.localeCompare(b))) {
    const sorted = [...values].sort((a, b) => a - b);
    const p50 = sorted[Math.floor((sorted.length - 1) / 2)]!;
    const max = sorted[sorted.length - 1]!;
    lines.push(`${ind}  ${pad(metric, 40)} n=${values.length}  p50 ${p50.toFixed(1)} ms  max ${max.toFixed(1)} ms`);
  }
  return lines.join('\n');
}

export function formatChecks(checks: readonly Check[], indent = ''): string {
  return checks.map((c) => `${indent}${c.ok ? '✓' : '✗'} ${c.what}${c.detail && !c.ok ? ` (${c.detail})` : ''}`).join('\n');
}

export function formatCallSummary(sim: SimulatedCall): string {
  return `${sim.callSid}  ${sim.framesSent} frames sent, ${sim.framesReceived} received, ${sim.marksAcked} marks acked, ${sim.clears} clear(s), call time ${secs(sim.durationMs)}, wall ${secs(sim.wallMs)}`;
}
