/**
 * The start-up check of cascade voices: every ElevenLabs voice id a vertical names
 * (`engine.cascade.tts.voiceId`, `languages.supported[].tts.voiceId`) is looked up in the
 * account's voices (`GET /v1/voices`). An unknown id would fail every call at its first answer;
 * the gateway says so at start, with the vertical and the key to fix.
 */
import { usesCascade, type Manifest } from '../../manifest/index.js';

export interface VoiceProblem {
  vertical: string;
  /** The manifest key that names it. */
  where: string;
  voiceId: string;
}

type VoiceManifest = Pick<Manifest, 'id' | 'engine' | 'agents' | 'languages'>;

/** The ElevenLabs voice ids a manifest uses on cascade, with where each is named. */
export function cascadeVoiceIds(manifest: VoiceManifest): Array<{ where: string; voiceId: string }> {
  if (!usesCascade(manifest)) return [];
  const out: Array<{ where: string; voiceId: string }> = [];
  const main = manifest.engine.cascade?.tts?.voiceId;
  if (main) out.push({ where: 'engine.cascade.tts.voiceId', voiceId: main });
  manifest.languages.supported.forEach((l, i) => {
    if (l.tts) out.push({ where: `languages.supported[${i}].tts.voiceId`, voiceId: l.tts.voiceId });
  });
  return out;
}

/** Voice ids the account does not have; throws when the voice list cannot be read. */
export async function unknownVoices(baseUrl: string, apiKey: string, manifests: readonly VoiceManifest[], timeoutMs = 5000): Promise<VoiceProblem[]> {
  const wanted = manifests.flatMap((m) => cascadeVoiceIds(m).map((v) => ({ vertical: m.id, ...v })));
  if (wanted.length === 0) return [];
  const res = await fetch(new URL('/v1/voices', baseUrl), { headers: { 'xi-api-key': apiKey }, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET /v1/voices answered HTTP ${res.status}`);
  const body = (await res.json()) as { voices?: Array<{ voice_id?: unknown }> };
  const known = new Set((body.voices ?? []).map((v) => v.voice_id).filter((id): id is string => typeof id === 'string'));
  return wanted.filter((v) => !known.has(v.voiceId));
}
