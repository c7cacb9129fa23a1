import { classifyAddress, egressRefusal, guardedFetch } from '../../src/modules/gateway/adapters/egress-guard';
import { createModel, createMember, errorCode, type MemberRef } from '../helpers/factories';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { captureLogger, createProviderWith } from '../helpers/gateway-fixtures';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Issue 9, egress: where upstream calls may go, and what a provider's settings may hold. */

describe('address classes', () => {
  test.each([
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fd12::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['2606:4700::1111', 'public'],
  ])('%s is %s', (ip, cls) => expect(classifyAddress(ip)).toBe(cls));

  test('metadata and link-local are refused even when private addresses are allowed', () => {
    for (const ip of ['169.254.169.254', 'fd00:ec2::254', '169.254.1.1', 'fe80::1'])
      expect(egressRefusal(ip, { allowPrivate: true })).not.toBeNull();
    expect(egressRefusal('127.0.0.1', { allowPrivate: true })).toBeNull();
    expect(egressRefusal('127.0.0.1', { allowPrivate: false })).toMatch(/loopback/);
    expect(egressRefusal('93.184.216.34', { allowPrivate: false })).toBeNull();
  });
});

describe('guarded fetch', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
  });
  afterAll(() => upstream.close());

  const post = (f: typeof fetch, url: string) =>
    f(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', redirect: 'manual' });

  test('a loopback upstream: refused by default, allowed with allowPrivate (the DNS answer is checked at connect)', async () => {
    const port = new URL(upstream.url).port;
    await expect(post(guardedFetch({ allowPrivate: false }), `http://127.0.0.1:${port}/v1/chat/completions`)).rejects.toThrow(/loopback/);
    // A name that resolves to loopback: the connection's own lookup refuses it.
    await expect(post(guardedFetch({ allowPrivate: false }), `http://localhost:${port}/v1/chat/completions`)).rejects.toMatchObject({
      cause: expect.objectContaining({ code: 'EGRESS_REFUSED' }),
    });
    const ok = await post(guardedFetch({ allowPrivate: true }), `http://localhost:${port}/v1/chat/completions`);
    expect(ok.status).toBeLessThan(500);
  });

  test('the metadata address is refused whatever the policy', async () => {
    await expect(post(guardedFetch({ allowPrivate: true }), 'http://169.254.169.254/latest/meta-data/')).rejects.toThrow(/metadata/);
    await expect(post(guardedFetch({ allowPrivate: true }), 'http://[::ffff:169.254.169.254]/')).rejects.toThrow(/refused/);
  });
});

describe('a production server (NODE_ENV=production)', () => {
  let upstream: FakeUpstream;
  let t: TestServer;
  let allowed: TestServer;
  let member: MemberRef;
  const log = captureLogger();
  beforeAll(async () => {
    upstream = await startFakeUpstream();
    t = await startTestServer({ nodeEnv: 'production', upstreamAllowPrivate: false }, { logger: log.logger });
    await createProviderWith(t, { slug: 'local', baseUrl: `${upstream.url}/v1`, sharedApiKey: 'sk-shared-0123456789', sharedApiEnabled: true });
    await createProviderWith(t, {
      slug: 'metadata',
      baseUrl: 'http://169.254.169.254/v1',
      sharedApiKey: 'sk-shared-0123456789',
      sharedApiEnabled: true,
    });
    await createModel(t, 'local', 'm', ['CHAT'], { active: true });
    await createModel(t, 'metadata', 'm', ['CHAT'], { active: true });
    member = await createMember(t, 'egress-member');
    allowed = await startTestServer({ nodeEnv: 'production', upstreamAllowPrivate: true, databaseUrl: t.databaseUrl });
  });
  afterAll(async () => {
    await allowed.close();
    await t.close();
    await upstream.close();
  });

  const chat = (server: TestServer, provider: string) =>
    server.gql(
      `mutation($p: String!) { chat(input: { provider: $p, messages: [{ role: USER, content: "hi" }] }) { content } }`,
      { p: provider },
      { token: member.token },
    );

  test('refuses a loopback upstream unless UPSTREAM_ALLOW_PRIVATE=true, and the metadata address always', async () => {
    const refused = await chat(t, 'local');
    expect(errorCode(refused)).toBe('PROVIDER_ERROR');
    expect(upstream.requests).toHaveLength(0);
    expect(log.lines.join('\n')).toMatch(/refused/);
    const ok = await chat(allowed, 'local');
    expect(ok.errors).toBeUndefined();
    expect(upstream.requests).toHaveLength(1);
    expect(errorCode(await chat(allowed, 'metadata'))).toBe('PROVIDER_ERROR');
  });

  test.each(['file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'ftp://example.com/v1'])(
    'updateProvider refuses baseUrl %p like createProvider does',
    async (baseUrl) => {
      const update = await t.gql(`mutation($u: String!) { updateProvider(input: { slug: "local", baseUrl: $u }) { baseUrl } }`, { u: baseUrl });
      expect(errorCode(update)).toBe('BAD_USER_INPUT');
      const create = await t.gql(`mutation($u: String!) { createProvider(input: { slug: "other", name: "O", baseUrl: $u }) { baseUrl } }`, {
        u: baseUrl,
      });
      expect(errorCode(create)).toBe('BAD_USER_INPUT');
    },
  );

  test('updateProvider still accepts an http(s) URL, and "" removes it', async () => {
    const set = await t.gql<{ updateProvider: { baseUrl: string | null } }>(
      `mutation { updateProvider(input: { slug: "metadata", baseUrl: "https://api.example.com/v1" }) { baseUrl } }`,
    );
    expect(set.data.updateProvider.baseUrl).toBe('https://api.example.com/v1');
    const removed = await t.gql<{ updateProvider: { baseUrl: string | null } }>(
      `mutation { updateProvider(input: { slug: "metadata", baseUrl: "" }) { baseUrl } }`,
    );
    expect(removed.data.updateProvider.baseUrl).toBeNull();
  });

  test.each(['sk-abc\r\nX-Evil: 1', 'sk-with space-123', 'sk-ünïcode-12345', 'short'])(
    'a shared key like %p is refused, as a personal key would be',
    async (key) => {
      const update = await t.gql(`mutation($k: String!) { updateProvider(input: { slug: "local", sharedApiKey: $k }) { id } }`, { k: key });
      expect(errorCode(update)).toBe('BAD_USER_INPUT');
      const create = await t.gql(`mutation($k: String!) { createProvider(input: { slug: "keyed", name: "K", sharedApiKey: $k }) { id } }`, {
        k: key,
      });
      expect(errorCode(create)).toBe('BAD_USER_INPUT');
    },
  );
});
