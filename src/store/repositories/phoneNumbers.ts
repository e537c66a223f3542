/**
 * phone_numbers: the operator's number → vertical assignments, which override the manifests'
 * `numbers`. One row per number (the primary key is what makes a conflicting assignment
 * impossible, whatever two operators do at once).
 */
import { toDate } from '../sql.js';
import type { Db } from '../types.js';

export interface PhoneNumberAssignment {
  number: string;
  vertical: string;
  assignedAt: Date;
}

export type AssignOutcome =
  | { kind: 'assigned'; assignment: PhoneNumberAssignment }
  | { kind: 'unchanged'; assignment: PhoneNumberAssignment }
  /** The number is assigned to another vertical; nothing was written. */
  | { kind: 'conflict'; assignment: PhoneNumberAssignment };

const toAssignment = (r: Record<string, unknown>): PhoneNumberAssignment => ({
  number: String(r.number), vertical: String(r.vertical), assignedAt: toDate(r.assigned_at),
});

export class PhoneNumbersRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<PhoneNumberAssignment[]> {
    const { rows } = await this.db.query('SELECT number, vertical, assigned_at FROM phone_numbers ORDER BY number');
    return rows.map(toAssignment);
  }

  async get(number: string): Promise<PhoneNumberAssignment | null> {
    const { rows } = await this.db.query('SELECT number, vertical, assigned_at FROM phone_numbers WHERE number = $1', [number]);
    return rows[0] ? toAssignment(rows[0]) : null;
  }

  /**
   * Assigns a free number; `move` takes it from the vertical that has it. Without `move`, a number
   * assigned elsewhere is a conflict and nothing changes.
   */
  async assign(number: string, vertical: string, options: { move?: boolean } = {}): Promise<AssignOutcome> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query('SELECT number, vertical, assigned_at FROM phone_numbers WHERE number = $1 FOR UPDATE', [number]);
      const existing = rows[0] ? toAssignment(rows[0]) : null;
      if (existing?.vertical === vertical) return { kind: 'unchanged' as const, assignment: existing };
      if (existing && !options.move) return { kind: 'conflict' as const, assignment: existing };
      const written = await tx.query(
        `INSERT INTO phone_numbers (number, vertical) VALUES ($1, $2)
           ON CONFLICT (number) DO UPDATE SET vertical = EXCLUDED.vertical, assigned_at = now()
         RETURNING number, vertical, assigned_at`,
        [number, vertical],
      );
      return { kind: 'assigned' as const, assignment: toAssignment(written.rows[0]!) };
    });
  }

  /** Removes the assignment (the manifests' default applies again); returns what was removed. */
  async release(number: string): Promise<PhoneNumberAssignment | null> {
    const { rows } = await this.db.query('DELETE FROM phone_numbers WHERE number = $1 RETURNING number, vertical, assigned_at', [number]);
    return rows[0] ? toAssignment(rows[0]) : null;
  }
}
