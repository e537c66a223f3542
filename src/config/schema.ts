import { z } from 'zod';

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, { message: `must be a URL (${protocols.join(' or ')})` });

export const appConfigSchema = z.object({
  env: z.string().min(1),
  server: z.object({
    port: z.coerce.number().int().min(0).max(65535),
    host: z.string().min(1),
    publicUrl: url(['http:', 'https:']).nullable(),
    /** SWITCHBOARD_INSECURE=1: start on a public URL without TWILIO_AUTH_TOKEN (signatures unchecked). */
    insecure: z.union([z.boolean(), z.enum(['1', '0', 'true', 'false'])]).transform((v) => v === true || v === '1' || v === 'true'),
    /** On SIGTERM, how long live calls may run to their end before they hear the goodbye. */
    drainTimeoutMs: z.coerce.number().int().min(0).max(24 * 3600_000).default(10 * 60_000),
    /**
     * Admission control: the most live calls one gateway process takes; beyond it each vertical's
     * `overflow` answer. 0: no limit. Default from `npm run bench -- --only fleet` (README "Drain, admission and sizing").
     */
    maxCalls: z.coerce.number().int().min(0).max(100_000).default(200),
    /** `npm start -- --workers N|auto`: gateway processes on this machine (1: this process alone). */
    workers: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(256)]).default(1),
  }),
  paths: z.object({
    verticals: z.string().min(1),
    agents: z.string().min(1),
    data: z.string().min(1),
  }),
  database: z.object({
    url: url(['postgres:', 'postgresql:']).nullable(),
    poolSize: z.coerce.number().int().min(1).max(500),
  }),
  redis: z.object({ url: url(['redis:', 'rediss:']).nullable() }),
  openai: z.object({
    apiKey: z.string().min(1).nullable(),
    realtimeUrl: url(['ws:', 'wss:']),
    realtimeModel: z.string().min(1),
    apiBaseUrl: url(['http:', 'https:']),
    analysisModel: z.string().min(1),
  }),
  twilio: z.object({
    accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex characters').nullable(),
    authToken: z.string().min(1).nullable(),
    apiBaseUrl: url(['http:', 'https:']),
  }),
  elevenlabs: z.object({
    apiKey: z.string().min(1).nullable(),
    /** The ElevenLabs API (its text-to-speech WebSocket is the ws(s) form of this URL). */
    apiBaseUrl: url(['http:', 'https:']).default('https://api.elevenlabs.io'),
  }),
  admin: z.object({ token: z.string().min(16, 'must be at least 16 characters').nullable() }),
  engine: z.object({
    default: z.enum(['auto', 'openai', 'emulator']),
    emulatorBrain: z.enum(['rules', 'scripted']),
    /** SWITCHBOARD_EMULATOR_URL: calls use this running emulator instead of one started in-process (several gateways, one emulator). */
    emulatorUrl: url(['ws:', 'wss:']).nullable().default(null),
  }),
  analysis: z.object({
    concurrency: z.coerce.number().int().min(1).max(64),
    outboxPollMs: z.coerce.number().int().min(10),
  }),
  log: z.object({ level: z.enum(['debug', 'info', 'warn', 'error', 'silent']) }),
  /** The browser carrier (src/telephony/webrtc): ICE servers for remote use, loopback-only mode. */
  webrtc: z.object({
    iceServers: z.preprocess(
      (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
      z.array(z.string().regex(/^(stun|turn|turns):[^\s,]+$/, 'must be stun:, turn: or turns: URLs')),
    ).default([]),
    turnUsername: z.string().min(1).nullable().default(null),
    turnCredential: z.string().min(1).nullable().default(null),
    loopbackOnly: z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean()).default(false),
  }).default({ iceServers: [], turnUsername: null, turnCredential: null, loopbackOnly: false }),
  /** The browser console at /console. */
  console: z.object({
    enabled: z.preprocess((v) => (v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v), z.boolean()).default(true),
    sessionTtlMs: z.coerce.number().int().min(60_000).default(30 * 60_000),
  }).default({ enabled: true, sessionTtlMs: 30 * 60_000 }),
  observability: z.object({
    /** `switchboard worker` serves Prometheus `/metrics` here (null: not at all). The gateway serves it on its own port. */
    workerMetricsPort: z.coerce.number().int().min(0).max(65535).nullable().default(9464),
    /** US dollars per million tokens, by model name: the estimated cost metric (switchboard_model_cost_usd_total). */
    prices: z.record(z.string().min(1), z.object({
      inputPerMTok: z.number().min(0),
      outputPerMTok: z.number().min(0),
    })).default({}),
  }).prefault({}),
  /** Retention purges (each vertical's `retention` days): how often the worker (or the in-process queue) runs one. */
  retention: z.object({
    purgeIntervalMs: z.coerce.number().int().min(60_000).default(3600_000),
  }).prefault({}),
  /** Several gateways and workers on one Postgres and Redis (README "Running more than one instance"). */
  fleet: z.object({
    /** This process's name in the registry and in stream URLs (the proxy routes on it); null: generated at start. */
    instanceId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "_", "." and "-" only (at most 64)').nullable().default(null),
    /** How often each instance writes its heartbeat. */
    heartbeatMs: z.coerce.number().int().min(100).default(5000),
    /** An instance silent this long is lost: another finalises its calls (instance_lost). */
    lostAfterMs: z.coerce.number().int().min(300).default(20_000),
  }).prefault({}),
});

export type AppConfig = z.infer<typeof appConfigSchema>;

/** Environment variable → config path. Secrets are only ever read from here. */
export const ENV_KEYS: Record<string, string> = {
  PORT: 'server.port',
  HOST: 'server.host',
  PUBLIC_URL: 'server.publicUrl',
  SWITCHBOARD_INSECURE: 'server.insecure',
  DATABASE_URL: 'database.url',
  REDIS_URL: 'redis.url',
  OPENAI_API_KEY: 'openai.apiKey',
  OPENAI_REALTIME_URL: 'openai.realtimeUrl',
  OPENAI_BASE_URL: 'openai.apiBaseUrl',
  TWILIO_ACCOUNT_SID: 'twilio.accountSid',
  TWILIO_AUTH_TOKEN: 'twilio.authToken',
  TWILIO_API_BASE_URL: 'twilio.apiBaseUrl',
  ELEVENLABS_API_KEY: 'elevenlabs.apiKey',
  ELEVENLABS_BASE_URL: 'elevenlabs.apiBaseUrl',
  ADMIN_TOKEN: 'admin.token',
  LOG_LEVEL: 'log.level',
  WORKER_METRICS_PORT: 'observability.workerMetricsPort',
  SWITCHBOARD_ENGINE: 'engine.default',
  SWITCHBOARD_VERTICALS_DIR: 'paths.verticals',
  SWITCHBOARD_DATA_DIR: 'paths.data',
  WEBRTC_ICE_SERVERS: 'webrtc.iceServers',
  WEBRTC_TURN_USERNAME: 'webrtc.turnUsername',
  WEBRTC_TURN_CREDENTIAL: 'webrtc.turnCredential',
  WEBRTC_LOOPBACK_ONLY: 'webrtc.loopbackOnly',
  SWITCHBOARD_CONSOLE: 'console.enabled',
  RETENTION_PURGE_INTERVAL_MS: 'retention.purgeIntervalMs',
  SWITCHBOARD_DRAIN_TIMEOUT_MS: 'server.drainTimeoutMs',
  SWITCHBOARD_MAX_CALLS: 'server.maxCalls',
  SWITCHBOARD_WORKERS: 'server.workers',
  SWITCHBOARD_INSTANCE_ID: 'fleet.instanceId',
  SWITCHBOARD_EMULATOR_URL: 'engine.emulatorUrl',
  SWITCHBOARD_HEARTBEAT_MS: 'fleet.heartbeatMs',
  SWITCHBOARD_INSTANCE_LOST_MS: 'fleet.lostAfterMs',
};

/** Keys that must never be set in a YAML file. */
export const SECRET_PATHS = ['openai.apiKey', 'twilio.authToken', 'elevenlabs.apiKey', 'admin.token', 'webrtc.turnCredential'];
