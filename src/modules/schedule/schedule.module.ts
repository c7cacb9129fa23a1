import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { TransactionRunner } from '../../db/transaction';
import type { ActivationQueryService } from '../activation/activation-query.service';
import type { ActivationService } from '../activation/activation.service';
import type { AuditService } from '../audit/audit.service';
import { scheduleActivationOf } from './activation-adapter';
import { ChangeScheduleResolver, ScheduledChangeResolver, ScheduleResolver } from './schedule.resolver';
import { ScheduleRepository } from './schedule.repository';
import { ScheduleService } from './schedule.service';
import { ScheduleWorker } from './schedule.worker';

/** The longest a worker sleeps between two looks: switches created on another instance apply within it. */
export const SCHEDULE_POLL_MS = 1_000;

export interface ScheduleServices {
  schedules: ScheduleService;
  /** This instance's worker: the server starts it and stops it on close (SIGTERM). */
  scheduleWorker: ScheduleWorker;
}

export interface ScheduleDeps {
  rootEm: EntityManager;
  transactions: TransactionRunner;
  activation: ActivationService;
  activationQueries: ActivationQueryService;
  audit: AuditService;
  log: Logger;
  pollMs?: number;
}

/** Scheduled switches: the service, this instance's worker, and their resolvers. */
export function createScheduleModule(deps: ScheduleDeps) {
  const schedules = new ScheduleService(
    deps.rootEm,
    deps.transactions,
    new ScheduleRepository(),
    scheduleActivationOf(deps.activation),
    deps.audit,
  );
  const scheduleWorker = new ScheduleWorker(schedules, { pollMs: deps.pollMs ?? SCHEDULE_POLL_MS, log: deps.log });
  schedules.worker = scheduleWorker;
  const services: ScheduleServices = { schedules, scheduleWorker };
  return { services, resolvers: scheduleResolvers({ ...services, activationQueries: deps.activationQueries }) };
}

export function scheduleResolvers(s: { schedules: ScheduleService; activationQueries: ActivationQueryService }): object[] {
  return [
    new ScheduleResolver(s.schedules, s.activationQueries),
    new ScheduledChangeResolver(s.schedules),
    new ChangeScheduleResolver(s.schedules),
  ];
}
