/** Benchmark child: the realtime emulator (rule-based brain) on loopback. */
import { startEmulator } from '../../src/engines/emulator/index.js';
import { serveParent } from '../lib/ipc.js';

const emulator = await startEmulator({ brain: 'rules', speech: { engine: 'synthetic' } });
const parent = serveParent({
  stats: () => ({ cpu: process.cpuUsage(), rss: process.memoryUsage().rss, sessions: emulator.activeSessions }),
  close: async () => {
    await emulator.close();
    return true;
  },
});
parent.emit('ready', { url: emulator.url });
