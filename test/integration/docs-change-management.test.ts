import { readFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { parse } from 'graphql';
import { seedDemoData } from '../../src/seed/demo-data';
import { findAdminActor } from '../../src/seed/first-start';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { query } from '../helpers/factories';

/**
 * Every GraphQL example of docs/change-management.md runs, in order, against the demo data:
 * "<provider/model>" stands for that model's id, "<scheduled change id>" for the switch the example
 * scheduled. The expected answers written in the document (as comments) are checked where they hold
 * no per-database values.
 */

const DOC = path.resolve(__dirname, '../../docs/change-management.md');
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
  await seedDemoData(t.server.services, t.server.orm.em, (await findAdminActor(t.server.orm))!, pino({ level: 'silent' }));
});
afterAll(() => t.close());

/** "…" in a written answer stands for a per-database value (an id, a time). */
function wildcards(value: unknown): unknown {
  if (value === '…') return expect.any(String);
  if (Array.isArray(value)) return value.map(wildcards);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wildcards(v)]));
  return value;
}

function examples(): { operation: string; expected?: unknown }[] {
  const blocks = [...readFileSync(DOC, 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.map((block) => {
    const comment = block
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .map((l) => l.replace(/^#\s?/, ''))
      .join('');
    let expected: unknown;
    try {
      expected = comment ? JSON.parse(comment) : undefined;
    } catch {
      expected = undefined; // abridged ("…"): only checked for running without errors
    }
    return { operation: block, expected };
  });
}

test('every example runs against the demo data, and answers as written', async () => {
  const list = examples();
  expect(list.length).toBeGreaterThanOrEqual(9);
  let scheduledId = '';
  for (const { operation, expected } of list) {
    let text = operation.replace(/"<scheduled change id>"/g, JSON.stringify(scheduledId));
    for (const [, slug, name] of [...text.matchAll(/"<([a-z0-9-]+)\/([^>"]+)>"/g)]) {
      const [row] = await query(t, 'select m.id from ai_model m join provider p on p.id = m.provider_id where p.slug = $1 and m.name = $2', [
        slug,
        name,
      ]);
      expect([slug, name, !!row]).toEqual([slug, name, true]);
      text = text.replace(`"<${slug}/${name}>"`, JSON.stringify(row.id));
    }
    parse(text);
    const res = await t.gql<{ scheduleActivation?: { id: string } }>(text.replace(/^#.*$/gm, ''));
    expect([operation.slice(0, 60), res.errors]).toEqual([operation.slice(0, 60), undefined]);
    if (res.data?.scheduleActivation) scheduledId = res.data.scheduleActivation.id;
    if (expected !== undefined && !JSON.stringify(expected).includes('<scheduled change id>')) {
      expect(res).toMatchObject(wildcards(expected) as object);
    }
  }
});
