import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config/config';
import type { ApiStyle } from './common/api-style';
import type { Capability } from './common/capability';
import { SecretBox } from './common/secret-box';
import { TransactionRunner } from './db/transaction';
import { activationResolvers, createActivationModule, type ActivationServices } from './modules/activation/activation.module';
import type { ProviderSnapshot } from './modules/activation/provider-snapshot';
import { authResolvers, createAuthModule, type AuthServices } from './modules/auth/auth.module';
import { createCredentialsModule, credentialsResolvers, type CredentialsServices } from './modules/credentials/credentials.module';
import type { ProviderAdapter } from './modules/gateway/adapters';
import { guardedAdapters } from './modules/gateway/adapters/egress-guard';
import { createGatewayModule, gatewayResolvers, type GatewayServices } from './modules/gateway/gateway.module';
import { createModelModule, modelResolvers, type ModelServices } from './modules/model/model.module';
import { createProviderModule, providerResolvers, type ProviderServices } from './modules/provider/provider.module';
import { auditResolvers, createAuditModule, type AuditServices } from './modules/audit/audit.module';
import { createScheduleModule, scheduleResolvers, type ScheduleServices } from './modules/schedule/schedule.module';
import type { Backplane } from './pubsub/backplane';

/** Every service of the server, made once and shared by every request. */
export type AppServices = AuthServices &
  ProviderServices &
  ModelServices &
  ActivationServices &
  CredentialsServices &
  GatewayServices &
  AuditServices &
  ScheduleServices;

export interface AppDeps {
  config: Pick<Config, 'encryptionKey' | 'providerTimeoutMs' | 'upstreamAllowPrivate' | 'nodeEnv'> & Partial<Pick<Config, 'auditRetentionDays'>>;
  rootEm: EntityManager;
  backplane: Backplane<ProviderSnapshot>;
  log: Logger;
  /** Default: the real adapters, their connections under the egress policy (adapters/egress-guard.ts). Tests may pass fakes. */
  adapterFor?: (style: ApiStyle) => ProviderAdapter;
}

export interface App {
  services: AppServices;
  transactions: TransactionRunner;
  /** Resolver instances for createSchema. */
  resolvers: object[];
}

/**
 * The composition root of the domain: builds each module from its dependencies, in dependency
 * order (auth, provider, model, activation, credentials, gateway). The commit listeners run in
 * the order the modules register them: token cache, read cache, outbox; metrics are added by the server.
 */
export function createApp(deps: AppDeps): App {
  const transactions = new TransactionRunner(deps.rootEm, deps.log);
  const secrets = new SecretBox(deps.config.encryptionKey);
  // Loopback and private upstreams: allowed in development and tests, else only with UPSTREAM_ALLOW_PRIVATE=true.
  const allowPrivate = deps.config.upstreamAllowPrivate || deps.config.nodeEnv === 'development' || deps.config.nodeEnv === 'test';
  const adapterFor = deps.adapterFor ?? guardedAdapters({ allowPrivate });

  // Every module that changes state records it through the audit log, in its own transaction.
  const audit = createAuditModule({ rootEm: deps.rootEm, log: deps.log, retentionDays: deps.config.auditRetentionDays });
  const auth = createAuthModule({ rootEm: deps.rootEm, transactions, audit: audit.services.audit });
  const provider = createProviderModule({ transactions, secrets, audit: audit.services.audit });
  const model = createModelModule();
  const activation = createActivationModule({
    rootEm: deps.rootEm,
    transactions,
    bus: deps.backplane.bus,
    snapshotStore: deps.backplane.cache,
    providers: provider.services.providers,
    models: model.services.models,
    log: deps.log,
    audit: audit.services.audit,
  });
  const schedule = createScheduleModule({
    rootEm: deps.rootEm,
    transactions,
    activation: activation.services.activation,
    activationQueries: activation.services.activationQueries,
    audit: audit.services.audit,
    log: deps.log,
  });
  const credentials = createCredentialsModule({
    secrets,
    transactions,
    audit: audit.services.audit,
    providers: provider.services.providers,
    models: model.services.models,
    activationQueries: activation.services.activationQueries,
    supports: (style: ApiStyle, capability: Capability) => adapterFor(style).supports(capability),
  });
  const gateway = createGatewayModule({
    keyResolution: credentials.services.keyResolution,
    activationQueries: activation.services.activationQueries,
    adapterFor,
    providerTimeoutMs: deps.config.providerTimeoutMs,
    log: deps.log,
  });

  const modules = [audit, auth, provider, model, activation, schedule, credentials, gateway];
  const services = Object.assign({}, ...modules.map((m) => m.services)) as AppServices;
  return { services, transactions, resolvers: modules.flatMap((m) => m.resolvers) };
}

/** The resolvers of every module, over the given services (the schema's shape does not depend on them). */
export function appResolvers(s: AppServices): object[] {
  return [
    ...auditResolvers(s),
    ...authResolvers(s),
    ...providerResolvers(s),
    ...modelResolvers(s),
    ...activationResolvers(s),
    ...scheduleResolvers(s),
    ...credentialsResolvers(s),
    ...gatewayResolvers(s),
  ];
}

/** For emitting or checking the schema without a server: services that refuse to be used. */
export function schemaOnlyResolvers(): object[] {
  const unavailable = new Proxy(
    {},
    {
      get: (_target, property) => {
        if (property === 'then') return undefined;
        throw new Error(`services are not available when only building the schema (used: ${String(property)})`);
      },
    },
  );
  return appResolvers(new Proxy({} as AppServices, { get: () => unavailable }));
}
