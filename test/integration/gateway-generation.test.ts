import type { GqlResult, TestServer } from '../helpers/test-server';
import { activate, createMember, createModel, errorCode, expectOk, query, type MemberRef, type ModelRef } from '../helpers/factories';
import { fakeEmbedding, type FakeRule, type FakeUpstream } from '../helpers/fake-upstream';
import {
  captureLogger,
  createProviderWith,
  leaks,
  recordingOp,
  setKey,
  setUserSharing,
  startGatewayServer,
  updateProvider,
} from '../helpers/gateway-fixtures';
import {
  ChatDocument,
  DeactivateModelDocument,
  EmbedDocument,
  GenerateContentDocument,
  GenerateImageDocument,
  GenerateSpeechDocument,
  UsageDocument,
  type ChatInput,
  type ContentInput,
  type EmbedInput,
  type ImageInput,
  type SpeechInput,
  type UsageQuery,
} from '../generated/graphql';

/**
 * Generation over real HTTP: the server calls a fake OpenAI/Anthropic-compatible upstream on loopback.
 * Proves which model id and which key go upstream, how upstream failures map to error codes, that
 * every call past resolution leaves a usage record, and that no key ever leaks.
 */

const SHARED_KEY = 'sk-shared-Qw7eR4tY1uI9oP3a';
const ALICE_KEY = 'sk-alice-openai-Zx5cV8bN2mL6kJ4h';
const ALICE_CLAUDE_KEY = 'sk-ant-alice-Gf3dS9aP7oI2uY6t';
const SECRETS = [SHARED_KEY, ALICE_KEY, ALICE_CLAUDE_KEY];
const TIMEOUT_MS = 1000;

let t: TestServer;
let upstream: FakeUpstream;
let op: ReturnType<typeof recordingOp>;
const transcript: string[] = [];
const { logger, lines } = captureLogger();
let alice: MemberRef;
let bob: MemberRef;
const models: Record<string, ModelRef> = {};

const chat = (token: string, input: Partial<ChatInput> = {}, locale?: string) =>
  op(ChatDocument, { input: { provider: 'openai', messages: [{ role: 'USER', content: 'hello there' }], ...input } }, { token, locale });

const lastRequest = () => upstream.requests[upstream.requests.length - 1];

async function usageCount(): Promise<number> {
  return Number((await query(t, 'select count(*)::int as n from usage_record'))[0].n);
}

beforeAll(async () => {
  ({ t, upstream, op } = await startGatewayServer({ sharedKey: SHARED_KEY, logger, transcript, config: { providerTimeoutMs: TIMEOUT_MS } }));
  await createProviderWith(t, { slug: 'nobase', sharedApiKey: SHARED_KEY, sharedApiEnabled: true });
  models.gptA = await createModel(t, 'openai', 'gpt-a', ['CHAT', 'CONTENT'], { active: true, modelId: 'vendor/gpt-a' });
  models.gptB = await createModel(t, 'openai', 'gpt-b', ['CHAT'], { modelId: 'vendor/gpt-b' });
  models.coder = await createModel(t, 'openai', 'coder', ['CODE'], { active: true, modelId: 'vendor/coder' });
  models.dall = await createModel(t, 'openai', 'dall', ['IMAGE'], { active: true, modelId: 'vendor/dall' });
  models.tts = await createModel(t, 'openai', 'tts', ['AUDIO'], { active: true, modelId: 'vendor/tts' });
  models.emb = await createModel(t, 'openai', 'emb', ['EMBEDDING'], { active: true, modelId: 'vendor/emb' });
  models.sonnet = await createModel(t, 'claude', 'sonnet', ['CHAT', 'CODE', 'CONTENT'], { active: true, modelId: 'claude-sonnet-x' });
  await createModel(t, 'nobase', 'local', ['CHAT'], { active: true });
  alice = await createMember(t, 'alice');
  bob = await createMember(t, 'bob');
  await setKey(t, alice.token, { provider: 'openai', apiKey: ALICE_KEY });
  await setKey(t, alice.token, { provider: 'claude', apiKey: ALICE_CLAUDE_KEY });
});

afterEach(() => upstream.reset());

afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

describe('chat: the active model and the right key go upstream', () => {
  test('the active model’s modelId and the personal key reach the provider; the answer and its usage record come back', async () => {
    const res = await chat(alice.token);
    const generation = expectOk(res).chat;
    expect(generation).toMatchObject({
      model: { name: 'gpt-a', modelId: 'vendor/gpt-a' },
      keySource: 'PERSONAL',
      content: 'echo: hello there',
      finishReason: 'stop',
      usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5 },
    });
    expect(generation.latencyMs).toBeGreaterThanOrEqual(0);
    expect(upstream.requests).toHaveLength(1);
    expect(lastRequest()).toMatchObject({ method: 'POST', path: '/v1/chat/completions', model: 'vendor/gpt-a', apiKey: ALICE_KEY });
    expect(lastRequest().headers.authorization).toBe(`Bearer ${ALICE_KEY}`);
    expect(lastRequest().body.messages).toEqual([{ role: 'user', content: 'hello there' }]);

    const [row] = await query(t, 'select * from usage_record where id = $1', [generation.id]);
    expect(row).toMatchObject({
      user_id: alice.id,
      model_id: models.gptA.id,
      capability: 'CHAT',
      key_source: 'PERSONAL',
      status: 'OK',
      error_code: null,
      prompt_tokens: 2,
      completion_tokens: 3,
      total_tokens: 5,
    });
  });

  test('options are passed on: temperature, maxTokens, the whole conversation', async () => {
    const messages: ChatInput['messages'] = [
      { role: 'SYSTEM', content: 'be brief' },
      { role: 'USER', content: 'hi' },
      { role: 'ASSISTANT', content: 'hello' },
      { role: 'USER', content: 'again' },
    ];
    expectOk(await chat(alice.token, { messages, temperature: 0.5, maxTokens: 64 }));
    expect(lastRequest().body).toEqual({
      model: 'vendor/gpt-a',
      messages: messages.map((m) => ({ role: m.role.toLowerCase(), content: m.content })),
      temperature: 0.5,
      max_tokens: 64,
    });
  });

  test('personal key but opted for the shared one -> the shared key goes upstream', async () => {
    await setKey(t, alice.token, { provider: 'openai', useSharedApi: true });
    try {
      expect(expectOk(await chat(alice.token)).chat.keySource).toBe('SHARED');
      expect(lastRequest().apiKey).toBe(SHARED_KEY);
    } finally {
      await setKey(t, alice.token, { provider: 'openai', useSharedApi: false });
    }
    expectOk(await chat(alice.token));
    expect(lastRequest().apiKey).toBe(ALICE_KEY);
  });

  test('no personal key -> the shared key goes upstream', async () => {
    expect(expectOk(await chat(bob.token)).chat.keySource).toBe('SHARED');
    expect(lastRequest().apiKey).toBe(SHARED_KEY);
  });

  test('shared disabled, no shared key, or a user who may not share -> NO_API_ACCESS with the reason; nothing goes upstream or into usage', async () => {
    const before = await usageCount();
    await updateProvider(t, { slug: 'openai', sharedApiEnabled: false });
    let res = await chat(bob.token);
    expect(errorCode(res)).toBe('NO_API_ACCESS');
    expect(res.errors![0].message).toBe('No API access to openai: you have no personal key; the shared key is not enabled for this provider.');
    await updateProvider(t, { slug: 'openai', sharedApiEnabled: true, sharedApiKey: '' });
    res = await chat(bob.token);
    expect(errorCode(res)).toBe('NO_API_ACCESS');
    expect(res.errors![0].message).toBe('No API access to openai: you have no personal key; the provider has no shared key.');
    await updateProvider(t, { slug: 'openai', sharedApiKey: SHARED_KEY });
    await setUserSharing(t, bob.id, false);
    res = await chat(bob.token, {}, 'fa');
    expect(errorCode(res)).toBe('NO_API_ACCESS');
    expect(res.errors![0].message).toBe('دسترسی به API ارائه‌دهندهٔ openai ندارید: کلید شخصی ندارید؛ شما اجازهٔ استفاده از کلید مشترک را ندارید.');
    expect(res.errors![0].extensions!.reasons).toEqual(['NO_PERSONAL_KEY', 'USER_MAY_NOT_SHARE']);
    await setUserSharing(t, bob.id, true);
    expect(upstream.requests).toHaveLength(0);
    expect(await usageCount()).toBe(before);
    expectOk(await chat(bob.token));
    expect(lastRequest().apiKey).toBe(SHARED_KEY);
  });
});

describe('model selection', () => {
  test('an activation between two calls switches the model of the second', async () => {
    expectOk(await chat(alice.token));
    expect(lastRequest().model).toBe('vendor/gpt-a');
    expectOk(await activate(t, models.gptB.id));
    try {
      const second = expectOk(await chat(alice.token)).chat;
      expect(second.model.name).toBe('gpt-b');
      expect(lastRequest().model).toBe('vendor/gpt-b');
    } finally {
      expectOk(await activate(t, models.gptA.id, { capabilities: ['CHAT'] }));
    }
    expectOk(await chat(alice.token));
    expect(lastRequest().model).toBe('vendor/gpt-a');
  });

  test('an explicit model is used even when inactive, and is checked against the capability', async () => {
    const res = expectOk(await chat(alice.token, { model: 'gpt-b' })).chat;
    expect(res.model.name).toBe('gpt-b');
    expect(lastRequest().model).toBe('vendor/gpt-b');
    upstream.reset();

    const lacks = await chat(alice.token, { model: 'dall' });
    expect(errorCode(lacks)).toBe('BAD_USER_INPUT');
    expect(lacks.errors![0].message).toBe('Model "dall" does not have the capability CHAT.');
    expect(errorCode(await chat(alice.token, { model: 'no-such-model' }))).toBe('NOT_FOUND');
    expect(upstream.requests).toHaveLength(0);
  });

  test('capability CODE uses the CODE slot; chat refuses other capabilities', async () => {
    expect(expectOk(await chat(alice.token, { capability: 'CODE' })).chat.model.name).toBe('coder');
    expect(lastRequest().model).toBe('vendor/coder');
    const bad = await chat(alice.token, { capability: 'IMAGE' });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].message).toBe('chat accepts the capability CHAT or CODE, not IMAGE.');
  });

  test('an empty slot is NO_ACTIVE_MODEL', async () => {
    expectOk(await t.op(DeactivateModelDocument, { input: { modelId: models.coder.id } }));
    try {
      const res = await chat(alice.token, { capability: 'CODE' });
      expect(errorCode(res)).toBe('NO_ACTIVE_MODEL');
    } finally {
      expectOk(await activate(t, models.coder.id));
    }
  });
});

describe('the other capabilities', () => {
  test('generateContent: system and prompt go to the CONTENT model', async () => {
    const res = await op(
      GenerateContentDocument,
      { input: { provider: 'openai', prompt: 'write a haiku', system: 'you are a poet', maxTokens: 50 } },
      { token: alice.token },
    );
    expect(expectOk(res).generateContent).toMatchObject({ model: { name: 'gpt-a' }, content: 'echo: write a haiku', keySource: 'PERSONAL' });
    expect(lastRequest().body).toEqual({
      model: 'vendor/gpt-a',
      messages: [
        { role: 'system', content: 'you are a poet' },
        { role: 'user', content: 'write a haiku' },
      ],
      max_tokens: 50,
    });
    const [row] = await query(t, 'select capability from usage_record where id = $1', [res.data.generateContent.id]);
    expect(row.capability).toBe('CONTENT');
  });

  test('generateImage', async () => {
    const res = await op(
      GenerateImageDocument,
      { input: { provider: 'openai', prompt: 'a red fox', size: '512x512', n: 2 } },
      { token: alice.token },
    );
    const image = expectOk(res).generateImage;
    expect(image.model.name).toBe('dall');
    expect(image.images).toEqual([
      { url: 'https://fake-upstream.invalid/images/0.png', b64Json: null, revisedPrompt: 'a red fox' },
      { url: 'https://fake-upstream.invalid/images/1.png', b64Json: null, revisedPrompt: 'a red fox' },
    ]);
    expect(lastRequest()).toMatchObject({ path: '/v1/images/generations', model: 'vendor/dall', apiKey: ALICE_KEY });
    expect(lastRequest().body).toMatchObject({ prompt: 'a red fox', size: '512x512', n: 2 });
  });

  test('generateSpeech', async () => {
    const res = await op(GenerateSpeechDocument, { input: { provider: 'openai', text: 'good morning', voice: 'nova' } }, { token: bob.token });
    const speech = expectOk(res).generateSpeech;
    expect(speech).toMatchObject({ model: { name: 'tts' }, keySource: 'SHARED', mimeType: 'audio/mpeg' });
    expect(Buffer.from(speech.audioBase64, 'base64').toString()).toBe('FAKE-MP3-AUDIO:good morning');
    expect(lastRequest()).toMatchObject({ path: '/v1/audio/speech', model: 'vendor/tts', apiKey: SHARED_KEY });
    expect(lastRequest().body).toMatchObject({ input: 'good morning', voice: 'nova', response_format: 'mp3' });
  });

  test('embed', async () => {
    const res = await op(EmbedDocument, { input: { provider: 'openai', input: ['one two', 'three'] } }, { token: alice.token });
    const embeddings = expectOk(res).embed;
    expect(embeddings.vectors).toEqual([fakeEmbedding('one two'), fakeEmbedding('three')]);
    expect(embeddings.usage).toEqual({ promptTokens: 3, totalTokens: 3 });
    expect(lastRequest()).toMatchObject({ path: '/v1/embeddings', model: 'vendor/emb' });
  });

  test('ANTHROPIC: /messages with x-api-key and anthropic-version; images, speech and embeddings are BAD_USER_INPUT', async () => {
    const res = expectOk(
      await op(
        ChatDocument,
        {
          input: {
            provider: 'claude',
            messages: [
              { role: 'SYSTEM', content: 'terse' },
              { role: 'USER', content: 'hi claude' },
            ],
          },
        },
        { token: alice.token },
      ),
    ).chat;
    expect(res).toMatchObject({ model: { name: 'sonnet' }, content: 'echo: hi claude', keySource: 'PERSONAL', finishReason: 'end_turn' });
    const req = lastRequest();
    expect(req).toMatchObject({ path: '/v1/messages', model: 'claude-sonnet-x', apiKey: ALICE_CLAUDE_KEY });
    expect(req.headers['x-api-key']).toBe(ALICE_CLAUDE_KEY);
    expect(req.headers['anthropic-version']).toBe('2023-06-01');
    expect(req.headers.authorization).toBeUndefined();
    expect(req.body).toMatchObject({ system: 'terse', messages: [{ role: 'user', content: 'hi claude' }] });
    upstream.reset();

    const image = await op(GenerateImageDocument, { input: { provider: 'claude', prompt: 'x' } }, { token: alice.token });
    expect(errorCode(image)).toBe('BAD_USER_INPUT');
    expect(image.errors![0].message).toBe('claude (ANTHROPIC API) does not support IMAGE.');
    expect(errorCode(await op(GenerateSpeechDocument, { input: { provider: 'claude', text: 'x' } }, { token: alice.token }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(errorCode(await op(EmbedDocument, { input: { provider: 'claude', input: ['x'] } }, { token: alice.token }))).toBe('BAD_USER_INPUT');
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('upstream failures', () => {
  const cases: { name: string; rule: FakeRule; code: string; providerStatus?: number; message: RegExp }[] = [
    {
      name: '401 (the body echoes the key)',
      rule: { status: 401, respond: (r) => ({ json: { error: { message: `Incorrect API key provided: ${r.apiKey}` } } }) },
      code: 'PROVIDER_AUTH_FAILED',
      providerStatus: 401,
      message: /^openai rejected the API key \(HTTP 401\)\.$/,
    },
    { name: '403', rule: { status: 403 }, code: 'PROVIDER_AUTH_FAILED', providerStatus: 403, message: /HTTP 403/ },
    {
      name: '429 with a long Retry-After (not waited for)',
      rule: { status: 429, headers: { 'retry-after': '3600' } },
      code: 'PROVIDER_RATE_LIMITED',
      providerStatus: 429,
      message: /^openai is rate limiting requests/,
    },
    // A MEMBER gets the code, the upstream status and a generic message; the details go to the log (below).
    {
      name: '500 (not retried)',
      rule: { status: 500 },
      code: 'PROVIDER_ERROR',
      providerStatus: 500,
      message: /^openai failed to answer \(upstream status 500\)\.$/,
    },
    { name: 'timeout', rule: { delayMs: TIMEOUT_MS * 3 }, code: 'PROVIDER_ERROR', message: /^openai failed to answer \(upstream status -\)\.$/ },
    {
      name: 'malformed (not JSON)',
      rule: { malformed: 'non-json' },
      code: 'PROVIDER_ERROR',
      message: /^openai failed to answer \(upstream status -\)\.$/,
    },
    {
      name: 'malformed (wrong shape)',
      rule: { malformed: 'wrong-shape' },
      code: 'PROVIDER_ERROR',
      message: /^openai failed to answer \(upstream status -\)\.$/,
    },
    { name: 'connection dropped', rule: { drop: 'before-response' }, code: 'PROVIDER_ERROR', message: /^openai failed to answer/ },
  ];

  test.each(cases)('$name -> $code', async ({ rule, code, providerStatus, message }) => {
    upstream.respondWith(rule);
    const res = await chat(alice.token);
    expect(res.status).toBe(200);
    expect(res.data).toBeNull();
    expect(errorCode(res)).toBe(code);
    expect(res.errors![0].message).toMatch(message);
    expect(res.errors![0].extensions!.providerStatus).toBe(providerStatus);
    expect(res.errors![0].path).toEqual(['chat']);
    const [row] = await query(t, 'select * from usage_record order by id desc limit 1');
    expect(row).toMatchObject({
      user_id: alice.id,
      model_id: models.gptA.id,
      status: 'ERROR',
      error_code: code,
      key_source: 'PERSONAL',
      prompt_tokens: null,
    });
  });

  test("an upstream's own error message goes to the log (the key redacted), never to a MEMBER", async () => {
    const body = (r: { apiKey: string | null }) => ({ json: { error: { message: `internal shard db-7.corp failed for key ${r.apiKey}` } } });
    upstream.respondWith({ status: 500, respond: body });
    const member = await chat(alice.token);
    expect(member.errors![0].message).toBe('openai failed to answer (upstream status 500).');
    expect(JSON.stringify(member.errors)).not.toContain('db-7.corp');
    expect(lines.join('\n')).toContain('db-7.corp');
    expect(lines.join('\n')).not.toContain(ALICE_KEY);
  });

  test('429 without Retry-After is retried (bounded), then reported', async () => {
    upstream.respondWith({ status: 429, times: 10 });
    const res = await chat(alice.token);
    expect(errorCode(res)).toBe('PROVIDER_RATE_LIMITED');
    expect(res.errors![0].extensions!.providerStatus).toBe(429);
    expect(upstream.requests).toHaveLength(3);
  });

  test('a transient 503 followed by success is invisible to the caller', async () => {
    upstream.respondWith({ status: 503 });
    expect(expectOk(await chat(alice.token)).chat.content).toBe('echo: hello there');
    expect(upstream.requests).toHaveLength(2);
  });

  test('a provider without a base URL: PROVIDER_ERROR, recorded', async () => {
    const res = await op(ChatDocument, { input: { provider: 'nobase', messages: [{ role: 'USER', content: 'x' }] } }, { token: bob.token });
    expect(errorCode(res)).toBe('PROVIDER_ERROR');
    expect(res.errors![0].message).toBe('Provider "nobase" has no base URL configured.');
    const [row] = await query(t, 'select * from usage_record order by id desc limit 1');
    expect(row).toMatchObject({ user_id: bob.id, status: 'ERROR', error_code: 'PROVIDER_ERROR', key_source: 'SHARED' });
  });
});

describe('input validation', () => {
  const asAlice = () => ({ token: alice.token });
  const chatWith = (input: ChatInput) => op(ChatDocument, { input }, asAlice());
  const image = (input: ImageInput) => op(GenerateImageDocument, { input }, asAlice());
  const speech = (input: SpeechInput) => op(GenerateSpeechDocument, { input }, asAlice());
  const embed = (input: EmbedInput) => op(EmbedDocument, { input }, asAlice());
  const content = (input: ContentInput) => op(GenerateContentDocument, { input }, asAlice());
  test.each<[string, () => Promise<GqlResult>, string]>([
    ['no messages', () => chatWith({ provider: 'openai', messages: [] }), 'messages'],
    ['an empty message', () => chatWith({ provider: 'openai', messages: [{ role: 'USER', content: '' }] }), 'messages.0.content'],
    ['temperature above 2', () => chatWith({ provider: 'openai', messages: [{ role: 'USER', content: 'x' }], temperature: 3 }), 'temperature'],
    ['maxTokens 0', () => chatWith({ provider: 'openai', messages: [{ role: 'USER', content: 'x' }], maxTokens: 0 }), 'maxTokens'],
    ['n = 11', () => image({ provider: 'openai', prompt: 'x', n: 11 }), 'n'],
    ['n = 0', () => image({ provider: 'openai', prompt: 'x', n: 0 }), 'n'],
    ['a bad size', () => image({ provider: 'openai', prompt: 'x', size: 'huge' }), 'size'],
    ['a bad format', () => speech({ provider: 'openai', text: 'x', format: 'MP3!' }), 'format'],
    ['no texts to embed', () => embed({ provider: 'openai', input: [] }), 'input'],
    ['an empty text to embed', () => embed({ provider: 'openai', input: ['a', ''] }), 'input'],
    ['an empty prompt', () => content({ provider: 'openai', prompt: '' }), 'prompt'],
  ])('%s -> BAD_USER_INPUT', async (_name, send, field) => {
    const res = await send();
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect((res.errors![0].extensions!.fields as { field: string }[]).map((f) => f.field)).toContain(field);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('usage', () => {
  const nodes = (res: GqlResult<UsageQuery>) => res.data.usage.edges.map((e) => e.node);

  test('a MEMBER sees only its own calls, newest first, with what they cost and how they ended', async () => {
    const res = await op(UsageDocument, { first: 100 }, { token: bob.token });
    expectOk(res);
    const mine = nodes(res);
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((n) => n.user.name))).toEqual(new Set(['bob']));
    const ids = mine.map((n) => BigInt(n.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);
    expect(mine[0]).toMatchObject({ provider: { slug: 'nobase' }, status: 'ERROR', errorCode: 'PROVIDER_ERROR', keySource: 'SHARED' });

    const alices = nodes(await op(UsageDocument, { first: 100 }, { token: alice.token }));
    expect(alices.some((n) => n.status === 'OK')).toBe(true);
    expect(new Set(alices.filter((n) => n.status === 'ERROR').map((n) => n.errorCode))).toEqual(
      new Set(['PROVIDER_AUTH_FAILED', 'PROVIDER_RATE_LIMITED', 'PROVIDER_ERROR']),
    );
    const ok = (await op(UsageDocument, { first: 100 }, { token: alice.token })).data.usage.edges.find((e) => e.node.status === 'OK')!.node;
    expect(ok.usage).toEqual({ promptTokens: expect.any(Number), completionTokens: expect.any(Number), totalTokens: expect.any(Number) });
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
  });

  test('a MEMBER asking for another user’s usage is FORBIDDEN; its own id is fine', async () => {
    expect(errorCode(await op(UsageDocument, { userId: alice.id }, { token: bob.token }))).toBe('FORBIDDEN');
    expectOk(await op(UsageDocument, { userId: bob.id }, { token: bob.token }));
  });

  test('ADMIN sees everyone’s, or filters by user and provider', async () => {
    const all = nodes(await op(UsageDocument, { first: 100 }));
    expect(new Set(all.map((n) => n.user.name))).toEqual(new Set(['alice', 'bob']));
    const total = await usageCount();
    expect(all).toHaveLength(Math.min(total, 100));
    const alicesOnly = nodes(await op(UsageDocument, { userId: alice.id, first: 100 }));
    expect(alicesOnly.length).toBeGreaterThan(0);
    expect(alicesOnly.every((n) => n.user.name === 'alice')).toBe(true);
    const claude = nodes(await op(UsageDocument, { provider: 'claude', first: 100 }));
    expect(claude.length).toBeGreaterThan(0);
    expect(claude.every((n) => n.provider.slug === 'claude')).toBe(true);
    expect(errorCode(await op(UsageDocument, { provider: 'nope' }))).toBe('NOT_FOUND');
    expect(errorCode(await op(UsageDocument, { userId: '00000000-0000-4000-8000-000000000000' }))).toBe('NOT_FOUND');
  });

  test('cursor pagination walks every record once; first is 1..100', async () => {
    const seen: string[] = [];
    let after: string | null | undefined = null;
    for (;;) {
      const res: UsageQuery = expectOk(await op(UsageDocument, { first: 3, after }));
      seen.push(...res.usage.edges.map((e) => e.node.id));
      if (!res.usage.pageInfo.hasNextPage) break;
      after = res.usage.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(await usageCount());
    expect(new Set(seen).size).toBe(seen.length);
    for (const first of [0, 101]) {
      const res = await op(UsageDocument, { first });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
    expect(errorCode(await op(UsageDocument, { after: 'garbage' }))).toBe('BAD_USER_INPUT');
  });
});

test('no key appears in any response, usage record or log line', async () => {
  const rows = await query(t, 'select row_to_json(u)::text as row from usage_record u');
  expect(rows.length).toBeGreaterThan(10);
  expect(transcript.length).toBeGreaterThan(30);
  expect(leaks(transcript.join('\n'), SECRETS)).toEqual([]);
  expect(leaks(rows.map((r) => r.row).join('\n'), SECRETS)).toEqual([]);
  // The failures above were logged (warn), without the key the 401 body echoed.
  expect(lines.some((l) => l.includes('upstream call failed'))).toBe(true);
  expect(leaks(lines.join('\n'), SECRETS)).toEqual([]);
});
