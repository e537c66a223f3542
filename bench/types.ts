/** The benchmark's shared shapes: a section measures something and returns figures to print. */

export interface BenchContext {
  calls: number[];
  /** `--calls` was given (a section with its own default load uses that otherwise). */
  callsGiven?: boolean;
  /** `sdk` (opt-in) runs the SDK's TwilioRealtimeTransportLayer in the same harness for comparison. */
  modes: Array<'passthrough' | 'transcoding' | 'sdk'>;
  /** Measurement window per run, seconds. */
  windowSec: number;
  profile: boolean;
  /** Gateway tracing (OTLP to a local receiver): off, on, or both side by side (passthrough). */
  tracing: 'off' | 'on' | 'both';
  profileDir: string;
  databaseUrl: string;
  redisUrl: string;
  log(line: string): void;
}

export interface Figure {
  name: string;
  value: string;
  /** Against its target: true met, false missed, undefined no target. */
  ok?: boolean | undefined;
}

export interface SectionResult {
  heading: string;
  figures: Figure[];
  raw?: unknown;
}

export interface BenchSection {
  /** Selects the section on the command line (`npm run bench -- --only edge`). */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<SectionResult[]>;
}
