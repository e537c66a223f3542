/**
 * canaries: at most one candidate version per vertical, with the files it was compiled from, the
 * share of new calls it takes and (optionally) the one number it is tried on.
 */
import { jsonParam, toDate, toNum, toStrOrNull } from '../sql.js';
import type { Db } from '../types.js';

export type CanaryState = 'running' | 'promoted';

export interface CanaryStart {
  vertical: string;
  version: string;
  /** The live version the candidate was compared with when it started. */
  baseVersion: string;
  /** Where the operator's candidate folder was (shown, never read back). */
  sourceDir: string;
  /** Relative path → text: the candidate folder as validated. */
  files: Record<string, string>;
  percent: number;
  number: string | null;
}

export interface CanaryRecord extends CanaryStart {
  state: CanaryState;
  startedAt: Date;
  updatedAt: Date;
}

const COLUMNS = 'vertical, version, base_version, source_dir, files, percent, number, state, started_at, updated_at';

function toCanary(r: Record<string, unknown>): CanaryRecord {
  const files: unknown = typeof r.files === 'string' ? JSON.parse(r.files) : r.files;
  return {
    vertical: String(r.vertical),
    version: String(r.version),
    baseVersion: String(r.base_version),
    sourceDir: String(r.source_dir),
    files: files && typeof files === 'object' ? (files as Record<string, string>) : {},
    percent: toNum(r.percent),
    number: toStrOrNull(r.number),
    state: r.state === 'promoted' ? 'promoted' : 'running',
    startedAt: toDate(r.started_at),
    updatedAt: toDate(r.updated_at),
  };
}

export class CanariesRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<CanaryRecord[]> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM canaries ORDER BY vertical`);
    return rows.map(toCanary);
  }

  async get(vertical: string): Promise<CanaryRecord | null> {
    const { rows } = await this.db.query(`SELECT ${COLUMNS} FROM canaries WHERE vertical = $1`, [vertical]);
    return rows[0] ? toCanary(rows[0]) : null;
  }

  /**
   * Starts a canary. A running one for the same vertical is a conflict (null, nothing written);
   * a promoted one is replaced (the new candidate is tried against it).
   */
  async start(c: CanaryStart): Promise<CanaryRecord | null> {
    const { rows } = await this.db.query(
      `INSERT INTO canaries (vertical, version, base_version, source_dir, files, percent, number)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)
       ON CONFLICT (vertical) DO UPDATE SET version = EXCLUDED.version, base_version = EXCLUDED.base_version,
         source_dir = EXCLUDED.source_dir, files = EXCLUDED.files, percent = EXCLUDED.percent, number = EXCLUDED.number,
         state = 'running', started_at = now(), updated_at = now()
         WHERE canaries.state = 'promoted'
       RETURNING ${COLUMNS}`,
      [c.vertical, c.version, c.baseVersion, c.sourceDir, jsonParam(c.files), c.percent, c.number],
    );
    return rows[0] ? toCanary(rows[0]) : null;
  }

  /** Marks the running canary promoted; null when the vertical has none running. */
  async promote(vertical: string): Promise<CanaryRecord | null> {
    const { rows } = await this.db.query(
      `UPDATE canaries SET state = 'promoted', updated_at = now() WHERE vertical = $1 AND state = 'running' RETURNING ${COLUMNS}`,
      [vertical],
    );
    return rows[0] ? toCanary(rows[0]) : null;
  }

  /** Drops the vertical's canary (running or promoted); returns what was dropped. */
  async remove(vertical: string): Promise<CanaryRecord | null> {
    const { rows } = await this.db.query(`DELETE FROM canaries WHERE vertical = $1 RETURNING ${COLUMNS}`, [vertical]);
    return rows[0] ? toCanary(rows[0]) : null;
  }
}
