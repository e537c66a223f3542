/**
 * manifest_versions: the manifest of each compiled vertical version, keyed by (vertical, version),
 * as JSON whose shape the writer owns (post-call analysis stores what it needs and parses it back).
 * A version is a content hash: the first write wins and later writes of the same key are no-ops.
 */
import { jsonParam, toDate } from '../sql.js';
import type { Db } from '../types.js';

export interface ManifestVersionWrite {
  vertical: string;
  version: string;
  /** Any JSON value; stored as jsonb. */
  manifest: unknown;
}

export interface ManifestVersionRecord extends ManifestVersionWrite {
  createdAt: Date;
}

export class ManifestVersionsRepository {
  constructor(private readonly db: Db) {}

  /** Stores each version not stored yet (insert, on conflict do nothing); returns how many were new. */
  async record(versions: readonly ManifestVersionWrite[]): Promise<number> {
    if (versions.length === 0) return 0;
    const values = versions.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3}::jsonb)`).join(', ');
    const res = await this.db.query(
      `INSERT INTO manifest_versions (vertical, version, manifest) VALUES ${values}
        ON CONFLICT (vertical, version) DO NOTHING`,
      versions.flatMap((v) => [v.vertical, v.version, jsonParam(v.manifest)]),
    );
    return res.rowCount;
  }

  /** The stored manifest of one version, or null when it was never recorded. */
  async get(vertical: string, version: string): Promise<ManifestVersionRecord | null> {
    const { rows } = await this.db.query(
      'SELECT vertical, version, manifest, created_at FROM manifest_versions WHERE vertical = $1 AND version = $2',
      [vertical, version],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      vertical: String(r.vertical),
      version: String(r.version),
      manifest: typeof r.manifest === 'string' ? JSON.parse(r.manifest) : r.manifest,
      createdAt: toDate(r.created_at),
    };
  }
}
