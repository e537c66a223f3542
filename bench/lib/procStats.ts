/** What the fleet benchmark reads of the processes it starts: CPU from /proc, figures from a gateway's /metrics. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { httpSend } from '../../src/telephony/http.js';

const CLK_TCK = 100;

/** CPU seconds (user + system) of `pid` and its children, from /proc. */
export function cpuSeconds(pid: number): number {
  const pids = [pid];
  try {
    pids.push(...execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    // no children
  }
  let ticks = 0;
  for (const p of pids) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return ticks / CLK_TCK;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A gateway's /metrics text (`?sbw=<id>` routes a scrape to one `--workers` worker). */
export async function scrapeMetrics(baseUrl: string, query = ''): Promise<string> {
  return (await httpSend({ url: `${baseUrl}/metrics${query}`, headers: { connection: 'close' }, timeoutMs: 30_000 })).text;
}

/** `switchboard_carrier_frames_total{direction="in"}`: caller frames the gateway read. */
export function carrierFramesIn(metrics: string): number {
  return Number(/switchboard_carrier_frames_total\{direction="in"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

/** `switchboard_edge_latency_ms`: the gateway's recent edge percentiles (its last 65,536 samples per path). */
export function edgeLatency(metrics: string): { inP50: number; inP99: number; outP50: number; outP99: number } {
  const q = (path: string, quantile: string) =>
    Number(new RegExp(`switchboard_edge_latency_ms\\{path="${path}",quantile="${quantile}"\\} ([\\d.e+-]+)`).exec(metrics)?.[1] ?? NaN);
  return { inP50: q('inbound', '0.5'), inP99: q('inbound', '0.99'), outP50: q('outbound', '0.5'), outP99: q('outbound', '0.99') };
}
