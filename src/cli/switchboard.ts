#!/usr/bin/env node
/**
 * The `switchboard` command line (package.json "bin"), built on the client library.
 * Contract: ../shared/spec/clients.md part 3 (commands, --json output, exit codes).
 */
import { SwitchboardClient, SwitchboardError, request, type HttpOptions, type SlotChange } from '../client';
import {
  ClientActivateDocument,
  ClientActiveModelDocument,
  ClientHistoryDocument,
  ClientModelsDocument,
  ClientProvidersDocument,
  ClientSlotsDocument,
  type ActivateModelInput,
  type Capability,
  type ClientChangeFragment,
  type ClientHistoryQuery,
} from '../client/generated/graphql';

const CAPABILITIES: readonly Capability[] = ['CHAT', 'CODE', 'CONTENT', 'IMAGE', 'AUDIO', 'EMBEDDING'];
const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

const USAGE = `Usage:
  switchboard active <provider> <capability> [--at <ISO-8601>] [--json]
  switchboard activate <provider> <model-name> [--capability <C>]... [--expected-version <N>] [--reason <text>] [--json]
  switchboard history [<provider>] [--capability <C>] [--limit <N>] [--json]
  switchboard watch [<provider>] [--capability <C>] [--since <cursor>] [--json]

Options: --url <graphql URL> (default $SWITCHBOARD_URL or ${DEFAULT_URL}), --token <token> (default $SWITCHBOARD_TOKEN)
Capabilities (any case): ${CAPABILITIES.join(', ')}
Exit codes: 0 success, 1 API error, 2 usage error, 3 empty slot (active)`;

class UsageError extends Error {}

export const EXIT = { OK: 0, API_ERROR: 1, USAGE: 2, EMPTY_SLOT: 3 } as const;

interface Parsed {
  command: string;
  positional: string[];
  options: Map<string, string[]>;
  json: boolean;
}

const VALUE_OPTIONS: Record<string, readonly string[]> = {
  active: ['at'],
  activate: ['capability', 'expected-version', 'reason'],
  history: ['capability', 'limit'],
  watch: ['capability', 'since'],
};

function parse(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') throw new UsageError('');
  if (!(command in VALUE_OPTIONS)) throw new UsageError(`unknown command "${command}"`);
  const allowed = new Set([...VALUE_OPTIONS[command], 'url', 'token']);
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--json') {
      json = true;
      continue;
    }
    if (arg.startsWith('--')) {
      let name = arg.slice(2);
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      if (!allowed.has(name)) throw new UsageError(`unknown option --${name} for "${command}"`);
      if (value === undefined) {
        value = rest[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
      }
      options.set(name, [...(options.get(name) ?? []), value]);
      continue;
    }
    positional.push(arg);
  }
  return { command, positional, options, json };
}

function capabilityOf(value: string): Capability {
  const c = value.toUpperCase() as Capability;
  if (!CAPABILITIES.includes(c)) throw new UsageError(`unknown capability "${value}" (one of ${CAPABILITIES.join(', ')}, any case)`);
  return c;
}

function one(options: Map<string, string[]>, name: string): string | undefined {
  const values = options.get(name);
  if (values && values.length > 1) throw new UsageError(`--${name} given more than once`);
  return values?.[0];
}

function integer(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got "${value}"`);
  return Number(value);
}

function positionals(p: Parsed, min: number, max: number, names: string): string[] {
  if (p.positional.length < min || p.positional.length > max) throw new UsageError(`"${p.command}" takes ${names}`);
  return p.positional;
}

/** A change as `watch --json` prints it (one object per line) and `activate`/`history` list it. */
export interface ChangeJson {
  cursor: string;
  provider: string;
  capability: string;
  version: number;
  model: string | null;
  previousModel: string | null;
  changedAt: string;
  changedBy: string | null;
}

export function changeJson(c: ClientChangeFragment | SlotChange): ChangeJson {
  const provider = typeof c.provider === 'string' ? c.provider : c.provider.slug;
  return {
    cursor: c.cursor,
    provider,
    capability: c.capability,
    version: c.version,
    model: c.model?.name ?? null,
    previousModel: c.previousModel?.name ?? null,
    changedAt: c.changedAt,
    changedBy: c.changedBy,
  };
}

function changeLine(c: ClientChangeFragment | SlotChange): string {
  const j = changeJson(c);
  return `${j.cursor}  ${j.provider}/${j.capability} v${j.version}: ${j.previousModel ?? '(empty)'} -> ${j.model ?? '(empty)'}  ${j.changedAt}${j.changedBy ? ` by ${j.changedBy}` : ''}`;
}

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<void>;
}

async function active(p: Parsed, http: HttpOptions, io: Io): Promise<number> {
  const [provider, capabilityArg] = positionals(p, 2, 2, '<provider> <capability>');
  const capability = capabilityOf(capabilityArg);
  const atArg = one(p.options, 'at');
  let model: { id: string; name: string; modelId: string; displayName: string; version: number } | null = null;
  if (atArg === undefined) {
    const { activeModels } = await request(http, ClientSlotsDocument, { provider });
    const slot = activeModels.find((s) => s.capability === capability);
    model = slot ? { ...slot.model, version: slot.version } : null;
  } else {
    const at = new Date(atArg);
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at must be an ISO-8601 instant, got "${atArg}"`);
    const found = (await request(http, ClientActiveModelDocument, { provider, capability, at: at.toISOString() })).activeModel;
    if (found) {
      // The slot's version at that instant: the newest change at or before it.
      let version = 0;
      let after: string | null = null;
      for (;;) {
        const page: ClientHistoryQuery = await request(http, ClientHistoryDocument, { provider, capability, first: 100, after });
        const hit = page.activationHistory.edges.find((e) => new Date(e.node.changedAt).getTime() <= at.getTime());
        if (hit) {
          version = hit.node.version;
          break;
        }
        if (!page.activationHistory.pageInfo.hasNextPage) break;
        after = page.activationHistory.pageInfo.endCursor;
      }
      model = { ...found, version };
    }
  }
  const result = model
    ? { id: model.id, name: model.name, modelId: model.modelId, displayName: model.displayName, provider, capability, version: model.version }
    : null;
  if (p.json) io.out(JSON.stringify(result));
  else
    io.out(
      result ? `${provider}/${capability}: ${result.name} (${result.modelId}) v${result.version}` : `${provider}/${capability}: no active model`,
    );
  return result ? EXIT.OK : EXIT.EMPTY_SLOT;
}

async function activate(p: Parsed, http: HttpOptions, io: Io): Promise<number> {
  const [provider, name] = positionals(p, 2, 2, '<provider> <model-name>');
  const capabilities = (p.options.get('capability') ?? []).map(capabilityOf);
  const expectedVersion = integer(one(p.options, 'expected-version'), 'expected-version', 0);
  const reason = one(p.options, 'reason');
  const found = (await request(http, ClientModelsDocument, { provider })).provider;
  if (!found) throw new SwitchboardError(`No provider with slug "${provider}".`, 'NOT_FOUND');
  const model = found.models.find((m) => m.name === name);
  if (!model) throw new SwitchboardError(`Provider "${provider}" has no model named "${name}".`, 'NOT_FOUND');
  // `reason` is part of the change-management contract; a server without it answers BAD_USER_INPUT.
  const input: ActivateModelInput & { reason?: string } = { modelId: model.id };
  if (capabilities.length) input.capabilities = capabilities;
  if (expectedVersion !== undefined) input.expectedVersion = expectedVersion;
  if (reason !== undefined) input.reason = reason;
  const { activateModel } = await request(http, ClientActivateDocument, { input });
  if (p.json) io.out(JSON.stringify({ changes: activateModel.changes.map(changeJson) }));
  else if (!activateModel.changes.length) io.out(`${provider}/${name}: nothing changed (it already holds those slots)`);
  else activateModel.changes.forEach((c) => io.out(changeLine(c)));
  return EXIT.OK;
}

async function history(p: Parsed, http: HttpOptions, io: Io): Promise<number> {
  const [provider] = positionals(p, 0, 1, '[<provider>]');
  const capArg = one(p.options, 'capability');
  const capability = capArg === undefined ? null : capabilityOf(capArg);
  const limit = integer(one(p.options, 'limit'), 'limit', 1) ?? 20;
  const providers = provider ? [provider] : (await request(http, ClientProvidersDocument)).providers.map((x) => x.slug);
  const all: ClientChangeFragment[] = [];
  await Promise.all(
    providers.map(async (slug) => {
      let after: string | null = null;
      let taken = 0;
      while (taken < limit) {
        const first = Math.min(100, limit - taken);
        const { activationHistory }: ClientHistoryQuery = await request(http, ClientHistoryDocument, {
          provider: slug,
          capability,
          first,
          after,
        });
        all.push(...activationHistory.edges.map((e) => e.node));
        taken += activationHistory.edges.length;
        if (!activationHistory.pageInfo.hasNextPage) break;
        after = activationHistory.pageInfo.endCursor;
      }
    }),
  );
  const newestFirst = all
    .sort((a, b) => (a.cursor.length !== b.cursor.length ? b.cursor.length - a.cursor.length : a.cursor < b.cursor ? 1 : -1))
    .slice(0, limit);
  if (p.json) io.out(JSON.stringify(newestFirst.map(changeJson)));
  else if (!newestFirst.length) io.out('no changes');
  else newestFirst.forEach((c) => io.out(changeLine(c)));
  return EXIT.OK;
}

async function watch(p: Parsed, http: HttpOptions, io: Io): Promise<number> {
  const [provider] = positionals(p, 0, 1, '[<provider>]');
  const capArg = one(p.options, 'capability');
  const since = one(p.options, 'since');
  if (since !== undefined && !/^\d{1,20}$/.test(since))
    throw new UsageError(`--since must be a cursor (as printed by watch or history), got "${since}"`);
  const client = new SwitchboardClient({
    url: http.url,
    token: http.token ?? '',
    providers: provider ? [provider] : undefined,
    capabilities: capArg === undefined ? undefined : [capabilityOf(capArg)],
    since,
    // Node 22+ has a global WebSocket; older Node versions use the ws package (a dependency).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only on Node versions without a global WebSocket
    webSocketImpl: typeof WebSocket === 'undefined' ? require('ws') : undefined,
  });
  client.onChange((c) => io.out(p.json ? JSON.stringify(changeJson(c)) : changeLine(c)));
  if (!p.json) client.on('state', (s) => io.err(`[${s}]`));
  const failed = new Promise<SwitchboardError>((resolve) => client.on('error', resolve));
  try {
    await Promise.race([client.ready(), failed.then((e) => Promise.reject(e))]);
  } catch (e) {
    await client.close();
    throw e;
  }
  const outcome = await Promise.race([io.stopSignal.then(() => null), failed]);
  await client.close();
  if (outcome) throw outcome;
  return EXIT.OK;
}

/** Runs one command; returns the exit code. */
export async function run(argv: string[], io: Io): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parse(argv);
    const url = one(parsed.options, 'url') ?? io.env.SWITCHBOARD_URL ?? DEFAULT_URL;
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--url / SWITCHBOARD_URL is not a URL: "${url}"`);
    }
    const http: HttpOptions = { url, token: one(parsed.options, 'token') ?? io.env.SWITCHBOARD_TOKEN, locale: io.env.SWITCHBOARD_LOCALE };
    const commands = { active, activate, history, watch } as const;
    return await commands[parsed.command as keyof typeof commands](parsed, http, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(e.message ? `switchboard: ${e.message}\n\n${USAGE}` : USAGE);
      return e.message ? EXIT.USAGE : argv.length ? EXIT.OK : EXIT.USAGE;
    }
    const error = e instanceof SwitchboardError ? e : new SwitchboardError((e as Error).message, 'INTERNAL_ERROR');
    io.err(`switchboard: ${error.message} (${error.code})`);
    return EXIT.API_ERROR;
  }
}

if (require.main === module) {
  const stopSignal = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  run(process.argv.slice(2), {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    env: process.env,
    stopSignal,
  }).then(
    (code) => {
      process.exitCode = code;
      // Let stdout drain, then leave even if a socket is still closing.
      setImmediate(() => process.exit(code));
    },
    (e) => {
      process.stderr.write(`switchboard: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    },
  );
}
