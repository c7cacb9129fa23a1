import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { SnapshotStore } from '../../cache/snapshot-store';
import type { TransactionRunner } from '../../db/transaction';
import type { EventBus } from '../../pubsub/event-bus';
import type { AIModelService } from '../model/ai-model.service';
import type { ProviderService } from '../provider/provider.service';
import type { AuditService } from '../audit/audit.service';
import { ActivationQueryService } from './activation-query.service';
import { ActivationRepository } from './activation.repository';
import {
  ActivationResolver,
  ActiveModelChangeResolver,
  ActiveModelSlotResolver,
  ModelSlotsResolver,
  ProviderSlotsResolver,
} from './activation.resolver';
import { ActivationService } from './activation.service';
import { createChangeFeedResolver } from './change-feed.resolver';
import { ChangeFeedService } from './change-feed.service';
import { ChangeOutbox } from './change-outbox';
import { ChangeSequencer } from './change-sequencer';
import { ModelLifecycleResolver } from './model-lifecycle.resolver';
import { ModelLifecycleService } from './model-lifecycle.service';
import type { ProviderSnapshot } from './provider-snapshot';
import { ProviderSnapshotReader } from './provider-snapshot.reader';

export interface ActivationModuleDeps {
  rootEm: EntityManager;
  transactions: TransactionRunner;
  bus: EventBus;
  snapshotStore: SnapshotStore<ProviderSnapshot>;
  providers: ProviderService;
  models: AIModelService;
  log: Logger;
  audit: AuditService;
}

export interface ActivationServices {
  activation: ActivationService;
  activationQueries: ActivationQueryService;
  modelLifecycle: ModelLifecycleService;
  snapshots: ProviderSnapshotReader;
  changeFeed: ChangeFeedService;
  outbox: ChangeOutbox;
  sequencer: ChangeSequencer;
}

/**
 * Slots, history, the change feed and the read cache. Registers its commit listeners (in this order:
 * forget cached snapshots, then publish), so reads after a mutation returns and subscribers both see
 * the change. `start` subscribes the sequencer and starts the outbox relay; `stop` undoes both.
 */
export function createActivationModule(deps: ActivationModuleDeps) {
  const repository = new ActivationRepository();
  const activation = new ActivationService(deps.transactions, repository, deps.audit);
  const snapshots = new ProviderSnapshotReader(deps.snapshotStore, deps.providers, deps.models, repository);
  const activationQueries = new ActivationQueryService(snapshots, repository);
  const modelLifecycle = new ModelLifecycleService(deps.transactions, deps.providers, deps.models, activation, deps.audit);
  const sequencer = new ChangeSequencer(deps.rootEm, repository, deps.bus, deps.log);
  const changeFeed = new ChangeFeedService(deps.rootEm, deps.transactions, repository, sequencer, snapshots.slugIndex);
  const outbox = new ChangeOutbox(deps.rootEm, deps.transactions, repository, deps.bus, (ids) => deps.snapshotStore.invalidate(ids), deps.log);
  deps.transactions.onCommit(snapshots.forgetChanged);
  deps.transactions.onCommit(outbox.publishCommitted);

  const services: ActivationServices = { activation, activationQueries, modelLifecycle, snapshots, changeFeed, outbox, sequencer };
  return {
    services,
    resolvers: activationResolvers(services),
    async start() {
      await sequencer.start();
      outbox.startRelay();
    },
    async stop() {
      await changeFeed.closeAll();
    },
  };
}

export function activationResolvers(
  s: Pick<ActivationServices, 'activation' | 'activationQueries' | 'modelLifecycle' | 'changeFeed'>,
): object[] {
  const ChangeFeedResolver = createChangeFeedResolver(s.changeFeed);
  return [
    new ActivationResolver(s.activationQueries, s.activation),
    new ActiveModelSlotResolver(),
    new ActiveModelChangeResolver(),
    new ProviderSlotsResolver(),
    new ModelSlotsResolver(s.activationQueries),
    new ModelLifecycleResolver(s.modelLifecycle),
    new ChangeFeedResolver(),
  ];
}
