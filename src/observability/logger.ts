/**
 * Structured, namespaced logging (`switchboard:realtime`) through pino: one JSON line per record
 * on stderr, or pino-pretty's coloured lines when the process runs in a terminal (stdout and
 * stderr both TTYs; `LOG_FORMAT=json|pretty` overrides). Logs carry metadata only: every field
 * and message goes through `redactFields` / `redactText` first, whatever a caller passes. The
 * lines of a call carry `call_id`, `trace_id`, `span_id` and `vertical` (its logger's bindings,
 * see `CallTelemetry.logFields`).
 */
import { pino, stdTimeFunctions } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { redactFields, redactText } from './redact.js';

export { maskPhone, maskEmail, redactFields, redactText } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>, namespace?: string): Logger;
}

/** Receives one JSON line (no trailing newline). */
export type LogSink = (line: string) => void;

let globalLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');

function wantsPretty(): boolean {
  const format = process.env.LOG_FORMAT;
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return Boolean(process.stdout.isTTY && process.stderr.isTTY);
}

function defaultSink(): LogSink {
  if (!wantsPretty()) return (line) => process.stderr.write(line + '\n');
  const pretty = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'ns', messageFormat: '{ns} {msg}' });
  return (line) => process.stderr.write(pretty(line));
}

let sink: LogSink = defaultSink();

export function setLogLevel(level: LogLevel): void {
  globalLevel = level;
}
export function getLogLevel(): LogLevel {
  return globalLevel;
}
/** Redirect log lines (tests capture them to check that nothing sensitive is logged). */
export function setLogSink(next: LogSink): LogSink {
  const prev = sink;
  sink = next;
  return prev;
}

// One pino instance for the process. Levels are checked by the facade (a level set later
// applies to loggers made earlier), so pino itself lets everything through.
const root = pino(
  {
    level: 'debug',
    base: null,
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  { write: (chunk: string) => sink(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) },
);

class PinoLogger implements Logger {
  constructor(private readonly namespace: string, private readonly base: Record<string, unknown>) {}

  private write(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[globalLevel]) return;
    // Merged per line (not pino bindings) so a field given again replaces the bound one.
    root[level]({ ns: this.namespace, ...redactFields(fields ? { ...this.base, ...fields } : this.base) }, redactText(msg));
  }
  debug(msg: string, fields?: Record<string, unknown>): void { this.write('debug', msg, fields); }
  info(msg: string, fields?: Record<string, unknown>): void { this.write('info', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.write('warn', msg, fields); }
  error(msg: string, fields?: Record<string, unknown>): void { this.write('error', msg, fields); }
  child(fields: Record<string, unknown>, namespace?: string): Logger {
    return new PinoLogger(namespace ?? this.namespace, { ...this.base, ...fields });
  }
}

export function createLogger(area: string, fields: Record<string, unknown> = {}): Logger {
  return new PinoLogger(`switchboard:${area}`, fields);
}
