import { ApiStyle } from '../../src/common/api-style';
import { Capability } from '../../src/common/capability';
import { Role } from '../../src/common/role';
import type { Actor } from '../../src/modules/auth/actor';
import { NoApiAccessError, KeyResolutionService, type KeyResolutionDeps } from '../../src/modules/credentials/key-resolution.service';
import { KeySource, NoAccessReason } from '../../src/modules/credentials/key-source';
import type { StoredPersonalKey } from '../../src/modules/credentials/credentials.service';
import type { AIModel } from '../../src/modules/model/ai-model.entity';
import type { Provider } from '../../src/modules/provider/provider.entity';
import type { RequestScope } from '../../src/modules/shared/request-context';

/**
 * The key order (personal → shared → NO_API_ACCESS) on in-memory fakes: no database, no HTTP.
 * Each fake holds exactly the state a rule reads.
 */
interface World {
  provider: Partial<Provider>;
  sharedKey: string | null;
  personal: StoredPersonalKey | null;
  active: Partial<AIModel> | null;
}

const model = { id: 'm1', name: 'gpt', modelId: 'gpt-4o', capabilities: [Capability.CHAT] } as Partial<AIModel>;

function world(over: Partial<World> = {}): World {
  return {
    provider: { id: 'p1', slug: 'acme', apiStyle: ApiStyle.OPENAI, sharedApiEnabled: true, sharedApiKeyHint: 'sk-…abcd', ...over.provider },
    sharedKey: 'sk-shared-abcd',
    personal: null,
    active: model,
    ...over,
  };
}

function service(w: World): KeyResolutionService {
  const deps: KeyResolutionDeps = {
    activationQueries: {
      providerOrFail: async () => w.provider as Provider,
      activeModel: async () => w.active as AIModel | null,
    },
    models: { findByNameOrFail: async () => model as AIModel },
    providers: { sharedKey: async () => w.sharedKey },
    credentials: { storedKey: async () => w.personal },
  };
  return new KeyResolutionService(deps, (style, capability) => style === ApiStyle.OPENAI || capability === Capability.CHAT);
}

const scope = { requestId: 'unit', locale: 'en', em: {}, loaders: {} } as unknown as RequestScope;
const actor = (canUseSharedApi = true): Actor => ({
  id: 'u1',
  name: 'alice',
  role: Role.MEMBER,
  canUseSharedApi,
  createdAt: new Date(),
  tokenId: 't1',
});
const ask = { provider: 'acme', capability: Capability.CHAT };

async function reasonsOf(promise: Promise<unknown>): Promise<NoAccessReason[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(NoApiAccessError);
  return (error as NoApiAccessError).reasons;
}

test('a personal key the user has not opted out of wins, even when a shared key is available', async () => {
  const w = world({ personal: { key: 'sk-mine-1234', keyHint: 'sk-…1234', useSharedApi: false } });
  const r = await service(w).resolve(actor(), scope, ask);
  expect(r.keySource).toBe(KeySource.PERSONAL);
  expect(r.key).toBe('sk-mine-1234');
  expect(r.keyHint).toBe('sk-…1234');
  expect(JSON.stringify(r)).not.toContain('sk-mine-1234');
});

test('without a personal key, the shared key when enabled, set, and the user may share', async () => {
  const r = await service(world()).resolve(actor(), scope, ask);
  expect(r.keySource).toBe(KeySource.SHARED);
  expect(r.key).toBe('sk-shared-abcd');
  expect(r.explanation).toContain('you have no personal key for acme');
});

test('useSharedApi: a user who opted for the shared key gets it over its own', async () => {
  const w = world({ personal: { key: 'sk-mine-1234', keyHint: 'sk-…1234', useSharedApi: true } });
  const r = await service(w).resolve(actor(), scope, ask);
  expect(r.keySource).toBe(KeySource.SHARED);
  expect(r.explanation).toContain('you chose the shared key over your personal key');
});

test('useSharedApi with no usable shared key: NO_API_ACCESS naming the opt-in (the personal key is not used behind the user’s back)', async () => {
  const w = world({ personal: { key: 'sk-mine-1234', keyHint: 'sk-…1234', useSharedApi: true }, provider: { sharedApiEnabled: false } });
  expect(await reasonsOf(service(w).resolve(actor(), scope, ask))).toEqual([NoAccessReason.OPTED_FOR_SHARED, NoAccessReason.SHARED_DISABLED]);
});

test('canUseSharedApi false: NO_API_ACCESS with USER_MAY_NOT_SHARE', async () => {
  expect(await reasonsOf(service(world()).resolve(actor(false), scope, ask))).toEqual([
    NoAccessReason.NO_PERSONAL_KEY,
    NoAccessReason.USER_MAY_NOT_SHARE,
  ]);
});

test('every failed condition is listed at once, in the key order', async () => {
  const w = world({ provider: { sharedApiEnabled: false, sharedApiKeyHint: null }, sharedKey: null });
  expect(await reasonsOf(service(w).resolve(actor(false), scope, ask))).toEqual([
    NoAccessReason.NO_PERSONAL_KEY,
    NoAccessReason.SHARED_DISABLED,
    NoAccessReason.NO_SHARED_KEY,
    NoAccessReason.USER_MAY_NOT_SHARE,
  ]);
});

test('a shared key removed between the two reads is NO_SHARED_KEY, never an empty key', async () => {
  const w = world({ sharedKey: null });
  expect(await reasonsOf(service(w).resolve(actor(), scope, ask))).toEqual([NoAccessReason.NO_PERSONAL_KEY, NoAccessReason.NO_SHARED_KEY]);
});

test('no active model: NO_ACTIVE_MODEL before any key is looked at', async () => {
  await expect(service(world({ active: null })).resolve(actor(), scope, ask)).rejects.toMatchObject({
    extensions: expect.objectContaining({ code: 'NO_ACTIVE_MODEL' }),
  });
});

test('a capability the protocol cannot serve is BAD_USER_INPUT', async () => {
  const w = world({ provider: { apiStyle: ApiStyle.ANTHROPIC } });
  await expect(service(w).resolve(actor(), scope, { provider: 'acme', capability: Capability.IMAGE })).rejects.toMatchObject({
    extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
  });
});
