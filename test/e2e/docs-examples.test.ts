import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, OperationTypeNode, parse, print, type OperationDefinitionNode } from 'graphql';
import { seedDemoData } from '../../src/seed/demo-data';
import { findAdminActor } from '../../src/seed/first-start';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream';
import { REPO_ROOT } from '../helpers/server-process';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { wsClient } from '../helpers/ws-client';

/**
 * Every GraphQL example of README.md and docs/*.md (```graphql blocks, and the JSON bodies of curl
 * commands to /graphql) runs, in document order, against a fresh server with the demo data, and
 * answers without errors. New docs are picked up by themselves.
 *
 * Setup comes from here, never from hand edits of the docs:
 *  - every provider's baseUrl points at a fake upstream (the docs name the real ones), with a shared
 *    key, so gateway calls answer;
 *  - "<NAME id>" in an operation is the id of the model NAME (of the provider the operation names,
 *    else OpenRouter's, else any provider's), looked up when the example runs;
 *  - a subscription runs until its first event; for activeModelChanged a matching slot is switched
 *    once it is open.
 */

jest.setTimeout(300_000);

export interface Example {
  file: string;
  line: number;
  kind: 'graphql' | 'curl';
  query: string;
  variables?: Record<string, unknown>;
}

/** The markdown files whose examples must run: README.md and every docs/*.md. */
export function documentedFiles(root = REPO_ROOT): string[] {
  const docs = readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => path.join('docs', f));
  return ['README.md', ...docs];
}

/** Fenced blocks with their language and first line number. */
function fencedBlocks(markdown: string): { lang: string; body: string; line: number }[] {
  const out: { lang: string; body: string; line: number }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(```+|~~~+)\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[2];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trim().startsWith(fence); j++) body.push(lines[j]);
    out.push({ lang: open[3].toLowerCase(), body: body.join('\n'), line: i + 2 });
    i = j;
  }
  return out;
}

/** One document per operation of a ```graphql block (fragments of the block go along). */
function splitOperations(source: string): string[] {
  const doc = parse(source);
  const fragments = doc.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
  return doc.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((op) => print({ kind: Kind.DOCUMENT, definitions: [op, ...fragments] }));
}

/** The JSON body of each `curl … /graphql … -d '<json>'` (or --data / --data-raw) in a shell block. */
function curlBodies(shell: string): { query: string; variables?: Record<string, unknown> }[] {
  const joined = shell.replace(/\\\n/g, ' ');
  const out: { query: string; variables?: Record<string, unknown> }[] = [];
  for (const command of joined.split('\n')) {
    if (!/\bcurl\b/.test(command) || !/\/graphql\b/.test(command)) continue;
    const data = /(?:-d|--data|--data-raw|--data-binary)\s+'([^']*)'/.exec(command);
    if (!data) continue;
    const body = JSON.parse(data[1]) as { query: string; variables?: Record<string, unknown> };
    out.push(body);
  }
  return out;
}

export function extractExamples(file: string, markdown: string): Example[] {
  const examples: Example[] = [];
  for (const block of fencedBlocks(markdown)) {
    if (block.lang === 'graphql' || block.lang === 'gql') {
      for (const query of splitOperations(block.body)) examples.push({ file, line: block.line, kind: 'graphql', query });
    } else if (['bash', 'sh', 'shell', 'console', ''].includes(block.lang)) {
      for (const body of curlBodies(block.body)) examples.push({ file, line: block.line, kind: 'curl', ...body });
    }
  }
  return examples;
}

// ---------------------------------------------------------------------------------------------

describe('the extractor', () => {
  test('finds graphql blocks (one example per operation) and curl bodies, and nothing else', () => {
    const md = [
      '```graphql',
      'mutation { a }',
      '# a comment',
      'query Q { b }',
      '```',
      '```json',
      '{"data": {}}',
      '```',
      '```bash',
      "curl -s localhost:4000/graphql -H 'content-type: application/json' \\",
      '  -d \'{"query":"{ c }"}\'',
      'curl -s localhost:4000/healthz',
      '```',
    ].join('\n');
    expect(extractExamples('x.md', md).map((e) => [e.kind, e.query.replace(/\s+/g, ' ').trim(), e.line])).toEqual([
      ['graphql', 'mutation { a }', 2],
      ['graphql', 'query Q { b }', 2],
      ['curl', '{ c }', 10],
    ]);
  });

  test('README.md and docs/*.md have examples to run', () => {
    const all = documentedFiles().flatMap((f) => extractExamples(f, readFileSync(path.join(REPO_ROOT, f), 'utf8')));
    expect(all.filter((e) => e.file === 'README.md').length).toBeGreaterThan(5);
    expect(all.filter((e) => e.file === 'docs/gateway.md').length).toBeGreaterThan(5);
  });
});

// ---------------------------------------------------------------------------------------------

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

interface Run {
  t: TestServer;
  admin: <T = unknown>(query: string, variables?: Record<string, unknown>) => Promise<T>;
}

async function freshServerWithDemoData(): Promise<Run> {
  const t = await startTestServer();
  const actor = await findAdminActor(t.server.orm);
  await seedDemoData(t.server.services, t.server.orm.em, actor!);
  const admin = async <T = unknown>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await t.gql<T>(query, variables);
    if (res.errors?.length) throw new Error(`setup failed: ${JSON.stringify(res.errors)}`);
    return res.data;
  };
  return { t, admin };
}

/** Every provider calls the fake upstream, with a shared key the admin may use. */
async function pointProvidersAtFake(run: Run): Promise<void> {
  const { providers } = await run.admin<{ providers: { slug: string; baseUrl: string | null; hasSharedApiKey: boolean }[] }>(
    '{ providers { slug baseUrl hasSharedApiKey } }',
  );
  for (const p of providers) {
    if (p.baseUrl === upstream.url && p.hasSharedApiKey) continue;
    await run.admin(`mutation($input: UpdateProviderInput!) { updateProvider(input: $input) { slug } }`, {
      input: {
        slug: p.slug,
        baseUrl: upstream.url,
        ...(p.hasSharedApiKey ? {} : { sharedApiKey: 'sk-docs-example-shared-0001', sharedApiEnabled: true }),
      },
    });
  }
}

/** "<NAME id>" placeholders → model ids, looked up now (an earlier example may have created the model). */
async function resolvePlaceholders(run: Run, query: string): Promise<string> {
  const placeholders = [...new Set([...query.matchAll(/"<([^">]+)>"/g)].map((m) => m[1]))];
  if (!placeholders.length) return query;
  const { providers } = await run.admin<{ providers: { slug: string; models: { id: string; name: string }[] }[] }>(
    '{ providers { slug models { id name } } }',
  );
  const named = /provider:\s*"([^"]+)"/.exec(query)?.[1];
  const order = [named, 'openrouter'].filter(Boolean) as string[];
  const ranked = [...providers].sort((a, b) => rank(a.slug) - rank(b.slug));
  function rank(slug: string) {
    const i = order.indexOf(slug);
    return i < 0 ? order.length : i;
  }
  let out = query;
  for (const placeholder of placeholders) {
    // "<scheduled change id>": the switch an earlier example scheduled (the newest pending one).
    if (placeholder === 'scheduled change id') {
      const { scheduledChanges } = await run.admin<{ scheduledChanges: { edges: { node: { id: string; createdAt: string } }[] } }>(
        '{ scheduledChanges(status: PENDING, first: 100) { edges { node { id createdAt } } } }',
      );
      const newest = scheduledChanges.edges.map((e) => e.node).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      if (!newest) throw new Error('no setup for "<scheduled change id>": an earlier example must schedule a switch');
      out = out.split(`"<${placeholder}>"`).join(JSON.stringify(newest.id));
      continue;
    }
    // "<provider/model name>": that provider's model, e.g. "<openai/gpt-4o-mini>".
    const scoped = /^([a-z0-9-]+)\/(.+)$/.exec(placeholder.trim());
    if (scoped) {
      const inProvider = providers.find((p) => p.slug === scoped[1]);
      const found = inProvider?.models.find((x) => x.name === scoped[2]);
      if (!found) throw new Error(`no setup for the placeholder "<${placeholder}>": provider ${scoped[1]} has no model ${scoped[2]}`);
      out = out.split(`"<${placeholder}>"`).join(JSON.stringify(found.id));
      continue;
    }
    const m = /^(.+) id$/.exec(placeholder.trim());
    const model = m && ranked.flatMap((p) => p.models).find((x) => x.name === m[1]);
    if (!model)
      throw new Error(
        `no setup for the placeholder "<${placeholder}>": write "<MODEL-NAME id>" with a model the demo data or an earlier example has`,
      );
    out = out.split(`"<${placeholder}>"`).join(JSON.stringify(model.id));
  }
  return out;
}

/** A subscription's first event (or its error); activeModelChanged without `since` gets a switch to see. */
async function runSubscription(run: Run, query: string, variables: Record<string, unknown>): Promise<unknown[]> {
  const client = wsClient(run.t.url);
  try {
    const opened = run.t.server.services.changeFeed.openFeeds;
    const result = new Promise<unknown[]>((resolve) => {
      const stop = client.subscribe(
        { query, variables },
        {
          next: (r) => {
            stop();
            resolve((r.errors as unknown[]) ?? []);
          },
          error: (e) => resolve([e]),
          complete: () => resolve(['completed without an event']),
        },
      );
    });
    // A replay (`since`) may have nothing after its cursor for that filter: a switch always gives an event.
    if (/activeModelChanged/.test(query)) {
      const until = Date.now() + 10_000;
      while (run.t.server.services.changeFeed.openFeeds <= opened && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      const provider = /provider:\s*"([^"]+)"/.exec(query)?.[1] ?? 'openrouter';
      const capability = /capability:\s*([A-Z]+)/.exec(query)?.[1];
      await switchSomething(run, provider, capability);
    }
    const r = await result;
    return r;
  } finally {
    await client.dispose();
  }
}

/** Switches one slot of the provider (of that capability if given) to another of its models. */
async function switchSomething(run: Run, provider: string, capability?: string): Promise<void> {
  const { provider: p } = await run.admin<{ provider: { models: { id: string; capabilities: string[]; activeCapabilities: string[] }[] } }>(
    `query($p: String!) { provider(slug: $p) { models { id capabilities activeCapabilities } } }`,
    { p: provider },
  );
  for (const m of p.models) {
    const free = m.capabilities.filter((c) => !m.activeCapabilities.includes(c) && (!capability || c === capability));
    if (free.length) {
      await run.admin(`mutation($input: ActivateModelInput!) { activateModel(input: $input) { changes { cursor } } }`, {
        input: { modelId: m.id, capabilities: [free[0]] },
      });
      return;
    }
  }
  throw new Error(`cannot switch a slot of ${provider}${capability ? `/${capability}` : ''} to see an event`);
}

async function runExample(run: Run, example: Example): Promise<unknown[]> {
  await pointProvidersAtFake(run);
  const query = await resolvePlaceholders(run, example.query);
  const variables = example.variables ?? {};
  const isSubscription = parse(query).definitions.some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.SUBSCRIPTION,
  );
  if (isSubscription) return runSubscription(run, query, variables);
  const res = await run.t.gql(query, variables);
  return res.errors ?? (res.status === 200 ? [] : [`HTTP ${res.status}`]);
}

for (const file of documentedFiles()) {
  const examples = extractExamples(file, readFileSync(path.join(REPO_ROOT, file), 'utf8'));
  if (!examples.length) continue;
  describe(file, () => {
    let run: Run;
    beforeAll(async () => {
      run = await freshServerWithDemoData();
    });
    afterAll(async () => {
      await run?.t.close();
    });
    // In document order, on one server: later examples may use what earlier ones created.
    test.each(examples.map((e, i) => [`${file}:${e.line} #${i + 1} ${e.query.replace(/\s+/g, ' ').trim().slice(0, 70)}`, e] as const))(
      '%s',
      async (_name, example) => {
        expect(await runExample(run, example)).toEqual([]);
      },
    );
  });
}
