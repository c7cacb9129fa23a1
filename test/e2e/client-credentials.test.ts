import { SwitchboardClient, SwitchboardError } from '../../src/client';
import { createMember, createModel, createProvider, expectOk, type MemberRef } from '../helpers/factories';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { waitUntil } from '../helpers/client-scenario';

/** The client gives up on bad credentials, and only on them. */

let t: TestServer;
const clients: SwitchboardClient[] = [];

beforeAll(async () => {
  t = await startTestServer();
  await createProvider(t, 'acme');
  await createModel(t, 'acme', 'm1', ['CHAT'], { active: true });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await t?.close();
});

function client(token: string, extra: Partial<ConstructorParameters<typeof SwitchboardClient>[0]> = {}): SwitchboardClient {
  const c = new SwitchboardClient({ url: `${t.url}/graphql`, token, ...extra });
  clients.push(c);
  return c;
}

test('a bad token: ready() rejects with the server code UNAUTHENTICATED and the client is closed', async () => {
  const c = client('sb_not-a-real-token-000000000000');
  const errors: SwitchboardError[] = [];
  c.on('error', (e) => errors.push(e));
  await expect(c.ready()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  expect(c.state).toBe('closed');
  expect(errors.map((e) => e.code)).toEqual(['UNAUTHENTICATED']);
});

test('a token revoked while live: the client stops with an auth error, keeping its last values', async () => {
  const member: MemberRef = await createMember(t, 'svc-revoked');
  const c = client(member.token, { credentialCheckMs: 200 });
  await c.ready();
  await waitUntil(() => c.state === 'live', 10_000, 'live');
  expect(c.activeModel('acme', 'chat')).toMatchObject({ name: 'm1' });
  const failed = new Promise<SwitchboardError>((resolve) => c.on('error', resolve));

  expectOk(await t.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }`, { id: member.tokenId }));

  const error = await failed;
  expect(error).toBeInstanceOf(SwitchboardError);
  expect(error.code).toBe('UNAUTHENTICATED');
  expect(c.state).toBe('closed');
  expect(c.activeModel('acme', 'CHAT')).toMatchObject({ name: 'm1' });
});

test('an unknown provider to follow: ready() rejects with NOT_FOUND', async () => {
  const member = await createMember(t, 'svc-unknown');
  await expect(client(member.token, { providers: ['nope'] }).ready()).rejects.toMatchObject({ code: 'NOT_FOUND' });
});
