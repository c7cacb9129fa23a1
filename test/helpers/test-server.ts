import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config';
import { createServer, type ServerOptions, type SwitchboardServer } from '../../src/server';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const PG_ROOT = process.env.TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432';

/** A fresh, uniquely named database per test file, so files can run in parallel. */
export function freshDatabaseUrl(label = 'test'): string {
  return `${PG_ROOT}/sb_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new Client({ connectionString: `${PG_ROOT}/postgres` });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

export interface GqlResult<T = any> {
  status: number;
  data: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
  headers: Headers;
}

export interface GqlOptions {
  token?: string | null;
  locale?: string;
}

export interface TestServer {
  server: SwitchboardServer;
  url: string;
  config: Config;
  databaseUrl: string;
  /** POSTs an operation; the admin token is used unless `token` says otherwise (null: none). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, options?: GqlOptions): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

export async function startTestServer(
  overrides: Partial<Config> = {},
  options: ServerOptions & { keepDatabase?: boolean } = {},
): Promise<TestServer> {
  const databaseUrl = overrides.databaseUrl ?? freshDatabaseUrl();
  const config: Config = {
    ...loadConfig({}),
    port: 0,
    host: '127.0.0.1',
    adminToken: ADMIN_TOKEN,
    logLevel: 'silent',
    redisUrl: undefined,
    ...overrides,
    databaseUrl,
  };
  const server = await createServer(config, { logger: options.logger ?? pino({ level: 'silent' }), ...options });
  const url = await server.listen();
  const gql = async <T>(query: string, variables: Record<string, unknown> = {}, opts: GqlOptions = {}): Promise<GqlResult<T>> => {
    const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.locale) headers['accept-language'] = opts.locale;
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as { data: T; errors?: GqlResult['errors'] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  };
  return {
    server,
    url,
    config,
    databaseUrl,
    gql,
    async close() {
      await server.close();
      if (!options.keepDatabase && !overrides.databaseUrl) await dropDatabase(databaseUrl);
    },
  };
}
