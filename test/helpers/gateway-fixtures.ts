import pino, { type Logger } from 'pino';
import type { GqlOptions, GqlResult, TestServer } from './test-server';
import { expectOk } from './factories';

/** A pino logger at debug level whose every line lands in `lines` (to prove no secret is logged). */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/**
 * Wraps t.gql so every response (status, body, headers that could matter) is kept as text: the tests
 * search the whole transcript for keys at the end.
 */
export function recordingGql(t: TestServer, transcript: string[]) {
  return async <T = any>(query: string, variables: Record<string, unknown> = {}, options: GqlOptions = {}): Promise<GqlResult<T>> => {
    const res = await t.gql<T>(query, variables, options);
    transcript.push(JSON.stringify({ status: res.status, data: res.data, errors: res.errors }));
    return res;
  };
}

export async function createProviderWith(
  t: TestServer,
  input: { slug: string; baseUrl?: string; apiStyle?: 'OPENAI' | 'ANTHROPIC'; sharedApiKey?: string; sharedApiEnabled?: boolean },
): Promise<{ id: string; slug: string }> {
  const res = await t.gql<{ createProvider: { id: string; slug: string } }>(
    `mutation($input: CreateProviderInput!) { createProvider(input: $input) { id slug } }`,
    { input: { name: input.slug.toUpperCase(), ...input } },
  );
  return expectOk(res, `createProvider(${input.slug})`).createProvider;
}

export async function updateProvider(t: TestServer, input: Record<string, unknown>): Promise<void> {
  expectOk(await t.gql(`mutation($input: UpdateProviderInput!) { updateProvider(input: $input) { id } }`, { input }), 'updateProvider');
}

export async function setUserSharing(t: TestServer, id: string, canUseSharedApi: boolean): Promise<void> {
  expectOk(await t.gql(`mutation($input: UpdateUserInput!) { updateUser(input: $input) { id } }`, { input: { id, canUseSharedApi } }), 'updateUser');
}

export const SET_KEY = `mutation($input: SetPersonalApiKeyInput!) {
  setPersonalApiKey(input: $input) { keyHint useSharedApi updatedAt provider { slug } }
}`;

export async function setKey(t: TestServer, token: string, input: { provider: string; apiKey?: string; useSharedApi?: boolean }): Promise<void> {
  expectOk(await t.gql(SET_KEY, { input }, { token }), 'setPersonalApiKey');
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
