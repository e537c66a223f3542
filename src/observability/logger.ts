/**
 * Structured, namespaced logging (`switchboard:realtime`). One JSON line per record on stderr.
 * Logs carry metadata only: phone numbers are masked and keys that would carry transcripts,
 * audio or secrets are dropped, whatever a caller passes.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>, namespace?: string): Logger;
}

export type LogSink = (line: string) => void;

let globalLevel: LogLevel = (process.env.LOG_LEVEL as LogLevel | undefined) ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');
let sink: LogSink = (line) => process.stderr.write(line + '\n');

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

const DROP_KEYS = new Set([
  'audio', 'payload', 'transcript', 'text', 'delta', 'apiKey', 'authToken', 'password',
  'token', 'secret', 'authorization', 'body',
]);
const PHONE_KEYS = /^(from|to|phone|number|caller|callerNumber|phoneNumber|e164)$/i;
const E164_LIKE = /\+?\d[\d\s().-]{7,}\d/g;

/** Mask a phone number so logs can still tell calls apart: +1•••••4567. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 4) return '•••';
  return `${value.startsWith('+') ? '+' : ''}${digits.slice(0, 1)}•••••${digits.slice(-4)}`;
}

export function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (DROP_KEYS.has(k)) {
      out[k] = '[redacted]';
    } else if (typeof v === 'string' && PHONE_KEYS.test(k)) {
      out[k] = maskPhone(v);
    } else if (typeof v === 'string') {
      out[k] = v.replace(E164_LIKE, (m) => maskPhone(m));
    } else if (v instanceof Error) {
      out[k] = { name: v.name, message: v.message.replace(E164_LIKE, (m) => maskPhone(m)), code: (v as { code?: unknown }).code };
    } else if (v && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)) {
      out[k] = redactFields(v as Record<string, unknown>);
    } else if (Buffer.isBuffer(v) || v instanceof Uint8Array) {
      out[k] = '[redacted]';
    } else {
      out[k] = v;
    }
  }
  return out;
}

class JsonLogger implements Logger {
  constructor(private readonly namespace: string, private readonly base: Record<string, unknown>) {}

  private write(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[globalLevel]) return;
    const record = {
      t: new Date().toISOString(),
      level,
      ns: this.namespace,
      msg: msg.replace(E164_LIKE, (m) => maskPhone(m)),
      ...redactFields({ ...this.base, ...fields }),
    };
    sink(JSON.stringify(record));
  }
  debug(msg: string, fields?: Record<string, unknown>): void { this.write('debug', msg, fields); }
  info(msg: string, fields?: Record<string, unknown>): void { this.write('info', msg, fields); }
  warn(msg: string, fields?: Record<string, unknown>): void { this.write('warn', msg, fields); }
  error(msg: string, fields?: Record<string, unknown>): void { this.write('error', msg, fields); }
  child(fields: Record<string, unknown>, namespace?: string): Logger {
    return new JsonLogger(namespace ?? this.namespace, { ...this.base, ...fields });
  }
}

export function createLogger(area: string, fields: Record<string, unknown> = {}): Logger {
  return new JsonLogger(`switchboard:${area}`, fields);
}
