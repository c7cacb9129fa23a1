import type { Logger } from 'pino';
import type { ApiStyle, Capability } from '../../common/capability';
import type { SecretBox } from '../../common/secret-box';
import { registerEntities } from '../../db/orm-options';
import { registerResolvers } from '../../graphql/schema';
import type { AuthService } from '../auth/auth.service';
import { CredentialsService } from '../credentials/credentials.service';
import { CredentialsResolver, PersonalApiKeyResolver, UserCredentialsResolver } from '../credentials/credentials.resolver';
import { KeyResolutionService } from '../credentials/key-resolution.service';
import { PersonalApiKey } from '../credentials/personal-api-key.entity';
import type { ProviderService } from '../provider/provider.service';
import type { ProviderAdapter } from './adapters';
import { guardedAdapters, type EgressPolicy } from './adapters/egress-guard';
import { ChatStreamResolver, GatewayResolver, UsageRecordResolver } from './gateway.resolver';
import { GatewayService } from './gateway.service';
import { UsageRecord } from './usage-record.entity';
import { UsageService } from './usage.service';

/** The services of the credentials and gateway modules (part of graphql/services.ts Services). */
export interface GatewayServices {
  credentials: CredentialsService;
  keyResolution: KeyResolutionService;
  usage: UsageService;
  gateway: GatewayService;
}

export interface GatewayDeps {
  auth: AuthService;
  providers: ProviderService;
  secrets: SecretBox;
  log: Logger;
  /** PROVIDER_TIMEOUT_MS. */
  providerTimeoutMs: number;
  /** Default: the real adapters, their connections under `egress` (adapters/egress-guard.ts). */
  adapterFor?: (style: ApiStyle) => ProviderAdapter;
  /** Where upstream calls may connect; default: public addresses only. */
  egress?: EgressPolicy;
}

export function createGatewayServices(deps: GatewayDeps): GatewayServices {
  const adapterFor = deps.adapterFor ?? guardedAdapters(deps.egress ?? { allowPrivate: false });
  const credentials = new CredentialsService(deps.auth, deps.providers, deps.secrets);
  const keyResolution = new KeyResolutionService(deps.auth, deps.providers, credentials, (style: ApiStyle, capability: Capability) =>
    adapterFor(style).supports(capability),
  );
  const usage = new UsageService(deps.auth);
  const gateway = new GatewayService(deps.auth, keyResolution, usage, { adapterFor, timeoutMs: deps.providerTimeoutMs, log: deps.log });
  return { credentials, keyResolution, usage, gateway };
}

/** Entities and resolvers of credentials + gateway, for modules/register.ts. */
export function registerGatewayModule(): void {
  registerEntities(PersonalApiKey, UsageRecord);
  registerResolvers(
    CredentialsResolver,
    UserCredentialsResolver,
    PersonalApiKeyResolver,
    GatewayResolver,
    UsageRecordResolver,
    ChatStreamResolver,
  );
}
