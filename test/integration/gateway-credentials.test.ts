import type { TestServer } from '../helpers/test-server';
import { activate, createMember, createModel, errorCode, expectOk, query, type MemberRef } from '../helpers/factories';
import type { FakeUpstream } from '../helpers/fake-upstream';
import { captureLogger, leaks, recordingOp, setKey, setUserSharing, startGatewayServer, updateProvider } from '../helpers/gateway-fixtures';
import type { RequestScope } from '../../src/modules/shared/request-context';
import type { Actor } from '../../src/modules/auth/actor';
import { createLoaders } from '../../src/graphql/loaders';
import {
  ProviderModelsDocument,
  RemovePersonalApiKeyDocument,
  ResolveModelDocument,
  SetPersonalApiKeyDocument,
  UpdateUserDocument,
  UserPersonalApiKeysDocument,
  ViewerDocument,
  ViewerPersonalApiKeysDocument,
  type Capability,
  type SetPersonalApiKeyMutationVariables,
} from '../generated/graphql';

/**
 * Personal keys, user settings and model/key resolution (resolveModel: no upstream call).
 * Keys are write-only: only hints ever come back, and no key appears in any response, row or log line.
 */

const SHARED_KEY = 'sk-shared-ZQ8mW3vT1pLk9Rx4';
const ALICE_KEY = 'sk-alice-personal-Hn5bV2cX8zQ7';
const ALICE_KEY_2 = 'sk-alice-rotated-Yt6uJ1kP0wE3';
const BOB_KEY = 'sk-bob-personal-Mv4nB8gF2dS6';
const SECRETS = [SHARED_KEY, ALICE_KEY, ALICE_KEY_2, BOB_KEY];

let t: TestServer;
let upstream: FakeUpstream;
let op: ReturnType<typeof recordingOp>;
const transcript: string[] = [];
const { logger, lines } = captureLogger();
let alice: MemberRef;
let bob: MemberRef;

beforeAll(async () => {
  ({ t, upstream, op } = await startGatewayServer({ sharedKey: SHARED_KEY, logger, transcript }));
  await createModel(t, 'openai', 'gpt-a', ['CHAT', 'CODE'], { active: true, modelId: 'vendor/gpt-a' });
  await createModel(t, 'openai', 'gpt-b', ['CHAT', 'EMBEDDING'], { modelId: 'vendor/gpt-b' });
  await createModel(t, 'claude', 'sonnet', ['CHAT', 'IMAGE'], { active: false });
  alice = await createMember(t, 'alice');
  bob = await createMember(t, 'bob');
});

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

describe('personal keys', () => {
  test('setPersonalApiKey stores the key encrypted and shows only its hint', async () => {
    const res = await op(SetPersonalApiKeyDocument, { input: { provider: 'openai', apiKey: ALICE_KEY } }, { token: alice.token });
    expect(expectOk(res).setPersonalApiKey).toEqual({
      keyHint: '…' + ALICE_KEY.slice(-4),
      useSharedApi: false,
      updatedAt: expect.any(String),
      provider: { slug: 'openai' },
    });
    const rows = await query(t, 'select * from personal_api_key where user_id = $1', [alice.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].key_encrypted).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain(ALICE_KEY);
  });

  test('a new key replaces the old one (one row per user and provider)', async () => {
    const res = await op(SetPersonalApiKeyDocument, { input: { provider: 'openai', apiKey: ALICE_KEY_2 } }, { token: alice.token });
    expect(expectOk(res).setPersonalApiKey.keyHint).toBe('…' + ALICE_KEY_2.slice(-4));
    expect(await query(t, 'select 1 from personal_api_key where user_id = $1', [alice.id])).toHaveLength(1);
    await setKey(t, alice.token, { provider: 'openai', apiKey: ALICE_KEY });
  });

  test('without apiKey only useSharedApi changes; with no stored key that is BAD_USER_INPUT', async () => {
    await setKey(t, alice.token, { provider: 'openai', apiKey: ALICE_KEY });
    const on = await op(SetPersonalApiKeyDocument, { input: { provider: 'openai', useSharedApi: true } }, { token: alice.token });
    expect(expectOk(on).setPersonalApiKey).toMatchObject({ keyHint: '…' + ALICE_KEY.slice(-4), useSharedApi: true });
    const off = await op(SetPersonalApiKeyDocument, { input: { provider: 'openai' } }, { token: alice.token });
    expect(expectOk(off).setPersonalApiKey).toMatchObject({ keyHint: '…' + ALICE_KEY.slice(-4), useSharedApi: false });

    const missing = await op(SetPersonalApiKeyDocument, { input: { provider: 'openai', useSharedApi: true } }, { token: bob.token });
    expect(errorCode(missing)).toBe('BAD_USER_INPUT');
    expect(missing.errors![0].message).toBe('You have no personal key for openai yet: pass apiKey.');
    expect(missing.errors![0].extensions!.field).toBe('apiKey');
  });

  test('bad keys are refused without being echoed; unknown providers are NOT_FOUND', async () => {
    for (const apiKey of ['short', 'sk-has a space-0123456789', 'sk-newline\n0123456789']) {
      const res = await op(SetPersonalApiKeyDocument, { input: { provider: 'openai', apiKey } }, { token: bob.token });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(res.errors)).not.toContain(apiKey);
    }
    const unknown = await op(SetPersonalApiKeyDocument, { input: { provider: 'nope', apiKey: BOB_KEY } }, { token: bob.token });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    // A malformed input echoes the offending value in graphql-js' message: never the key.
    // Deliberately not a valid SetPersonalApiKeyInput (no provider): the cast lets the bad variables through.
    const malformed = await op(SetPersonalApiKeyDocument, { input: { apiKey: BOB_KEY } } as unknown as SetPersonalApiKeyMutationVariables, {
      token: bob.token,
    });
    expect(errorCode(malformed)).toBe('BAD_USER_INPUT');
    expect(leaks(JSON.stringify(malformed), [BOB_KEY])).toEqual([]);
    expect(malformed.errors![0].message).toBe(
      'Variable "$input" got an invalid value: Field "provider" of required type "String!" was not provided.',
    );
  });

  test('viewer.personalApiKeys lists hints by provider slug; ADMIN sees anyone’s', async () => {
    await setKey(t, alice.token, { provider: 'openai', apiKey: ALICE_KEY });
    await setKey(t, alice.token, { provider: 'claude', apiKey: ALICE_KEY_2 });
    const own = await op(ViewerPersonalApiKeysDocument, {}, { token: alice.token });
    expect(expectOk(own).viewer.personalApiKeys).toEqual([
      { provider: { slug: 'claude' }, keyHint: '…' + ALICE_KEY_2.slice(-4), useSharedApi: false },
      { provider: { slug: 'openai' }, keyHint: '…' + ALICE_KEY.slice(-4), useSharedApi: false },
    ]);
    // The admin reaches alice's User through updateUser (no change) and sees the same hints.
    const asAdmin = await op(UserPersonalApiKeysDocument, { input: { id: alice.id } });
    expect(expectOk(asAdmin).updateUser.personalApiKeys.map((k) => k.provider.slug)).toEqual(['claude', 'openai']);
    const none = await op(ViewerPersonalApiKeysDocument, {}, { token: bob.token });
    expect(expectOk(none).viewer.personalApiKeys).toEqual([]);
  });

  test('another MEMBER may not list them (FORBIDDEN, not an empty list)', async () => {
    // No API path leads a MEMBER to another user's User today; the rule is enforced in the service.
    const em = t.server.orm.em.fork();
    const actor: Actor = {
      id: bob.id,
      name: 'bob',
      role: 'MEMBER' as never,
      canUseSharedApi: true,
      createdAt: new Date(),
      tokenId: bob.tokenId,
    };
    const scope: RequestScope = { requestId: 'test', locale: 'en', em, loaders: createLoaders(() => em, t.server.services) };
    expect(() => t.server.services.credentials.personalApiKeysOf(actor, scope, alice.id)).toThrow(
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
    );
    await expect(t.server.services.credentials.personalApiKeysOf(actor, scope, bob.id)).resolves.toEqual([]);
  });

  test('removePersonalApiKey: true when there was a key, then false', async () => {
    await setKey(t, alice.token, { provider: 'claude', apiKey: ALICE_KEY_2 });
    const first = await op(RemovePersonalApiKeyDocument, { provider: 'claude' }, { token: alice.token });
    expect(expectOk(first).removePersonalApiKey).toBe(true);
    const again = await op(RemovePersonalApiKeyDocument, { provider: 'claude' }, { token: alice.token });
    expect(expectOk(again).removePersonalApiKey).toBe(false);
    expect(errorCode(await op(RemovePersonalApiKeyDocument, { provider: 'nope' }, { token: alice.token }))).toBe('NOT_FOUND');
  });
});

describe('updateUser', () => {
  test('ADMIN changes role and canUseSharedApi; MEMBER may not', async () => {
    expect(errorCode(await op(UpdateUserDocument, { input: { id: bob.id, canUseSharedApi: false } }, { token: bob.token }))).toBe('FORBIDDEN');
    const res = await op(UpdateUserDocument, { input: { id: bob.id, canUseSharedApi: false } });
    expect(expectOk(res).updateUser).toEqual({ id: bob.id, role: 'MEMBER', canUseSharedApi: false });
    const promoted = await op(UpdateUserDocument, { input: { id: bob.id, role: 'ADMIN', canUseSharedApi: true } });
    expect(expectOk(promoted).updateUser).toEqual({ id: bob.id, role: 'ADMIN', canUseSharedApi: true });
    const demoted = await op(UpdateUserDocument, { input: { id: bob.id, role: 'MEMBER' } });
    expect(expectOk(demoted).updateUser.role).toBe('MEMBER');
  });

  test('unknown users are NOT_FOUND; the last ADMIN cannot be demoted', async () => {
    expect(errorCode(await op(UpdateUserDocument, { input: { id: '00000000-0000-4000-8000-000000000000', role: 'MEMBER' } }))).toBe('NOT_FOUND');
    expect(errorCode(await op(UpdateUserDocument, { input: { id: 'not-a-uuid' } }))).toBe('NOT_FOUND');
    const admin = expectOk(await op(ViewerDocument)).viewer;
    const res = await op(UpdateUserDocument, { input: { id: admin.id, role: 'MEMBER' } });
    expect(errorCode(res)).toBe('CONFLICT');
    expect(expectOk(await op(ViewerDocument)).viewer.role).toBe('ADMIN');
  });
});

describe('resolveModel: the key order, the model choice, and why', () => {
  const resolve = (token: string, capability: Capability = 'CHAT', model?: string, locale?: string) =>
    op(ResolveModelDocument, { provider: 'openai', capability, model }, { token, locale });

  // alice has a personal key for openai, bob has none (whatever the tests above did).
  beforeAll(async () => {
    await setKey(t, alice.token, { provider: 'openai', apiKey: ALICE_KEY });
    expectOk(await op(RemovePersonalApiKeyDocument, { provider: 'openai' }, { token: bob.token }));
  });

  test('personal key, not opted out -> PERSONAL', async () => {
    const res = await resolve(alice.token);
    expect(expectOk(res).resolveModel).toEqual({
      provider: { slug: 'openai' },
      capability: 'CHAT',
      model: { name: 'gpt-a', modelId: 'vendor/gpt-a' },
      keySource: 'PERSONAL',
      keyHint: '…' + ALICE_KEY.slice(-4),
      explanation: 'Model "gpt-a" is the active CHAT model of openai. Your personal key for openai is used.',
    });
  });

  test('personal key but opted for the shared one -> SHARED', async () => {
    await setKey(t, alice.token, { provider: 'openai', useSharedApi: true });
    try {
      const res = expectOk(await resolve(alice.token)).resolveModel;
      expect(res).toMatchObject({ keySource: 'SHARED', keyHint: '…' + SHARED_KEY.slice(-4) });
      expect(res.explanation).toBe(
        'Model "gpt-a" is the active CHAT model of openai. The provider\'s shared key is used because you chose the shared key over your personal key.',
      );
    } finally {
      await setKey(t, alice.token, { provider: 'openai', useSharedApi: false });
    }
  });

  test('no personal key -> SHARED; the explanation follows the caller’s language', async () => {
    const res = expectOk(await resolve(bob.token)).resolveModel;
    expect(res).toMatchObject({ keySource: 'SHARED', keyHint: '…' + SHARED_KEY.slice(-4) });
    expect(res.explanation).toContain('because you have no personal key for openai');
    const fa = expectOk(await resolve(bob.token, 'CHAT', undefined, 'fa')).resolveModel;
    expect(fa.explanation).toBe(
      'مدل «gpt-a» مدل فعال CHAT در openai است. کلید مشترک ارائه‌دهنده به کار می‌رود، زیرا شما کلید شخصی برای openai ندارید.',
    );
  });

  test('shared disabled / no shared key / user may not share -> NO_API_ACCESS naming each failed condition', async () => {
    await updateProvider(t, { slug: 'openai', sharedApiEnabled: false });
    let res = await resolve(bob.token);
    expect(errorCode(res)).toBe('NO_API_ACCESS');
    expect(res.errors![0].message).toBe('No API access to openai: you have no personal key; the shared key is not enabled for this provider.');
    expect(res.errors![0].extensions!.reasons).toEqual(['NO_PERSONAL_KEY', 'SHARED_DISABLED']);
    // The personal key still works.
    expect(expectOk(await resolve(alice.token)).resolveModel.keySource).toBe('PERSONAL');
    // Opted for shared while the shared key is off.
    await setKey(t, alice.token, { provider: 'openai', useSharedApi: true });
    res = await resolve(alice.token);
    expect(res.errors![0].extensions!.reasons).toEqual(['OPTED_FOR_SHARED', 'SHARED_DISABLED']);
    expect(res.errors![0].message).toContain('you opted for the shared key');
    await setKey(t, alice.token, { provider: 'openai', useSharedApi: false });

    await updateProvider(t, { slug: 'openai', sharedApiEnabled: true, sharedApiKey: '' });
    res = await resolve(bob.token);
    expect(res.errors![0].extensions!.reasons).toEqual(['NO_PERSONAL_KEY', 'NO_SHARED_KEY']);
    expect(res.errors![0].message).toContain('the provider has no shared key');
    const fa = await resolve(bob.token, 'CHAT', undefined, 'fa');
    expect(fa.errors![0].message).toBe('دسترسی به API ارائه‌دهندهٔ openai ندارید: کلید شخصی ندارید؛ این ارائه‌دهنده کلید مشترک ندارد.');
    await updateProvider(t, { slug: 'openai', sharedApiKey: SHARED_KEY });

    await setUserSharing(t, bob.id, false);
    res = await resolve(bob.token);
    expect(res.errors![0].extensions!.reasons).toEqual(['NO_PERSONAL_KEY', 'USER_MAY_NOT_SHARE']);
    expect(res.errors![0].message).toContain('you are not allowed to use shared keys');
    await setUserSharing(t, bob.id, true);
    expect(expectOk(await resolve(bob.token)).resolveModel.keySource).toBe('SHARED');
  });

  test('an explicit model: used even when inactive, checked against the capability, NOT_FOUND when unknown', async () => {
    const res = expectOk(await resolve(bob.token, 'EMBEDDING', 'gpt-b')).resolveModel;
    expect(res.model).toEqual({ name: 'gpt-b', modelId: 'vendor/gpt-b' });
    expect(res.explanation).toMatch(/^Model "gpt-b" was named in the request\./);
    const lacks = await resolve(bob.token, 'CODE', 'gpt-b');
    expect(errorCode(lacks)).toBe('BAD_USER_INPUT');
    expect(lacks.errors![0].message).toBe('Model "gpt-b" does not have the capability CODE.');
    expect(errorCode(await resolve(bob.token, 'CHAT', 'gpt-zzz'))).toBe('NOT_FOUND');
  });

  test('an empty slot is NO_ACTIVE_MODEL; an unknown provider NOT_FOUND', async () => {
    const res = await resolve(bob.token, 'CONTENT');
    expect(errorCode(res)).toBe('NO_ACTIVE_MODEL');
    expect(res.errors![0].message).toBe('Provider "openai" has no active CONTENT model.');
    expect(errorCode(await op(ResolveModelDocument, { provider: 'nope', capability: 'CHAT' }, { token: bob.token }))).toBe('NOT_FOUND');
  });

  test('activating another model changes the resolution at once', async () => {
    const gptB = expectOk(await op(ProviderModelsDocument, { slug: 'openai' })).provider!.models.find((m) => m.name === 'gpt-b')!;
    expectOk(await activate(t, gptB.id, { capabilities: ['CHAT'] }));
    expect(expectOk(await resolve(bob.token)).resolveModel.model.name).toBe('gpt-b');
    const gptA = expectOk(await op(ProviderModelsDocument, { slug: 'openai' })).provider!.models.find((m) => m.name === 'gpt-a')!;
    expectOk(await activate(t, gptA.id, { capabilities: ['CHAT'] }));
    expect(expectOk(await resolve(bob.token)).resolveModel.model.name).toBe('gpt-a');
  });

  test('ANTHROPIC providers: IMAGE, AUDIO and EMBEDDING are BAD_USER_INPUT, even for a model that claims them', async () => {
    for (const capability of ['IMAGE', 'AUDIO', 'EMBEDDING'] as const) {
      const res = await op(ResolveModelDocument, { provider: 'claude', capability, model: 'sonnet' }, { token: bob.token });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].message).toBe(`claude (ANTHROPIC API) does not support ${capability}.`);
    }
    const chat = expectOk(
      await op(ResolveModelDocument, { provider: 'claude', capability: 'CHAT', model: 'sonnet' }, { token: bob.token }),
    ).resolveModel;
    expect(chat).toMatchObject({ model: { name: 'sonnet' }, keySource: 'SHARED' });
  });

  test('resolveModel never calls the provider', () => {
    expect(upstream.requests).toHaveLength(0);
  });
});

test('no key appears in any response, stored row or log line', async () => {
  const rows = await query(
    t,
    `select row_to_json(k)::text as row from personal_api_key k union all select row_to_json(p)::text from provider p`,
  );
  const stored = rows.map((r) => r.row).join('\n');
  expect(transcript.length).toBeGreaterThan(20);
  expect(leaks(transcript.join('\n'), SECRETS)).toEqual([]);
  expect(leaks(stored, SECRETS)).toEqual([]);
  expect(lines.length).toBeGreaterThan(0);
  expect(leaks(lines.join('\n'), SECRETS)).toEqual([]);
});
