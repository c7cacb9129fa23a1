import type { ApiStyle } from '../../common/api-style';
import type { Capability } from '../../common/capability';
import type { SecretBox } from '../../common/secret-box';
import type { ActivationQueryService } from '../activation/activation-query.service';
import type { AIModelService } from '../model/ai-model.service';
import type { ProviderService } from '../provider/provider.service';
import { CredentialsResolver, PersonalApiKeyResolver, UserCredentialsResolver } from './credentials.resolver';
import { CredentialsService } from './credentials.service';
import type { TransactionRunner } from '../../db/transaction';
import type { AuditService } from '../audit/audit.service';
import { KeyResolutionService } from './key-resolution.service';

export interface CredentialsServices {
  credentials: CredentialsService;
  keyResolution: KeyResolutionService;
}

export interface CredentialsModuleDeps {
  secrets: SecretBox;
  providers: ProviderService;
  models: AIModelService;
  activationQueries: ActivationQueryService;
  transactions: TransactionRunner;
  audit: AuditService;
  /** Whether a provider protocol can serve a capability (the gateway's adapters know). */
  supports: (style: ApiStyle, capability: Capability) => boolean;
}

/** Personal keys and key resolution (personal → shared → NO_API_ACCESS). */
export function createCredentialsModule(deps: CredentialsModuleDeps) {
  const credentials = new CredentialsService(deps.providers, deps.secrets, deps.transactions, deps.audit);
  const keyResolution = new KeyResolutionService(
    { activationQueries: deps.activationQueries, models: deps.models, providers: deps.providers, credentials },
    deps.supports,
  );
  const services: CredentialsServices = { credentials, keyResolution };
  return { services, resolvers: credentialsResolvers(services) };
}

export function credentialsResolvers(s: CredentialsServices): object[] {
  return [new CredentialsResolver(s.credentials, s.keyResolution), new UserCredentialsResolver(s.credentials), new PersonalApiKeyResolver()];
}
