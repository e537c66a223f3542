import { onStopSignals, type StopSignalHandlers } from '../../../src/server/index.js';
import { recordingLogger } from '../../fakes/logger.js';

function harness(windowMs = 1000) {
  const calls: string[] = [];
  let finishDrain!: () => void;
  const exits: number[] = [];
  const handlers: StopSignalHandlers = {
    log: recordingLogger(),
    duplicateWindowMs: windowMs,
    drain: (s) => {
      calls.push(`drain:${s}`);
      return new Promise<void>((resolve) => { finishDrain = resolve; });
    },
    now: (s) => { calls.push(`now:${s}`); },
    exit: (code) => { exits.push(code); },
    hardExitMs: 60_000,
  };
  const state = onStopSignals(handlers, false);
  return { state, calls, exits, finish: () => finishDrain() };
}

it('drains on the first signal and treats the same signal forwarded by npm as one request', async () => {
  const h = harness();
  expect(h.state.receive('SIGTERM')).toBe('drain');
  expect(h.state.receive('SIGTERM')).toBe('duplicate');
  expect(h.calls).toEqual(['drain:SIGTERM']);
  h.finish();
  await new Promise((r) => setImmediate(r));
  expect(h.exits).toEqual([0]);
});

it('stops at once on a second signal after the duplicate window, or on the other signal', () => {
  const h = harness(0);
  h.state.receive('SIGTERM');
  expect(h.state.receive('SIGTERM')).toBe('now');
  expect(h.state.receive('SIGINT')).toBe('ignored');
  expect(h.calls).toEqual(['drain:SIGTERM', 'now:SIGTERM']);
  const g = harness();
  g.state.receive('SIGTERM');
  expect(g.state.receive('SIGINT')).toBe('now');
  // Ctrl-C reaches node twice (group + npm): the copy of the second signal is no third request.
  expect(g.state.receive('SIGINT')).toBe('duplicate');
});
