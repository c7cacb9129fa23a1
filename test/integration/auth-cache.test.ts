import { stripVTControlCharacters } from 'node:util';
import pino from 'pino';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ADMIN_TOKEN, dropDatabase, freshDatabaseUrl, startTestServer, type GqlResult, type TestServer } from '../helpers/test-server';
import { createMember, errorCode, expectOk, query, type MemberRef } from '../helpers/factories';
import { redisProcess, startServerProcess, type RedisProcess, type ServerProcess } from '../helpers/server-process';
import { waitFor } from '../helpers/wait';
import {
  CreateApiTokenDocument,
  CreateUserDocument,
  RevokeApiTokenDocument,
  TypenameDocument,
  UpdateUserDocument,
  ViewerDocument,
  ViewerIdentityDocument,
  ViewerNameDocument,
  ViewerNameRoleDocument,
} from '../generated/graphql';

/**
 * The token cache (AuthService): a token's answer is reused for up to 30 s, and every change the
 * server makes to a user or a token takes effect
 *  - on the instance that made it, on the very next request;
 *  - on every other instance as soon as the AUTH_CHANGED event reaches it (published after the
 *    commit, before the mutation returns; tested below: within 1 s, in practice milliseconds);
 *  - while an instance's Redis subscriber connection is down (or not yet re-subscribed), that
 *    instance does not use its cache at all, and it empties it when the connection is back.
 * The 30 s TTL is only the safety net for an event lost while the connection stayed up.
 */

jest.setTimeout(120_000);

const clean = (s: string) => stripVTControlCharacters(s).replace(/^\[query\]\s*/, '');
const isLastUsedHint = (s: string) => /update\s+"?api_token"?\s+set\s+"?last_used_at"?/i.test(s);

describe('one instance', () => {
  let t: TestServer;
  const statements: string[] = [];
  let member: MemberRef;

  beforeAll(async () => {
    t = await startTestServer({}, { logger: pino({ level: 'silent' }), onQuery: (s) => statements.push(clean(s)) });
    member = await createMember(t, 'cora');
    // The outbox relay and the scheduled-switch worker poll on timers; their statements are not the request's.
    await t.server.services.outbox.stop();
    await t.server.services.scheduleWorker.stop();
  });
  afterAll(() => t?.close());

  /**
   * The statements a request issues (the fire-and-forget lastUsedAt hint aside): every other statement
   * of a request runs before its response, so no wait is needed.
   */
  async function counted<T>(run: () => Promise<GqlResult<T>>): Promise<{ res: GqlResult<T>; sql: string[] }> {
    const from = statements.length;
    const res = await run();
    return { res, sql: statements.slice(from).filter((s) => !isLastUsedHint(s)) };
  }

  test('a cached token costs no SQL statement; an unknown one always reaches the database', async () => {
    const first = await counted(() => t.op(TypenameDocument, {}, { token: member.token }));
    expect(first.res.errors).toBeUndefined();
    expect(first.sql).toHaveLength(1);
    expect(first.sql[0]).toMatch(/from api_token/);
    for (let i = 0; i < 3; i++) {
      const hit = await counted(() => t.op(ViewerIdentityDocument, {}, { token: member.token }));
      expect(expectOk(hit.res).viewer).toEqual({ id: member.id, name: 'cora', role: 'MEMBER' });
      expect(hit.sql).toEqual([]);
    }
    for (let i = 0; i < 2; i++) {
      const unknown = await counted(() => t.op(TypenameDocument, {}, { token: 'sb_not-a-token' }));
      expect(errorCode(unknown.res)).toBe('UNAUTHENTICATED');
      expect(unknown.sql).toHaveLength(1);
    }
  });

  test('revoked: the next request is UNAUTHENTICATED (by the owner and by an ADMIN)', async () => {
    for (const revoker of ['owner', 'admin'] as const) {
      const created = expectOk(
        await t.op(CreateApiTokenDocument, { input: { name: `cached-${revoker}` } }, { token: member.token }),
      ).createApiToken;
      // Cached (the second read issues no statement).
      expect(expectOk(await t.op(ViewerNameDocument, {}, { token: created.token })).viewer.name).toBe('cora');
      const again = await counted(() => t.op(ViewerNameDocument, {}, { token: created.token }));
      expect(again.sql).toEqual([]);

      expectOk(await t.op(RevokeApiTokenDocument, { id: created.apiToken.id }, { token: revoker === 'owner' ? member.token : ADMIN_TOKEN }));
      const next = await t.op(ViewerNameDocument, {}, { token: created.token });
      expect(next.status).toBe(401);
      expect(errorCode(next)).toBe('UNAUTHENTICATED');
      // The owner's other token is unaffected.
      expect(expectOk(await t.op(ViewerNameDocument, {}, { token: member.token })).viewer.name).toBe('cora');
    }
  });

  test('role and shared-key permission changes: the next request sees them', async () => {
    const viewer = async () => expectOk(await t.op(ViewerDocument, {}, { token: member.token })).viewer.role;
    const mayUseShared = async () => expectOk(await t.op(ViewerDocument, {}, { token: member.token })).viewer.canUseSharedApi;
    expect(await viewer()).toBe('MEMBER');
    expect(await viewer()).toBe('MEMBER'); // cached

    expectOk(await t.op(UpdateUserDocument, { input: { id: member.id, role: 'ADMIN' } }));
    expect(await viewer()).toBe('ADMIN');
    // It may act as ADMIN at once (the cached MEMBER answer is gone) …
    expectOk(await t.op(CreateUserDocument, { input: { name: 'by-cora', role: 'MEMBER' } }, { token: member.token }));
    expectOk(await t.op(UpdateUserDocument, { input: { id: member.id, role: 'MEMBER' } }));
    expect(await viewer()).toBe('MEMBER');
    // … and no longer once demoted.
    const denied = await t.op(CreateUserDocument, { input: { name: 'by-cora-2', role: 'MEMBER' } }, { token: member.token });
    expect(errorCode(denied)).toBe('FORBIDDEN');

    expect(await mayUseShared()).toBe(true);
    expectOk(await t.op(UpdateUserDocument, { input: { id: member.id, canUseSharedApi: false } }));
    expect(await mayUseShared()).toBe(false);
    expectOk(await t.op(UpdateUserDocument, { input: { id: member.id, canUseSharedApi: true } }));
    expect(await mayUseShared()).toBe(true);
  });

  test('a failed change (the last ADMIN cannot be demoted) leaves the cached answer right', async () => {
    const adminId = expectOk(await t.op(ViewerDocument)).viewer.id;
    expect(errorCode(await t.op(UpdateUserDocument, { input: { id: adminId, role: 'MEMBER' } }))).toBe('CONFLICT');
    expect(expectOk(await t.op(ViewerDocument)).viewer.role).toBe('ADMIN');
  });
});

describe('Redis outage', () => {
  let redis: RedisProcess;
  let t: TestServer;
  let member: MemberRef;
  const statements: string[] = [];

  beforeAll(async () => {
    redis = await redisProcess();
    t = await startTestServer({ redisUrl: redis.url }, { logger: pino({ level: 'silent' }), onQuery: (s) => statements.push(clean(s)) });
    member = await createMember(t, 'rudi');
  });
  afterAll(async () => {
    await t?.close();
    await redis?.kill();
  });

  const authStatements = async (token: string) => {
    const from = statements.length;
    const res = await t.op(ViewerNameDocument, {}, { token });
    return { res, auth: statements.slice(from).filter((s) => /from api_token/.test(s)).length };
  };

  test('without the subscriber connection the cache is bypassed; once it is back the cache is emptied and used again', async () => {
    await waitFor(
      () => t.server.backplane.isHealthy(),
      (h) => h,
      { timeoutMs: 5000, what: 'the backplane to be healthy' },
    );
    await authStatements(member.token);
    expect((await authStatements(member.token)).auth).toBe(0);

    await redis.kill();
    await waitFor(
      () => t.server.backplane.isHealthy(),
      (h) => !h,
      { timeoutMs: 5000, what: 'the backplane to notice the outage' },
    );
    // Every request reads its token from the database …
    expect((await authStatements(member.token)).auth).toBe(1);
    expect((await authStatements(member.token)).auth).toBe(1);
    // … so a change no event could announce (here: by hand in SQL) counts at once.
    await query(t, 'update api_token set revoked_at = now() where id = $1', [member.tokenId]);
    expect(errorCode((await authStatements(member.token)).res)).toBe('UNAUTHENTICATED');
    await query(t, 'update api_token set revoked_at = null where id = $1', [member.tokenId]);

    await redis.start();
    await waitFor(
      () => t.server.backplane.isHealthy(),
      (h) => h,
      { timeoutMs: 10_000, what: 'the backplane to be healthy again' },
    );
    // The cache was emptied (or is still bypassed until the re-subscription completes): the database answers …
    expect((await authStatements(member.token)).auth).toBe(1);
    // … and once re-subscribed, the cache is filled and used again.
    await waitFor(
      () => authStatements(member.token),
      (r) => r.auth === 0,
      { what: 'the token cache to be used again' },
    );
  });
});

/**
 * Two real server processes on one database and one (private) Redis. The guarantee: a change made
 * through A is in force on B once B has received A's AUTH_CHANGED event, which A publishes after
 * the commit and before the mutation returns; the event normally arrives within milliseconds, and
 * this test allows 1 s. (Without it, B's entry would still expire after the 30 s TTL.)
 */
describe('two instances', () => {
  let redis: RedisProcess;
  let databaseUrl: string;
  let a: ServerProcess;
  let b: ServerProcess;

  async function op<T, V>(server: ServerProcess, document: TypedDocumentNode<T, V>, variables: V, token = ADMIN_TOKEN): Promise<GqlResult<T>> {
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(document), variables }),
    });
    const body = (await res.json()) as { data: T; errors?: GqlResult['errors'] };
    return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
  }

  beforeAll(async () => {
    redis = await redisProcess();
    databaseUrl = freshDatabaseUrl('authcache');
    const env = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, ADMIN_TOKEN, LOG_LEVEL: 'warn' };
    a = await startServerProcess(env);
    b = await startServerProcess(env);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.kill();
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  test('a token revoked through A fails on B within 1 s; a role changed through A shows on B within 1 s', async () => {
    const user = expectOk(await op(a, CreateUserDocument, { input: { name: 'bea', role: 'MEMBER' } })).createUser;
    const created = expectOk(await op(a, CreateApiTokenDocument, { input: { name: 't', userId: user.id } })).createApiToken;
    const viewerOnB = () => op(b, ViewerNameRoleDocument, {}, created.token);
    // B caches the token (several reads, so the cached answer is what B serves).
    for (let i = 0; i < 3; i++) expect(expectOk(await viewerOnB()).viewer).toEqual({ name: 'bea', role: 'MEMBER' });

    expectOk(await op(a, UpdateUserDocument, { input: { id: user.id, role: 'ADMIN' } }));
    const promoted = await waitFor(viewerOnB, (r) => r.data?.viewer?.role === 'ADMIN', { timeoutMs: 1000, what: 'B to see the new role' });
    expect(promoted.data.viewer.role).toBe('ADMIN');

    expectOk(await op(a, RevokeApiTokenDocument, { id: created.apiToken.id }));
    const revoked = await waitFor(viewerOnB, (r) => r.status === 401, { timeoutMs: 1000, what: 'B to refuse the revoked token' });
    expect(revoked.status).toBe(401);
    expect(errorCode(revoked)).toBe('UNAUTHENTICATED');
    // And it stays revoked.
    expect((await viewerOnB()).status).toBe(401);
  });
});
