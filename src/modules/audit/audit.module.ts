import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { AuditRetention } from './audit-retention';
import { AuditEventResolver, AuditResolver } from './audit.resolver';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

export interface AuditServices {
  audit: AuditService;
  auditRetention: AuditRetention;
}

/**
 * The audit log: the service every state-changing service records through (inside its own
 * transaction), the auditLog query, and the retention job (AUDIT_RETENTION_DAYS).
 */
export function createAuditModule(deps: { rootEm: EntityManager; log: Logger; retentionDays?: number }) {
  const repository = new AuditRepository();
  const services: AuditServices = {
    audit: new AuditService(repository),
    auditRetention: new AuditRetention(deps.rootEm, repository, deps.retentionDays, deps.log),
  };
  return { services, resolvers: auditResolvers(services) };
}

export function auditResolvers(s: Pick<AuditServices, 'audit'>): object[] {
  return [new AuditResolver(s.audit), new AuditEventResolver()];
}
