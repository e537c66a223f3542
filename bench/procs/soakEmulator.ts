/**
 * Benchmark child for the soak: the realtime emulator playing the soak's scenarios. A call asks
 * for `soak/<scenario>.<n>`: the scenario, tagged with the call's number, so what each call's
 * model sessions saw (audio appended, audio sent) can be summed per call.
 */
import { startEmulator } from '../../src/engines/emulator/index.js';
import { ScenarioLibrary, type Scenario } from '../../src/scenarios/index.js';
import { serveParent } from '../lib/ipc.js';
import { soakScenarios } from '../lib/soakScenarios.js';

/** Resolves `soak/<name>.<n>` to the scenario `soak/<name>`, keeping the tagged id. */
class TaggedLibrary extends ScenarioLibrary {
  override get(idOrName: string): Scenario | undefined {
    const direct = super.get(idOrName);
    if (direct) return direct;
    const dot = idOrName.lastIndexOf('.');
    const base = dot > 0 ? super.get(idOrName.slice(0, dot)) : undefined;
    return base ? Object.assign(Object.create(Object.getPrototypeOf(base) as object) as Scenario, base, { id: idOrName }) : undefined;
  }
}

interface PerCall { sessions: number; audioAppends: number; audioOutBytes: number }
const perCall = new Map<string, PerCall>();

const emulator = await startEmulator({
  scenarios: new TaggedLibrary(soakScenarios()),
  speech: { engine: 'synthetic' },
  onSessionEnd: (s) => {
    if (!s.scenarioId) return;
    const c = perCall.get(s.scenarioId) ?? { sessions: 0, audioAppends: 0, audioOutBytes: 0 };
    c.sessions += 1;
    c.audioAppends += s.counts.audioAppends;
    c.audioOutBytes += s.audioOutBytes;
    perCall.set(s.scenarioId, c);
  },
});
const parent = serveParent({
  stats: () => ({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss, sessions: emulator.activeSessions }),
  perCall: () => Object.fromEntries(perCall),
  close: async () => {
    await emulator.close();
    return true;
  },
});
parent.emit('ready', { url: emulator.url });
