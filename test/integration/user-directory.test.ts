import { startTestServer, type TestServer } from '../helpers/test-server';
import { createMember, createProvider, errorCode, expectOk, type MemberRef } from '../helpers/factories';
import { DirectoryProviderHintDocument, DirectoryUsersDocument, DirectoryViewerTokensDocument } from '../generated/graphql';

/** The reads the admin console needs: the users list (ADMIN), each user's tokens, the shared key's hint. */

let t: TestServer;
let mia: MemberRef;

beforeAll(async () => {
  t = await startTestServer();
  mia = await createMember(t, 'mia');
  await createMember(t, 'bob');
  await createMember(t, 'zoe', 'ADMIN');
});
afterAll(() => t?.close());

test('users lists everyone by name, a page at a time, with their tokens', async () => {
  const first = expectOk(await t.op(DirectoryUsersDocument, { first: 2 })).users;
  expect(first.edges.map((e) => e.node.name)).toEqual(['admin', 'bob']);
  expect(first.pageInfo.hasNextPage).toBe(true);
  const rest = expectOk(await t.op(DirectoryUsersDocument, { first: 2, after: first.pageInfo.endCursor })).users;
  expect(rest.edges.map((e) => e.node.name)).toEqual(['mia', 'zoe']);
  expect(rest.pageInfo.hasNextPage).toBe(false);
  const miaNode = rest.edges[0].node;
  expect(miaNode).toMatchObject({ role: 'MEMBER', canUseSharedApi: true });
  expect(miaNode.apiTokens).toEqual([{ id: mia.tokenId, name: 'mia-token', revokedAt: null }]);
});

test('users is for ADMIN only, and checks its page arguments', async () => {
  const asMember = await t.op(DirectoryUsersDocument, {}, { token: mia.token });
  expect(errorCode(asMember)).toBe('FORBIDDEN');
  expect(errorCode(await t.op(DirectoryUsersDocument, { first: 0 }))).toBe('BAD_USER_INPUT');
  expect(errorCode(await t.op(DirectoryUsersDocument, { after: '!!' }))).toBe('BAD_USER_INPUT');
});

test('a member sees its own tokens, revoked ones included, never a secret', async () => {
  const extra = await t.gql<{ createApiToken: { apiToken: { id: string } } }>(
    `mutation { createApiToken(input: { name: "laptop" }) { apiToken { id } } }`,
    {},
    { token: mia.token },
  );
  const id = expectOk(extra).createApiToken.apiToken.id;
  expectOk(await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id }, { token: mia.token }));
  const own = expectOk(await t.op(DirectoryViewerTokensDocument, {}, { token: mia.token })).viewer.apiTokens;
  expect(own.map((k) => k.name)).toEqual(['laptop', 'mia-token']);
  expect(own[0].revokedAt).not.toBeNull();
  expect(JSON.stringify(own)).not.toMatch(/token_hash|tokenHash/);
});

test('a provider shows the hint of its shared key, never the key', async () => {
  await createProvider(t, 'keyed', { sharedApiKey: 'sk-secret-9876', sharedApiEnabled: true });
  await createProvider(t, 'bare');
  const keyed = expectOk(await t.op(DirectoryProviderHintDocument, { slug: 'keyed' })).provider;
  expect(keyed).toEqual({ hasSharedApiKey: true, sharedApiKeyHint: '…9876' });
  const bare = expectOk(await t.op(DirectoryProviderHintDocument, { slug: 'bare' })).provider;
  expect(bare).toEqual({ hasSharedApiKey: false, sharedApiKeyHint: null });
});
