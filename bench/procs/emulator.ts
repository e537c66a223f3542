/**
 * Benchmark child: the realtime emulator (rule-based brain) on loopback, with the cascade
 * engine's peers on the same port. With BENCH_EMULATOR_SCENARIO (scenario YAML) every
 * connection that names no scenario plays that one (scripted brain; the transcription peer
 * pairs caller speech with its caller turns); BENCH_EMULATOR_SPEED sets the output pacing
 * (`Infinity`: peers answer at once).
 */
import { startEmulator, type EmulatorOptions } from '../../src/engines/emulator/index.js';
import { parseScenario } from '../../src/scenarios/index.js';
import { serveParent } from '../lib/ipc.js';

const scenarioYaml = process.env.BENCH_EMULATOR_SCENARIO;
const speed = process.env.BENCH_EMULATOR_SPEED;
const options: EmulatorOptions = scenarioYaml
  ? { scenario: parseScenario(scenarioYaml, { vertical: process.env.BENCH_EMULATOR_VERTICAL ?? 'bench', name: 'bench' }) }
  : { brain: 'rules' };
const emulator = await startEmulator({
  ...options,
  speech: { engine: 'synthetic' },
  ...(speed ? { pacing: { speed: Number(speed) } } : {}),
});
const parent = serveParent({
  stats: () => ({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss, sessions: emulator.activeSessions }),
  close: async () => {
    await emulator.close();
    return true;
  },
});
parent.emit('ready', { url: emulator.url });
