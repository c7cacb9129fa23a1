import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { registerEntities } from '../../db/orm-options';
import { registerResolvers } from '../../graphql/schema';
import type { ChangeListener } from '../activation/change-record';
import type { AuditService } from '../audit/audit.service';
import { ScheduledChange } from './scheduled-change.entity';
import { ChangeScheduleResolver, ScheduledChangeResolver, ScheduleResolver } from './schedule.resolver';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleService, type ScheduleActivation } from './schedule.service';
import { ScheduleWorker } from './schedule.worker';

/** The longest a worker sleeps between two looks: switches created on another instance apply within it. */
export const SCHEDULE_POLL_MS = 1_000;

export interface ScheduleDeps {
  orm: MikroORM;
  activation: ScheduleActivation;
  audit: AuditService;
  listener: ChangeListener;
  log: Logger;
  pollMs?: number;
}

/** Scheduled switches: the service and this instance's worker (started by the server, stopped on close). */
export function createScheduleModule(deps: ScheduleDeps) {
  const schedules = new ScheduleService(deps.orm, new ScheduleRepository(), deps.activation, deps.audit, deps.listener, deps.log);
  const worker = new ScheduleWorker(schedules, { pollMs: deps.pollMs ?? SCHEDULE_POLL_MS, log: deps.log });
  schedules.worker = worker;
  return { schedules, worker };
}

export function registerScheduleModule(): void {
  registerEntities(ScheduledChange);
  registerResolvers(ScheduleResolver, ScheduledChangeResolver, ChangeScheduleResolver);
}
