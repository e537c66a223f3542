/**
 * Summarises a V8 CPU profile (`node --cpu-prof`), optionally cut to a time window on the same
 * monotonic clock: self time by package/area and by function.
 *   npx tsx bench/profileSummary.ts bench/profiles/CPU.…cpuprofile [fromUs toUs]
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }
const [file, from, to] = process.argv.slice(2);
if (!file) throw new Error('usage: profileSummary <file.cpuprofile> [fromUs toUs]');
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const lo = from ? Number(from) : -Infinity;
const hi = to ? Number(to) : Infinity;
const self = new Map<number, number>();
let t = prof.startTime;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i]!;
  if (t < lo || t > hi) continue;
  const next = prof.timeDeltas[i + 1] ?? 0;
  self.set(prof.samples[i]!, (self.get(prof.samples[i]!) ?? 0) + next);
}
const area = (url: string): string => {
  if (!url) return '(native/vm)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 13).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const m = /\/(src|tools|bench)\/([^/]+)/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url;
};
const byArea = new Map<string, number>();
const byFn = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, us] of self) {
  const n = nodes.get(id)!;
  const fn = n.callFrame.functionName || '(anonymous)';
  if (fn === '(idle)') {
    idle += us;
    continue;
  }
  total += us;
  const a = area(n.callFrame.url);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
  const key = `${fn}  ${a}${n.callFrame.url ? ':' + (n.callFrame.lineNumber + 1) : ''}`;
  byFn.set(key, (byFn.get(key) ?? 0) + us);
}
const top = (m: Map<string, number>, k: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k);
console.log(`busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms`);
console.log('\nby area (self time, % of busy):');
for (const [k, v] of top(byArea, 25)) console.log(`  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
console.log('\nby function:');
for (const [k, v] of top(byFn, 45)) console.log(`  ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
