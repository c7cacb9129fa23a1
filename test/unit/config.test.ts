import { ConfigError, loadConfig } from '../../src/config/config';

const HEX_KEY = 'a1'.repeat(32);
const KEY_BYTES = Buffer.from(HEX_KEY, 'hex');

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error(`loadConfig(${JSON.stringify(env)}) did not fail`);
}

describe('loadConfig defaults', () => {
  test('an empty environment gives the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      nodeEnv: 'development',
      port: 4000,
      databaseUrl: undefined,
      redisUrl: undefined,
      adminToken: undefined,
      defaultLocale: 'en',
      migrateOnStart: true,
      introspection: true,
      logLevel: 'info',
      encryptionKeyIsDefault: true,
    });
    expect(c.encryptionKey).toHaveLength(32);
  });

  test('blank values count as unset; values are trimmed', () => {
    const c = loadConfig({ PORT: '  ', LOG_LEVEL: '', DEFAULT_LOCALE: ' fa ', MIGRATE_ON_START: ' false ' });
    expect(c).toMatchObject({ port: 4000, logLevel: 'info', defaultLocale: 'fa', migrateOnStart: false });
  });

  test('valid values are taken', () => {
    const c = loadConfig({
      PORT: '8080',
      LOG_LEVEL: 'debug',
      DEFAULT_LOCALE: 'fa',
      MIGRATE_ON_START: 'false',
      INTROSPECTION: 'no',
      ADMIN_TOKEN: 'a-long-enough-admin-token',
      DATABASE_URL: 'postgresql://u@db:5432/sb',
      REDIS_URL: 'redis://cache:6379',
    });
    expect(c).toMatchObject({
      port: 8080,
      logLevel: 'debug',
      defaultLocale: 'fa',
      migrateOnStart: false,
      introspection: false,
      adminToken: 'a-long-enough-admin-token',
      databaseUrl: 'postgresql://u@db:5432/sb',
      redisUrl: 'redis://cache:6379',
    });
  });

  test.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['on', true],
    ['false', false],
    ['0', false],
    ['No', false],
    ['off', false],
  ])('MIGRATE_ON_START=%s is %s', (raw, expected) => {
    expect(loadConfig({ MIGRATE_ON_START: raw }).migrateOnStart).toBe(expected);
  });

  test.each(['0', '1', '65535'])('PORT=%s is accepted', (raw) => {
    expect(loadConfig({ PORT: raw }).port).toBe(Number(raw));
  });
});

describe('loadConfig rejects bad values with a message naming the variable', () => {
  test.each(['abc', '-1', '65536', '80.5', '4e3', '0x50'])('PORT=%s', (raw) => {
    const e = failure({ PORT: raw });
    expect(e.message).toContain('PORT');
  });

  test.each(['verbose', 'INFO!', 'warning'])('LOG_LEVEL=%s', (raw) => {
    const e = failure({ LOG_LEVEL: raw });
    expect(e.message).toContain('LOG_LEVEL');
    expect(e.message).toContain(raw);
  });

  test.each(['de', 'fa-IR', 'english'])('DEFAULT_LOCALE=%s', (raw) => {
    const e = failure({ DEFAULT_LOCALE: raw });
    expect(e.message).toContain('DEFAULT_LOCALE');
    expect(e.message).toMatch(/en, fa/);
  });

  test.each(['maybe', 'y', '2'])('MIGRATE_ON_START=%s', (raw) => {
    const e = failure({ MIGRATE_ON_START: raw });
    expect(e.message).toContain('MIGRATE_ON_START');
  });

  test('ADMIN_TOKEN shorter than 16 characters', () => {
    expect(failure({ ADMIN_TOKEN: 'short' }).message).toContain('ADMIN_TOKEN');
  });

  test.each(['not a url', 'mysql://db/sb', 'http://db'])('DATABASE_URL=%s', (raw) => {
    expect(failure({ DATABASE_URL: raw }).message).toContain('DATABASE_URL');
  });

  test('REDIS_URL with another scheme', () => {
    expect(failure({ REDIS_URL: 'http://cache' }).message).toContain('REDIS_URL');
  });

  test('the message never echoes a secret', () => {
    const e = failure({ ENCRYPTION_KEY: 'tooshort-secret' });
    expect(e.message).not.toContain('tooshort-secret');
  });
});

describe('ENCRYPTION_KEY', () => {
  test('is required in production', () => {
    const e = failure({ NODE_ENV: 'production' });
    expect(e.message).toContain('ENCRYPTION_KEY');
  });

  test('is accepted in production when given', () => {
    const c = loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEY: HEX_KEY });
    expect(c.encryptionKeyIsDefault).toBe(false);
    expect(c.encryptionKey.equals(KEY_BYTES)).toBe(true);
  });

  test('outside production a missing key means the development key, flagged as default', () => {
    const c = loadConfig({ NODE_ENV: 'test' });
    expect(c.encryptionKeyIsDefault).toBe(true);
    expect(c.encryptionKey).toHaveLength(32);
  });

  test.each([
    ['64 hex characters', HEX_KEY],
    ['64 upper-case hex characters', HEX_KEY.toUpperCase()],
    ['base64', KEY_BYTES.toString('base64')],
    ['base64 without padding', KEY_BYTES.toString('base64').replace(/=+$/, '')],
    ['base64url', KEY_BYTES.toString('base64url')],
  ])('is accepted as %s', (_label, raw) => {
    const c = loadConfig({ ENCRYPTION_KEY: raw });
    expect(c.encryptionKeyIsDefault).toBe(false);
    expect(c.encryptionKey.equals(KEY_BYTES)).toBe(true);
  });

  test('a base64 key with + and / decodes to its bytes', () => {
    const bytes = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i));
    const raw = bytes.toString('base64');
    expect(raw).toMatch(/[+/]/);
    expect(loadConfig({ ENCRYPTION_KEY: raw }).encryptionKey.equals(bytes)).toBe(true);
  });

  test.each([
    ['62 hex characters', 'a1'.repeat(31)],
    ['66 hex characters', 'a1'.repeat(33)],
    ['base64 of 31 bytes', Buffer.alloc(31, 7).toString('base64')],
    ['base64 of 33 bytes', Buffer.alloc(33, 7).toString('base64')],
    ['not base64', 'this is not a key at all!!'],
  ])('is rejected as %s, naming the variable', (_label, raw) => {
    const e = failure({ ENCRYPTION_KEY: raw });
    expect(e.message).toContain('ENCRYPTION_KEY');
    expect(e.message).toMatch(/32 bytes/);
  });
});

describe('AUDIT_RETENTION_DAYS', () => {
  test('unset keeps every audit event', () => {
    expect(loadConfig({}).auditRetentionDays).toBeUndefined();
  });

  test('a number of days is taken', () => {
    expect(loadConfig({ AUDIT_RETENTION_DAYS: ' 90 ' }).auditRetentionDays).toBe(90);
  });

  test.each(['0', '-5', 'forever', '1.5', '36501'])('AUDIT_RETENTION_DAYS=%s is rejected, naming the variable', (raw) => {
    expect(failure({ AUDIT_RETENTION_DAYS: raw }).message).toContain('AUDIT_RETENTION_DAYS');
  });
});

describe('hardening limits and timeouts', () => {
  test('defaults: generous limits, every timeout set, private upstreams refused', () => {
    const c = loadConfig({});
    expect(c.limits).toEqual({
      maxDepth: 20,
      maxAliases: 100,
      maxCost: 10000,
      maxTokens: 5000,
      maxSubscriptionsPerConnection: 100,
      maxConnectionsPerUser: 50,
    });
    expect(c.http).toEqual({ requestTimeoutMs: 30000, connectionTimeoutMs: 60000, keepAliveTimeoutMs: 72000 });
    expect(c.database).toEqual({ statementTimeoutMs: 15000, lockTimeoutMs: 10000, idleInTransactionTimeoutMs: 10000 });
    expect(c.upstreamAllowPrivate).toBe(false);
  });

  test('each variable is read', () => {
    const c = loadConfig({
      MAX_OPERATION_DEPTH: '8',
      MAX_OPERATION_ALIASES: '5',
      MAX_OPERATION_COST: '300',
      MAX_OPERATION_TOKENS: '400',
      MAX_SUBSCRIPTIONS_PER_CONNECTION: '3',
      MAX_CONNECTIONS_PER_USER: '2',
      HTTP_REQUEST_TIMEOUT_MS: '5000',
      HTTP_CONNECTION_TIMEOUT_MS: '6000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '7000',
      DATABASE_STATEMENT_TIMEOUT_MS: '800',
      DATABASE_LOCK_TIMEOUT_MS: '900',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000',
      UPSTREAM_ALLOW_PRIVATE: 'true',
    });
    expect(c.limits).toEqual({
      maxDepth: 8,
      maxAliases: 5,
      maxCost: 300,
      maxTokens: 400,
      maxSubscriptionsPerConnection: 3,
      maxConnectionsPerUser: 2,
    });
    expect(c.http).toEqual({ requestTimeoutMs: 5000, connectionTimeoutMs: 6000, keepAliveTimeoutMs: 7000 });
    expect(c.database).toEqual({ statementTimeoutMs: 800, lockTimeoutMs: 900, idleInTransactionTimeoutMs: 1000 });
    expect(c.upstreamAllowPrivate).toBe(true);
  });

  test.each([
    ['MAX_OPERATION_DEPTH', '0'],
    ['MAX_OPERATION_COST', 'lots'],
    ['MAX_OPERATION_TOKENS', '10'],
    ['MAX_SUBSCRIPTIONS_PER_CONNECTION', '0'],
    ['HTTP_REQUEST_TIMEOUT_MS', '0'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', '-1'],
    ['UPSTREAM_ALLOW_PRIVATE', 'maybe'],
  ])('%s=%s is refused, naming the variable', (name, value) => {
    expect(failure({ [name]: value }).message).toContain(name);
  });
});

describe('OTEL_EXPORTER_OTLP_ENDPOINT (tracing)', () => {
  test('unset: tracing off', () => {
    expect(loadConfig({}).otelEndpoint).toBeUndefined();
  });
  test('an http(s) URL turns it on', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otelEndpoint).toBe('http://collector:4318');
  });
  test('anything else is refused, naming the variable', () => {
    expect(failure({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).message).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(failure({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' }).message).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
  });
});
