import { Client, type QueryResultRow } from 'pg';
import type { GqlResult, TestServer } from './test-server';
import {
  FactoryActivateModelDocument,
  FactoryCreateApiTokenDocument,
  FactoryCreateModelDocument,
  FactoryCreateProviderDocument,
  FactoryCreateUserDocument,
  type Capability,
  type FactoryActivateModelMutation,
} from '../generated/graphql';

/** Small helpers that create data through the public API (as the admin) and fail loudly when that fails. */

export function expectOk<T>(res: GqlResult<T>, what = 'operation'): T {
  if (res.errors?.length || res.status !== 200) {
    throw new Error(`${what} failed (HTTP ${res.status}): ${JSON.stringify(res.errors)}`);
  }
  return res.data;
}

/** The single error code of a failed response (asserts there is exactly one error). */
export function errorCode(res: GqlResult): string | undefined {
  return res.errors?.[0]?.extensions?.code;
}

export interface ProviderRef {
  id: string;
  slug: string;
}

export async function createProvider(
  t: TestServer,
  slug: string,
  extra: { name?: string; baseUrl?: string; sharedApiKey?: string; sharedApiEnabled?: boolean } = {},
): Promise<ProviderRef> {
  const res = await t.op(FactoryCreateProviderDocument, { input: { slug, name: extra.name ?? slug.toUpperCase(), ...extra } });
  return expectOk(res, `createProvider(${slug})`).createProvider;
}

export interface ModelRef {
  id: string;
  name: string;
}

export async function createModel(
  t: TestServer,
  provider: string,
  name: string,
  capabilities: string[],
  extra: { active?: boolean; modelId?: string; displayName?: string } = {},
): Promise<ModelRef> {
  const res = await t.op(FactoryCreateModelDocument, {
    input: { provider, name, modelId: extra.modelId ?? `${provider}/${name}`, capabilities: capabilities as Capability[], ...extra },
  });
  return expectOk(res, `createModel(${provider}/${name})`).createModel;
}

export interface MemberRef {
  id: string;
  name: string;
  token: string;
  tokenId: string;
}

/** A user (MEMBER by default) with one fresh API token. */
export async function createMember(t: TestServer, name: string, role: 'MEMBER' | 'ADMIN' = 'MEMBER'): Promise<MemberRef> {
  const user = expectOk(await t.op(FactoryCreateUserDocument, { input: { name, role } }), `createUser(${name})`).createUser;
  const token = expectOk(
    await t.op(FactoryCreateApiTokenDocument, { input: { name: `${name}-token`, userId: user.id } }),
    `createApiToken(${name})`,
  ).createApiToken;
  return { id: user.id, name: user.name, token: token.token, tokenId: token.apiToken.id };
}

export async function activate(
  t: TestServer,
  modelId: string,
  opts: { capabilities?: string[]; expectedVersion?: number } = {},
): Promise<GqlResult<FactoryActivateModelMutation>> {
  return t.op(FactoryActivateModelDocument, { input: { modelId, ...opts, capabilities: opts.capabilities as Capability[] | undefined } });
}

/** A connected raw `pg` client on the test database; the caller ends it. */
export async function sql(t: TestServer | string): Promise<Client> {
  const client = new Client({ connectionString: typeof t === 'string' ? t : t.databaseUrl });
  await client.connect();
  return client;
}

/** Runs one query on a short-lived connection. */
export async function query<R extends QueryResultRow = QueryResultRow>(t: TestServer, text: string, params: unknown[] = []): Promise<R[]> {
  const client = await sql(t);
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}
