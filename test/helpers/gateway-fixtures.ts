import pino, { type Logger } from 'pino';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { Config } from '../../src/config/config';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream';
import { startTestServer, type GqlOptions, type GqlResult, type TestServer } from './test-server';
import { expectOk } from './factories';
import {
  FactoryCreateProviderDocument,
  SetPersonalApiKeyDocument,
  UpdateProviderDocument,
  UpdateUserDocument,
  type ApiStyle,
  type UpdateProviderInput,
} from '../generated/graphql';

/** A pino logger at debug level whose every line lands in `lines` (to prove no secret is logged). */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/**
 * Wraps t.op so every response (status, body, headers that could matter) is kept as text: the tests
 * search the whole transcript for keys at the end.
 */
export function recordingOp(t: TestServer, transcript: string[]) {
  return async <R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables?: V,
    options: GqlOptions = {},
  ): Promise<GqlResult<R>> => {
    const res = await t.op(document, variables, options);
    transcript.push(JSON.stringify({ status: res.status, data: res.data, errors: res.errors }));
    return res;
  };
}

/**
 * The gateway tests' server: a fake upstream on loopback, the server logging to `logger`, `op`
 * keeping every response in `transcript`, and providers "openai" (OPENAI style) and "claude"
 * (ANTHROPIC) that both call that upstream, with `sharedKey` as their shared key, enabled.
 */
export async function startGatewayServer(input: {
  sharedKey: string;
  logger: Logger;
  transcript: string[];
  config?: Partial<Config>;
}): Promise<{ t: TestServer; upstream: FakeUpstream; op: ReturnType<typeof recordingOp> }> {
  const upstream = await startFakeUpstream();
  let t: TestServer | undefined;
  try {
    t = await startTestServer(input.config, { logger: input.logger });
    const baseUrl = `${upstream.url}/v1`;
    await createProviderWith(t, { slug: 'openai', baseUrl, sharedApiKey: input.sharedKey, sharedApiEnabled: true });
    await createProviderWith(t, { slug: 'claude', baseUrl, apiStyle: 'ANTHROPIC', sharedApiKey: input.sharedKey, sharedApiEnabled: true });
    return { t, upstream, op: recordingOp(t, input.transcript) };
  } catch (err) {
    // The caller's afterAll never sees what a failed start made: close it here.
    await t?.close();
    await upstream.close();
    throw err;
  }
}

export async function createProviderWith(
  t: TestServer,
  input: { slug: string; baseUrl?: string; apiStyle?: ApiStyle; sharedApiKey?: string; sharedApiEnabled?: boolean },
): Promise<{ id: string; slug: string }> {
  const res = await t.op(FactoryCreateProviderDocument, { input: { name: input.slug.toUpperCase(), ...input } });
  return expectOk(res, `createProvider(${input.slug})`).createProvider;
}

export async function updateProvider(t: TestServer, input: UpdateProviderInput): Promise<void> {
  expectOk(await t.op(UpdateProviderDocument, { input }), 'updateProvider');
}

export async function setUserSharing(t: TestServer, id: string, canUseSharedApi: boolean): Promise<void> {
  expectOk(await t.op(UpdateUserDocument, { input: { id, canUseSharedApi } }), 'updateUser');
}

export async function setKey(t: TestServer, token: string, input: { provider: string; apiKey?: string; useSharedApi?: boolean }): Promise<void> {
  expectOk(await t.op(SetPersonalApiKeyDocument, { input }, { token }), 'setPersonalApiKey');
}

/** Every place a secret could leak: the whole text, or any 12-character piece of it. */
export function leaks(haystack: string, secrets: string[]): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (let i = 0; i + 12 <= secret.length; i++) {
      if (haystack.includes(secret.slice(i, i + 12))) {
        found.push(secret);
        break;
      }
    }
  }
  return found;
}
