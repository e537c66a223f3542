/** Benchmark child for the soak: the churning callers (bench/lib/soakLoad.ts). */
import { SoakLoad, type SoakOptions } from '../lib/soakLoad.js';
import { serveParent } from '../lib/ipc.js';

let load: SoakLoad | undefined;
const parent = serveParent({
  start: async (opts: SoakOptions) => {
    load = new SoakLoad(opts);
    await load.start();
    return true;
  },
  counters: () => load?.counters,
  stop: async () => {
    await load?.stop();
    return { counters: load?.counters, records: load?.records ?? [] };
  },
});
parent.emit('ready', {});
