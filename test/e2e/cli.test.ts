import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { committedAfter, gqlAt, seedAcme, startCluster, startWriter, waitUntil, type Cluster } from '../helpers/client-scenario';
import { REPO_ROOT, freePort } from '../helpers/server-process';
import { ADMIN_TOKEN } from '../helpers/test-server';
import type { ChangeJson } from '../../src/cli/switchboard';

/**
 * The `switchboard` command line (clients.md part 3), run as users run it: `node <bin>` on the
 * compiled file, against real server processes. And the package's exports: `switchboard/client`
 * resolves with require and import, with its types.
 */

jest.setTimeout(300_000);

const BIN = path.join(REPO_ROOT, 'dist/src/cli/switchboard.js');
let cluster: Cluster;
let ids: Record<string, string>;
let env: Record<string, string>;
const children: ChildProcess[] = [];

function cli(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  // The bin is the compiled file: build it as `npm run build` does.
  const build = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`build failed: ${build.stdout}${build.stderr}`);
  const types = spawnSync(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.client.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (types.status !== 0) throw new Error(`client build failed: ${types.stdout}${types.stderr}`);
  cluster = await startCluster(2, 'cli');
  ids = await seedAcme(cluster.servers[0].url);
  env = { SWITCHBOARD_URL: `${cluster.servers[0].url}/graphql`, SWITCHBOARD_TOKEN: ADMIN_TOKEN };
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await cluster?.close();
});

describe('package exports', () => {
  test('switchboard/client resolves with require and import, and its types check in a consumer', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-consumer-'));
    try {
      mkdirSync(path.join(dir, 'node_modules'));
      symlinkSync(REPO_ROOT, path.join(dir, 'node_modules/switchboard'), 'dir');
      const req = spawnSync(
        process.execPath,
        ['-e', "const c = require('switchboard/client'); console.log(typeof c.SwitchboardClient, typeof c.SwitchboardError)"],
        { cwd: dir, encoding: 'utf8' },
      );
      expect(req.stderr).toBe('');
      expect(req.stdout.trim()).toBe('function function');
      const imp = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', "import { SwitchboardClient } from 'switchboard/client'; console.log(typeof SwitchboardClient)"],
        { cwd: dir, encoding: 'utf8' },
      );
      expect(imp.stderr).toBe('');
      expect(imp.stdout.trim()).toBe('function');

      writeFileSync(
        path.join(dir, 'consumer.ts'),
        [
          "import { SwitchboardClient, type ActiveModel, type SlotChange } from 'switchboard/client';",
          "const client = new SwitchboardClient({ url: 'http://127.0.0.1:4000/graphql', token: 't', providers: ['openrouter'] });",
          "const model: ActiveModel | null = client.activeModel('openrouter', 'CHAT');",
          'const stop: () => void = client.onChange((c: SlotChange) => console.log(c.cursor, c.model?.name, model?.version));',
          "const state: 'connecting' | 'live' | 'reconnecting' | 'closed' = client.state;",
          'void stop; void state; void client.ready(); void client.close();',
          '// @ts-expect-error: activeModel() answers from memory, synchronously (no promise)',
          'void client.activeModel("openrouter", "CHAT").then;',
          '',
        ].join('\n'),
      );
      const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
      for (const resolution of [
        ['--module', 'node16', '--moduleResolution', 'node16'],
        ['--module', 'commonjs', '--moduleResolution', 'node10'],
      ]) {
        const check = spawnSync(
          process.execPath,
          [
            tsc,
            '--noEmit',
            '--strict',
            '--skipLibCheck',
            '--target',
            'ES2022',
            '--lib',
            'ES2022,DOM',
            '--types',
            'node',
            '--typeRoots',
            path.join(REPO_ROOT, 'node_modules/@types'),
            ...resolution,
            'consumer.ts',
          ],
          { cwd: dir, encoding: 'utf8' },
        );
        expect({ resolution: resolution[3], out: check.stdout + check.stderr, status: check.status }).toEqual({
          resolution: resolution[3],
          out: '',
          status: 0,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('switchboard CLI', () => {
  test('active: human and --json output, case-insensitive capability, exit 3 and null for an empty slot', () => {
    const human = cli(['active', 'acme', 'chat']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toMatch(/^acme\/CHAT: m\d \(acme\/m\d\) v\d+\n$/);
    const json = cli(['active', 'acme', 'Chat', '--json']);
    expect(json.code).toBe(0);
    const model = JSON.parse(json.stdout);
    expect(Object.keys(model).sort()).toEqual(['capability', 'displayName', 'id', 'modelId', 'name', 'provider', 'version']);
    expect(model).toMatchObject({ provider: 'acme', capability: 'CHAT' });
    expect(cli(['active', 'acme', 'image', '--json'])).toMatchObject({ code: 3, stdout: 'null\n' });
    expect(cli(['active', 'acme', 'image'])).toMatchObject({ code: 3, stdout: 'acme/IMAGE: no active model\n' });
  });

  test('active --at answers the model that held the slot then, with that version', async () => {
    const before = JSON.parse(cli(['active', 'acme', 'CHAT', '--json']).stdout);
    const at = new Date().toISOString();
    await waitUntil(() => Date.now() > Date.parse(at) + 1, 1000, 'the clock to pass `at`'); // the next change commits strictly after it
    const other = before.name === 'm2' ? 'm3' : 'm2';
    expect(cli(['activate', 'acme', other, '--json']).code).toBe(0);
    expect(JSON.parse(cli(['active', 'acme', 'CHAT', '--at', at, '--json']).stdout)).toEqual(before);
    expect(JSON.parse(cli(['active', 'acme', 'CHAT', '--json']).stdout)).toMatchObject({ name: other, version: before.version + 1 });
  });

  test('activate: {"changes": [...]} in --json, compare-and-swap conflicts exit 1 with the code on stderr', () => {
    const current = JSON.parse(cli(['active', 'acme', 'CHAT', '--json']).stdout);
    const target = current.name === 'm1' ? 'm2' : 'm1';
    const res = cli(['activate', 'acme', target, '--capability', 'chat', '--expected-version', String(current.version), '--json']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const out = JSON.parse(res.stdout);
    expect(out.changes).toHaveLength(1);
    expect(out.changes[0]).toMatchObject({
      provider: 'acme',
      capability: 'CHAT',
      version: current.version + 1,
      model: target,
      previousModel: current.name,
    });
    expect(out.changes[0].cursor).toMatch(/^\d+$/);

    const stale = cli(['activate', 'acme', current.name, '--capability', 'CHAT', '--expected-version', String(current.version)]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/CONFLICT/);
    expect(stale.stdout).toBe('');
    const unknown = cli(['activate', 'acme', 'no-such-model']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/NOT_FOUND/);
  });

  test('history: newest first, --limit, --capability, with and without a provider', () => {
    const all = JSON.parse(cli(['history', 'acme', '--json']).stdout) as ChangeJson[];
    expect(all.length).toBeGreaterThan(1);
    const cursors = all.map((c) => c.cursor);
    expect(cursors).toEqual([...cursors].sort().reverse());
    expect(all[0]).toEqual(expect.objectContaining({ provider: 'acme', capability: 'CHAT', model: expect.any(String) }));
    expect(JSON.parse(cli(['history', 'acme', '--limit', '1', '--json']).stdout)).toEqual([all[0]]);
    expect(JSON.parse(cli(['history', '--capability', 'chat', '--limit', '2', '--json']).stdout)).toEqual(all.slice(0, 2));
    expect(JSON.parse(cli(['history', 'acme', '--capability', 'IMAGE', '--json']).stdout)).toEqual([]);
    const human = cli(['history', 'acme', '--limit', '2']);
    expect(human.code).toBe(0);
    expect(human.stdout.trim().split('\n')).toHaveLength(2);
  });

  test('usage errors exit 2 with the usage on stderr; API errors exit 1 with the message and code', () => {
    for (const args of [
      [],
      ['bogus'],
      ['active', 'acme'],
      ['active', 'acme', 'video'],
      ['history', '--limit', 'x'],
      ['watch', '--since', 'abc'],
      ['active', 'acme', 'chat', '--nope'],
    ]) {
      const r = cli(args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(/Usage:/);
    }
    expect(cli(['--help']).code).toBe(0);
    const unknown = cli(['active', 'nobody', 'chat']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toMatch(/nobody.*NOT_FOUND/);
    const denied = cli(['active', 'acme', 'chat'], { SWITCHBOARD_TOKEN: 'not-a-valid-token-0000' });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/UNAUTHENTICATED/);
    const flags = cli(['active', 'acme', 'chat', '--json', '--url', env.SWITCHBOARD_URL, '--token', ADMIN_TOKEN], {
      SWITCHBOARD_URL: 'http://127.0.0.1:9/graphql',
      SWITCHBOARD_TOKEN: '',
    });
    expect(flags.code).toBe(0);
  });

  test('watch --json survives a restart of its server: no change missed, none repeated; SIGTERM exits 0', async () => {
    const [a, b] = cluster.servers;
    const history = await gqlAt<{ activationHistory: { edges: { cursor: string }[] } }>(
      b.url,
      `{ activationHistory(provider: "acme", first: 1) { edges { cursor } } }`,
    );
    const since = history.activationHistory.edges[0].cursor;
    const watch = spawn(process.execPath, [BIN, 'watch', 'acme', '--since', since, '--json'], { env: { ...process.env, ...env } });
    children.push(watch);
    const lines: string[] = [];
    let rest = '';
    let stderr = '';
    watch.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      lines.push(...parts);
    });
    watch.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const writer = startWriter(() => b.url, ids);
    await writer.more(5);
    await waitUntil(() => lines.length >= 3, 20_000, 'watch output');

    const port = new URL(a.url).port;
    await a.stop();
    await writer.more(8);
    await cluster.startInstance(Number(port));
    await writer.more(5);
    await writer.stop();

    const expected = await committedAfter(cluster.databaseUrl, since);
    await waitUntil(() => lines.length >= expected.length, 30_000, `${expected.length} lines (got ${lines.length})`);
    const exited = new Promise<number | null>((resolve) => watch.once('exit', (code) => resolve(code)));
    watch.kill('SIGTERM');
    expect(await exited).toBe(0);
    const got = lines.map((l) => JSON.parse(l)).map((c) => `${c.provider}/${c.capability} v${c.version} @${c.cursor}`);
    expect(got).toEqual(expected);
    const first = JSON.parse(lines[0]);
    expect(Object.keys(first)).toEqual(expect.arrayContaining(['cursor', 'provider', 'capability', 'version', 'model', 'previousModel']));
    expect(typeof first.model === 'string' || first.model === null).toBe(true);
    expect(stderr).toBe('');
  });
});

describe('examples/ (compiled, run as their comments say)', () => {
  function start(file: string, args: string[], extraEnv: Record<string, string> = {}) {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/examples', file), ...args], {
      env: { ...process.env, ...env, ...extraEnv },
    });
    children.push(child);
    const out: string[] = [];
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(...d.split('\n').filter(Boolean)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, out, err: () => err, exited };
  }
  const switchTo = async (name: string) =>
    gqlAt(
      cluster.servers.at(-1)!.url,
      `mutation($id: ID!) { activateModel(input: { modelId: $id, capabilities: [CHAT] }) { changes { version } } }`,
      { id: ids[name] },
    );
  const activeName = async () =>
    (await gqlAt<{ activeModel: { name: string } }>(cluster.servers.at(-1)!.url, `{ activeModel(provider: "acme", capability: CHAT) { name } }`))
      .activeModel.name;

  test('follow-active-model prints the active model, then every switch; SIGTERM exits 0', async () => {
    const ex = start('follow-active-model.js', ['acme', 'chat']);
    await waitUntil(() => ex.out.some((l) => l.startsWith('active acme/CHAT: ')), 60_000, `the first line (stderr: ${ex.err()})`);
    const current = await activeName();
    expect(ex.out.find((l) => l.startsWith('active acme/CHAT: '))).toMatch(
      new RegExp(`^active acme/CHAT: ${current} \\(acme/${current}\\) v\\d+$`),
    );
    const next = current === 'm1' ? 'm2' : 'm1';
    await switchTo(next);
    await waitUntil(() => ex.out.some((l) => l.endsWith(`-> ${next} (acme/${next})`)), 30_000, 'the switch line');
    ex.child.kill('SIGTERM');
    expect(await ex.exited).toBe(0);
    expect(ex.err()).toBe('');
  });

  test('pick-model-per-request answers each request with the model active at that moment', async () => {
    const port = await freePort();
    const ex = start('pick-model-per-request.js', [], { PORT: String(port), PROVIDER: 'acme' });
    await waitUntil(() => ex.out.some((l) => l.startsWith('listening')), 60_000, `listening (stderr: ${ex.err()})`);
    const ask = async () => (await (await fetch(`http://127.0.0.1:${port}/chat`)).json()) as { model: string; name: string };
    expect((await ask()).name).toBe(await activeName());
    const next = (await activeName()) === 'm3' ? 'm1' : 'm3';
    await switchTo(next);
    await waitUntil(async () => (await ask()).name === next, 30_000, 'the next request to use the new model');
    expect(await ask()).toMatchObject({ model: `acme/${next}`, name: next });
    const code = await fetch(`http://127.0.0.1:${port}/code`);
    expect(code.status).toBe(503); // acme has no CODE model: said, not guessed
    ex.child.kill('SIGTERM');
    expect(await ex.exited).toBe(0);
  });
});
