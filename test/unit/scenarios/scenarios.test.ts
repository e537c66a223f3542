import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseScenario, loadScenarios, ScenarioError, checkScenarioAgainstManifest, evaluateScenario, matchesSubset, stepToolCall,
  type ObservedCall,
} from '../../../src/scenarios/index.js';
import type { Queryable } from '../../../src/store/types.js';

const GOOD = `
description: demo
opening:
  - say: Hello.
turns:
  - caller: Book me in for Friday.
    pauseMs: 200
    agent:
      - say: Checking.
        call: { tool: check, args: { day: friday } }
      - handoff: Booking Desk
  - caller: Stop, wait.
    bargeIn: { afterMs: 800 }
    agent:
      - endCall: { reason: done }
expect:
  tools: [{ name: check, args: { day: friday } }]
  handoffs: [Booking Desk]
  agentSays: [checking]
  end: { by: agent }
  rows:
    - sql: select 1
`;

describe('scenario schema and loader', () => {
  it('parses a scenario, filling defaults and its identity from the path', () => {
    const s = parseScenario(GOOD, { file: 'verticals/demo/scenarios/book.yaml' });
    expect(s.id).toBe('demo/book');
    expect(s.brain).toBe('scripted');
    expect(s.turns[0]!.pauseMs).toBe(200);
    expect(s.turns[1]!.pauseMs).toBe(300);
    expect(s.turns[1]!.bargeIn).toEqual({ afterMs: 800 });
    expect(s.expect.rows[0]).toEqual({ sql: 'select 1', params: [] });
    expect(stepToolCall(s.turns[0]!.agent[1]!)).toEqual({ name: 'transfer_to_Booking_Desk', args: {}, handoffTo: 'Booking Desk' });
    expect(stepToolCall(s.turns[1]!.agent[0]!)).toEqual({ name: 'end_call', args: { reason: 'done' } });
  });

  it('reports problems with file:line and path', () => {
    const bad = `turns:\n  - caller: hi\n    agent:\n      - say: a\n        call: { tool: x }\n        handoff: B\n  - caler: typo\n`;
    let err: unknown;
    try {
      parseScenario(bad, { file: 'verticals/demo/scenarios/bad.yaml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const lines = (err as ScenarioError).format().split('\n');
    expect(lines).toContain('verticals/demo/scenarios/bad.yaml:4 turns[0].agent[0]: a step does at most one of call, handoff, endCall (use another step for the next)');
    expect(lines).toContain('verticals/demo/scenarios/bad.yaml:7 turns[1].caler: unknown key');
    expect(lines.some((l) => l.startsWith('verticals/demo/scenarios/bad.yaml:7 turns[1].caller:'))).toBe(true);
  });

  it('loads every vertical\'s scenarios into a library and reports all bad files together', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scen-'));
    try {
      await mkdir(join(dir, 'demo', 'scenarios'), { recursive: true });
      await writeFile(join(dir, 'demo', 'scenarios', 'book.yaml'), GOOD);
      const lib = await loadScenarios(dir, { displayRoot: dir });
      expect(lib.list().map((s) => s.id)).toEqual(['demo/book']);
      expect(lib.get('book')?.id).toBe('demo/book');
      await writeFile(join(dir, 'demo', 'scenarios', 'broken.yaml'), 'turns: [\n');
      await writeFile(join(dir, 'demo', 'scenarios', 'empty.yaml'), 'turns: []\n');
      await expect(loadScenarios(dir, { displayRoot: dir })).rejects.toMatchObject({ problems: [
        expect.objectContaining({ file: join('demo', 'scenarios', 'broken.yaml') }),
        expect.objectContaining({ file: join('demo', 'scenarios', 'empty.yaml'), path: 'turns' }),
      ] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks scripted calls and handoffs against the agents of a manifest', () => {
    const s = parseScenario(GOOD, { file: 'verticals/demo/scenarios/book.yaml' });
    const problems = checkScenarioAgainstManifest(s, {
      entryAgent: 'Front',
      agents: [
        { name: 'Front', tools: ['check'], handoffs: [] },
        { name: 'Booking Desk', tools: [], handoffs: [] },
      ],
    });
    expect(problems.map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      '11 turns[0].agent[1].handoff: agent "Front" cannot hand off to "Booking Desk"',
      '15 turns[1].agent[0].endCall: agent "Booking Desk" has no "end_call" tool',
    ]);
  });
});

describe('evaluateScenario', () => {
  const s = parseScenario(GOOD, { file: 'verticals/demo/scenarios/book.yaml' });
  const db = (rows: number): Queryable => ({ query: async () => ({ rows: Array.from({ length: rows }, () => ({ x: 1 })), rowCount: rows }) as never });
  const observed: ObservedCall = {
    toolCalls: [{ name: 'check', args: { day: 'friday', extra: true } }, { name: 'end_call', args: {} }],
    handoffs: ['Booking Desk'],
    agentUtterances: ['Hello.', 'Checking.'],
    interruptions: 1,
    end: { by: 'agent' },
  };

  it('passes when everything expected happened', async () => {
    expect(await evaluateScenario(s, observed, db(1))).toEqual([]);
  });

  it('names each expectation that failed', async () => {
    const failures = await evaluateScenario(s, {
      ...observed, toolCalls: [{ name: 'check', args: { day: 'monday' } }], handoffs: [], agentUtterances: ['Hi'], end: { by: 'caller' },
    }, db(0));
    expect(failures.map((f) => f.expectation)).toEqual(['tools[0]', 'handoffs[0]', 'agentSays[0]', 'end.by', 'rows[0]']);
  });

  it('matches arguments as subsets', () => {
    expect(matchesSubset({ a: 1, b: { c: 'x' } }, { a: 1, b: { c: 'x', d: 2 }, e: 3 })).toBe(true);
    expect(matchesSubset({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(matchesSubset({ a: '1' }, { a: 1 })).toBe(false);
  });
});
