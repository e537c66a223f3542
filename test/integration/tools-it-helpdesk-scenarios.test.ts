/**
 * The it-helpdesk scenarios end to end through the Twilio path (real gateway, CallManager, the
 * emulator playing each script, the it_* tools and the knowledge base on Postgres; harness shared
 * with the other verticals), each from fresh seed data. Every tool call must also have succeeded.
 */
import { startVerticalSimulation, type VerticalSimulation } from './verticalSimulation.js';

const NAMES = ['laptop-escalation', 'password-and-vpn-lock', 'ticket-follow-up'];

let sim: VerticalSimulation;

beforeAll(async () => {
  sim = await startVerticalSimulation('it-helpdesk');
}, 120_000);

afterAll(async () => {
  await sim?.close();
}, 60_000);

describe('it-helpdesk scenarios through the Twilio path', () => {
  it('has the three scenarios', () => {
    // The Spanish scenarios (`-es`) run in language-scenarios.test.ts.
    expect(sim.scenarios.filter((s) => !s.name.endsWith('-es')).map((s) => s.name)).toEqual(NAMES);
  });

  for (const name of NAMES) {
    it(`passes it-helpdesk/${name}`, async () => {
      await sim.reset();
      const run = await sim.run(name);
      expect(run.call!.problems).toEqual([]);
      const { rows } = await sim.store.db.query<{ tool_name: string; status: string; error_code: string | null }>(
        `SELECT tool_name, status, error_code FROM tool_invocations
          WHERE call_id = (SELECT id FROM calls WHERE call_sid = $1) AND left(tool_name, 3) = 'it_' ORDER BY id`,
        [run.call!.callSid],
      );
      expect(rows.filter((r) => r.status !== 'ok').map((r) => `${r.tool_name}:${r.error_code}`)).toEqual([]);
      expect(rows.length).toBeGreaterThan(0);
      if (name !== 'ticket-follow-up') {
        // The how-to answers really came from the knowledge base.
        const kb = await sim.store.db.query<{ result: { found: boolean; articles: { articleId: string }[] } }>(
          `SELECT result FROM tool_invocations WHERE call_id = (SELECT id FROM calls WHERE call_sid = $1) AND tool_name = 'it_search_knowledge' ORDER BY id`,
          [run.call!.callSid],
        );
        const firsts = kb.rows.map((r) => r.result.articles[0]?.articleId);
        expect(firsts).toEqual(name === 'laptop-escalation' ? ['KB-0012'] : ['KB-0001', 'KB-0002']);
      }
    }, 240_000);
  }

  it('answers the out-of-scope question with found false', async () => {
    const run = await sim.run('ticket-follow-up');
    const { rows } = await sim.store.db.query<{ result: { found: boolean } }>(
      `SELECT result FROM tool_invocations WHERE call_id = (SELECT id FROM calls WHERE call_sid = $1) AND tool_name = 'it_search_knowledge'`,
      [run.call!.callSid],
    );
    expect(rows.map((r) => r.result.found)).toEqual([false]);
  }, 240_000);
});
