import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { registerEntities } from '../../db/orm-options';
import { registerResolvers } from '../../graphql/schema';
import { AuditEvent } from './audit-event.entity';
import { AuditRetention } from './audit-retention';
import { AuditEventResolver, AuditResolver } from './audit.resolver';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

export interface AuditDeps {
  orm: MikroORM;
  log: Logger;
  /** AUDIT_RETENTION_DAYS; undefined keeps everything. */
  retentionDays?: number;
}

/** The audit log: the service every state-changing service records through, and the retention job. */
export function createAuditModule(deps: AuditDeps) {
  const repository = new AuditRepository();
  const audit = new AuditService(repository);
  const retention = new AuditRetention(deps.orm, repository, deps.retentionDays, deps.log);
  return { audit, retention };
}

export function registerAuditModule(): void {
  registerEntities(AuditEvent);
  registerResolvers(AuditResolver, AuditEventResolver);
}
