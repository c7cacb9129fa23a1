import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/**
 * Real processes for tests that need more than one server, or a Redis they can kill:
 * a Switchboard server (src/main.ts through ts-node, or the built dist/src/main.js) and a redis-server.
 */

export const REPO_ROOT = path.resolve(__dirname, '../..');

/** A TCP port that was free a moment ago (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Every line the server wrote (pino JSON on stdout, anything on stderr). */
  output: string[];
  /** SIGTERM (graceful: flushes the outbox), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServerProcessOptions {
  /** Run dist/src/main.js (after `npm run build`) instead of src/main.ts through ts-node. */
  dist?: boolean;
  timeoutMs?: number;
  /** Extra node flags, e.g. --max-old-space-size. */
  nodeArgs?: string[];
}

/**
 * Starts `src/main.ts` (ts-node, transpile only: decorator metadata is still emitted) on a free port
 * (or env.PORT) and resolves once /healthz answers.
 */
export async function startServerProcess(env: Record<string, string | undefined>, options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const args = options.dist
    ? [...(options.nodeArgs ?? []), path.join(REPO_ROOT, 'dist/src/main.js')]
    : [...(options.nodeArgs ?? []), '-r', 'ts-node/register/transpile-only', path.join(REPO_ROOT, 'src/main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      TS_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.json'),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...env,
      PORT: port,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n--- server output ---\n${output.slice(-40).join('\n')}`));
    };
    const timer = setTimeout(() => fail(new Error(`server did not listen within ${timeoutMs} ms`)), timeoutMs);
    const url = `http://127.0.0.1:${port}`;
    // Ready once /healthz answers (whatever LOG_LEVEL says).
    const poll = async () => {
      while (!settled) {
        try {
          const res = await fetch(`${url}/healthz`);
          if (res.ok) {
            settled = true;
            clearTimeout(timer);
            resolve({ url, child, output, stop: (graceMs = 10_000) => stopChild(child, 'SIGTERM', graceMs) });
            return;
          }
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    void poll();
    const onLine = (line: string) => {
      output.push(line);
      if (output.length > 5000) output.splice(0, 1000);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        lines.forEach(onLine);
      });
    }
    child.once('exit', (code, signal) => fail(new Error(`server exited early (code ${code}, signal ${signal})`)));
    child.once('error', (e) => fail(e));
  });
}

export interface RedisProcess {
  port: number;
  url: string;
  /** Starts redis-server (again) on the same port, without persistence. */
  start(): Promise<void>;
  /** SIGKILL: an abrupt outage, nothing saved. */
  kill(): Promise<void>;
  running(): boolean;
}

/** A private redis-server on a free port (nothing persisted), so a test can take it away and bring it back. */
export async function redisProcess(port?: number): Promise<RedisProcess> {
  const p = port ?? (await freePort());
  let child: ChildProcess | undefined;
  const handle: RedisProcess = {
    port: p,
    url: `redis://127.0.0.1:${p}`,
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    async start() {
      if (handle.running()) return;
      const c = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      const log: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${p}: ${log.join('')}`)), 10_000);
        const onData = (d: Buffer) => {
          log.push(d.toString());
          if (/Ready to accept connections/i.test(log.join(''))) {
            clearTimeout(timer);
            resolve();
          }
        };
        c.stdout.on('data', onData);
        c.stderr.on('data', onData);
        c.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited (${code}): ${log.join('')}`));
        });
      });
      c.stdout.removeAllListeners('data');
      c.stderr.removeAllListeners('data');
      c.stdout.resume();
      c.stderr.resume();
      c.removeAllListeners('exit');
    },
    async kill() {
      if (!child) return;
      const c = child;
      c.kill('SIGKILL');
      await exited(c);
    },
  };
  await handle.start();
  return handle;
}
