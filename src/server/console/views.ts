/**
 * What the console's APIs return, read from the catalog and the store (the same records
 * `switchboard calls show` prints). The runtime writes transcript items, tool invocations and
 * handoffs as a call goes, so reading them again shows a live call's progress from any process.
 */
import { findAnalysis, analysisToJson } from '../../analysis/index.js';
import type { Store } from '../../store/index.js';
import type { GatewayCatalog } from '../types.js';
import { findCall, readStoredCall, type CallRecord } from '../../store/index.js';
import { isBrowserCallSid, WEBRTC } from '../../telephony/index.js';

export type ConsoleStore = Pick<Store, 'calls' | 'transcripts' | 'toolInvocations' | 'handoffs' | 'latency' | 'analysis' | 'dbForVertical'>;

export interface VerticalView {
  id: string;
  name: string;
  description: string | null;
  version: string;
  numbers: readonly string[];
  greeting: string;
  entryAgent: string;
  agents: Array<{ name: string; description: string; tools: string[]; handoffs: string[]; voice: string | null }>;
}

export function verticalViews(catalog: GatewayCatalog): VerticalView[] {
  return catalog.list().map((v) => ({
    id: v.id,
    name: v.manifest.name,
    description: v.manifest.description ?? null,
    version: v.version,
    numbers: v.numbers,
    greeting: v.manifest.greeting,
    entryAgent: v.manifest.entryAgent,
    agents: v.manifest.agents.map((a) => ({ name: a.name, description: a.description, tools: [...a.tools], handoffs: [...a.handoffs], voice: v.voices.get(a.name) ?? null })),
  }));
}

export function callSummary(c: CallRecord): Record<string, unknown> {
  return {
    id: c.id,
    callSid: c.callSid,
    vertical: c.vertical,
    // Call rows record their channel (phone, webrtc, chat); older browser calls are known by their id.
    carrier: typeof c.metadata.carrier === 'string' ? c.metadata.carrier : c.channel !== 'phone' ? c.channel : isBrowserCallSid(c.callSid) ? WEBRTC : 'phone',
    channel: c.channel,
    status: c.status,
    startedAt: c.startedAt.toISOString(),
    endedAt: c.endedAt?.toISOString() ?? null,
    endReason: c.endReason,
    durationMs: c.durationMs,
    engine: c.engine,
  };
}

const LIVE: ReadonlySet<string> = new Set(['ringing', 'in_progress']);
export const isLive = (c: CallRecord): boolean => LIVE.has(c.status);

/** One call in full: row, transcript, tools, handoffs, latency per turn, analysis. */
export async function callDetail(store: ConsoleStore, catalog: GatewayCatalog, idOrSid: string): Promise<Record<string, unknown> | null> {
  const call = await findCall(store, idOrSid);
  if (!call) return null;
  const stored = await readStoredCall(store, call);
  const analysis = isLive(call) ? null : await findAnalysis(store, catalog.get(call.vertical)?.manifest, call.id).catch(() => null);
  return {
    call: callSummary(call),
    transcript: stored.transcript.map((t) => ({ seq: t.seq, role: t.role, agent: t.agent, text: t.text, startedMs: t.startedMs, endedMs: t.endedMs, interrupted: t.interrupted })),
    tools: stored.tools.map((t) => ({ name: t.toolName, agent: t.agent, status: t.status, errorCode: t.errorCode, durationMs: t.durationMs, arguments: t.arguments, result: t.result, startedAt: t.startedAt.toISOString() })),
    handoffs: stored.handoffs.map((h) => ({ from: h.fromAgent, to: h.toAgent, offsetMs: h.offsetMs })),
    latency: stored.latency.map((l) => ({ metric: l.metric, turn: l.turn, valueMs: l.valueMs })),
    analysis: analysisToJson(analysis),
  };
}
