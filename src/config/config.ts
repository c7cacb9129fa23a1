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
  /** Absent: the local Postgres at 127.0.0.1:5432, database `switchboard` (or the embedded one). */
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
  dataDir: string | undefined;
  embeddedPostgres: boolean;
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
    dataDir: str(env, 'DATA_DIR'),
    embeddedPostgres: bool(env, 'EMBEDDED_POSTGRES', false),
  };
}
