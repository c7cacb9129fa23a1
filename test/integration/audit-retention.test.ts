import pino from 'pino';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { query } from '../helpers/factories';
import { AuditRetention } from '../../src/modules/audit/audit-retention';
import { AuditRepository } from '../../src/modules/audit/audit.repository';
import { AuditService } from '../../src/modules/audit/audit.service';
import { AuditAction } from '../../src/modules/audit/audit-action';

/** AUDIT_RETENTION_DAYS: events older than the retention are deleted, newer ones kept; unset keeps all. */

let t: TestServer;
const NOW = new Date('2026-11-29T12:00:00.000Z');
const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestServer();
  const audit = new AuditService(new AuditRepository());
  const em = t.server.orm.em.fork();
  for (const ageDays of [400, 91, 89, 1]) {
    await audit.record(em, null, {
      action: AuditAction.USER_CREATED,
      targetType: 'user',
      targetId: `aged-${ageDays}`,
      summary: { user: `u${ageDays}`, role: 'MEMBER' },
      details: { name: `u${ageDays}` },
    });
    await em.execute(`update audit_event set at = ? where target_id = ?`, [new Date(NOW.getTime() - ageDays * DAY), `aged-${ageDays}`]);
  }
});

afterAll(() => t.close());

const remaining = async () =>
  (await query(t, `select target_id from audit_event where target_id like 'aged-%' order by at`)).map((r) => r.target_id);

test('unset, nothing is ever deleted', async () => {
  const keepAll = new AuditRetention(t.server.orm.em, new AuditRepository(), undefined, pino({ level: 'silent' }), () => NOW);
  expect(await keepAll.pruneOnce()).toBe(0);
  expect(await remaining()).toEqual(['aged-400', 'aged-91', 'aged-89', 'aged-1']);
});

test('90 days: the two older events go, the newer two stay; a second run finds nothing', async () => {
  const retention = new AuditRetention(t.server.orm.em, new AuditRepository(), 90, pino({ level: 'silent' }), () => NOW);
  expect(await retention.pruneOnce()).toBe(2);
  expect(await remaining()).toEqual(['aged-89', 'aged-1']);
  expect(await retention.pruneOnce()).toBe(0);
});
