/**
 * The post-call analysis section of `switchboard calls show` (key `analysis` in `--json`):
 * summary, sentiment, intent, lead score with the rubric's reasons, and the vertical's fields.
 * The vertical's manifest says which schema (or database) holds its `call_analysis`.
 */
import { join } from 'node:path';
import { analysisToJson, formatAnalysis } from '../../analysis/index.js';
import { loadConfig } from '../../config/index.js';
import { loadManifest, manifestSchema, MANIFEST_FILE, type Manifest } from '../../manifest/index.js';
import { describeError } from '../../shared/index.js';
import type { Store } from '../../store/index.js';

/** The shape of a `calls show` section (calls.ts `CallShowSection`), kept structural here. */
export interface AnalysisShowSection {
  key: string;
  load(store: Store, stored: { call: { id: string; vertical: string } }): Promise<{ text: string; json: unknown } | null>;
}

export interface CallAnalysisSectionDeps {
  /** The vertical's manifest, or undefined when it cannot be loaded. */
  manifestFor(vertical: string): Promise<Manifest | undefined>;
}

/** Loads `<paths.verticals>/<id>/vertical.yaml`; an invalid one falls back to the default schema (v_<id>). */
export const defaultCallAnalysisDeps: CallAnalysisSectionDeps = {
  async manifestFor(vertical) {
    const config = loadConfig();
    const { registry } = await import('../../../tools/index.js');
    const { vertical: loaded } = loadManifest(join(config.paths.verticals, vertical, MANIFEST_FILE), { registry, agentsDir: config.paths.agents });
    return loaded?.manifest;
  },
};

/** Enough of a manifest to find the default schema of a vertical whose manifest is gone or invalid. */
function fallbackManifest(vertical: string): Manifest | undefined {
  const parsed = manifestSchema.safeParse({
    id: vertical, name: vertical, languages: { default: 'en', supported: [{ code: 'en', voice: 'alloy' }] },
    greeting: '-', entryAgent: 'a', agents: [{ name: 'a', description: '-', instructions: '-' }],
  });
  return parsed.success ? parsed.data : undefined;
}

export function makeCallAnalysisSection(deps: CallAnalysisSectionDeps = defaultCallAnalysisDeps): AnalysisShowSection {
  return {
    key: 'analysis',
    async load(store, stored) {
      const vertical = stored.call.vertical;
      let manifest: Manifest | undefined;
      try {
        manifest = (await deps.manifestFor(vertical)) ?? fallbackManifest(vertical);
      } catch {
        manifest = fallbackManifest(vertical);
      }
      if (!manifest) return { text: `  unavailable: unknown vertical ${vertical}`, json: null };
      try {
        const analysis = await store.analysis.get(store.dbForVertical(manifest), stored.call.id);
        return { text: formatAnalysis(analysis).split('\n').map((l) => `  ${l}`).join('\n'), json: analysisToJson(analysis) };
      } catch (err) {
        return { text: `  unavailable: ${describeError(err)}`, json: null };
      }
    },
  };
}

export const callAnalysisSection: AnalysisShowSection = makeCallAnalysisSection();
