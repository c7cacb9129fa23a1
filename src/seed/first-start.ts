import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { Role } from '../common/role';
import type { TransactionRunner } from '../db/transaction';
import type { AppServices } from '../app';
import type { Actor } from '../modules/auth/actor';
import { ApiToken } from '../modules/auth/api-token.entity';
import { generateToken, hashToken } from '../modules/auth/token';
import { User } from '../modules/auth/user.entity';
import { seedDemoData, type SeedReport } from './demo-data';

export interface FirstStartResult {
  /** The new admin's token: shown once, stored only as a hash. */
  adminToken: string;
  seeded: SeedReport | null;
}

/** A banner on stdout, so the token stands out from the JSON log lines around it. */
export function tokenBanner(token: string): string {
  const line = '='.repeat(78);
  return [
    '',
    line,
    ' Switchboard: first start. An ADMIN user "admin" was created with this API token:',
    '',
    `   ${token}`,
    '',
    ' It is shown only this once (only its hash is stored). Use it as',
    '   Authorization: Bearer <token>    (admin console: /admin/, explorer: /explorer/)',
    " To pick your own token instead, set ADMIN_TOKEN (it then replaces this one's role).",
    line,
    '',
  ].join('\n');
}

/**
 * On the first start of an empty database with no ADMIN_TOKEN: creates an ADMIN "admin" with a
 * fresh token, prints the token once, and (with `demoData`) loads the demo providers and models.
 * Returns null when there was nothing to do (ADMIN_TOKEN set, or users exist already) — so a
 * restart prints nothing. Safe with several instances starting at once: an advisory lock and the
 * user count decide in one transaction which one creates the admin.
 */
export async function firstStartBootstrap(input: {
  orm: MikroORM;
  services: Pick<AppServices, 'providers' | 'modelLifecycle' | 'activation'>;
  transactions: TransactionRunner;
  adminTokenConfigured: boolean;
  demoData: boolean;
  log: Logger;
  print?: (text: string) => void;
}): Promise<FirstStartResult | null> {
  if (input.adminTokenConfigured) return null;
  const print = input.print ?? ((text: string) => process.stdout.write(text + '\n'));
  const created = await input.transactions.run(async ({ em }) => {
    // Raw: an advisory lock has no ORM form; it serializes instances starting together on an empty database.
    await em.execute(`select pg_advisory_xact_lock(hashtext('switchboard.first-start'))`);
    if ((await em.count(User, {})) > 0) return null;
    const token = generateToken();
    const user = em.create(User, { name: 'admin', role: Role.ADMIN });
    const apiToken = em.create(ApiToken, { user, userId: user.id, name: 'first-start', tokenHash: hashToken(token) });
    await em.flush();
    return { token, user, apiToken };
  });
  if (!created) return null;
  input.log.info({ user: 'admin' }, 'first start: created the admin user; its token is printed once on stdout');
  print(tokenBanner(created.token));

  let seeded: SeedReport | null = null;
  if (input.demoData) {
    const actor: Actor = {
      id: created.user.id,
      name: created.user.name,
      role: Role.ADMIN,
      canUseSharedApi: true,
      createdAt: created.user.createdAt,
      tokenId: created.apiToken.id,
    };
    try {
      seeded = await seedDemoData(input.services, input.orm.em, actor, input.log);
    } catch (e) {
      // The admin exists already, so this start will not be repeated: say how to finish by hand.
      input.log.error({ err: e }, 'loading the demo data failed; run `npm run seed` to load it');
    }
  }
  return { adminToken: created.token, seeded };
}

/** The ADMIN the seeder acts as: "admin" if it is one, else the oldest ADMIN; null when there is none. */
export async function findAdminActor(orm: MikroORM): Promise<Actor | null> {
  const em = orm.em.fork();
  const admin =
    (await em.findOne(User, { name: 'admin', role: Role.ADMIN })) ??
    (await em.findOne(User, { role: Role.ADMIN }, { orderBy: { createdAt: 'asc' } }));
  if (!admin) return null;
  return {
    id: admin.id,
    name: admin.name,
    role: Role.ADMIN,
    canUseSharedApi: admin.canUseSharedApi,
    createdAt: admin.createdAt,
    tokenId: 'seed',
  };
}
