/** Benchmark child: the load generator (N simulated Twilio calls). */
import { LoadGenerator, type LoadOptions } from '../lib/loadgen.js';
import { serveParent } from '../lib/ipc.js';

let gen: LoadGenerator | undefined;
const parent = serveParent({
  start: async (opts: LoadOptions) => {
    gen = new LoadGenerator(opts);
    await gen.start();
    return gen.counters;
  },
  counters: () => gen?.counters,
  quiesce: async () => {
    await gen?.quiesce();
    return gen?.counters;
  },
  hangUp: async () => {
    await gen?.hangUp();
    return gen?.counters;
  },
  cpu: () => process.cpuUsage(),
});
parent.emit('ready', {});
