/**
 * Which engine each agent of a vertical asks for: its own `engine:`, else the vertical's
 * `engine.type`. What a process can actually serve (cascade needs its voice) is decided by the
 * caller; this is the manifest's side only, read the same way by the engine selector, the
 * listings and the start-up voice check.
 */
import type { EngineSpec, Manifest } from './schema.js';

type EngineManifest = Pick<Manifest, 'engine'> & { agents?: ReadonlyArray<{ name: string; engine?: EngineSpec['type'] | undefined }> };

/** The engine `agent` asks for (undefined: the vertical's own). */
export function requestedEngine(manifest: EngineManifest, agent?: string): EngineSpec['type'] {
  return manifest.agents?.find((a) => a.name === agent)?.engine ?? manifest.engine.type;
}

/** Whether any agent of the vertical runs on cascade. */
export function usesCascade(manifest: EngineManifest): boolean {
  return manifest.engine.type === 'cascade' || (manifest.agents ?? []).some((a) => a.engine === 'cascade');
}
