import type { SecretBox } from '../../common/secret-box';
import type { TransactionRunner } from '../../db/transaction';
import { ProviderResolver } from './provider.resolver';
import { ProviderKeyHintResolver } from './provider-key-hint.resolver';
import { ProviderService } from './provider.service';
import type { AuditService } from '../audit/audit.service';

export interface ProviderServices {
  providers: ProviderService;
}

export function createProviderModule(deps: { transactions: TransactionRunner; secrets: SecretBox; audit: AuditService }) {
  const services: ProviderServices = { providers: new ProviderService(deps.transactions, deps.secrets, deps.audit) };
  return { services, resolvers: providerResolvers(services) };
}

export function providerResolvers(s: ProviderServices): object[] {
  return [new ProviderResolver(s.providers), new ProviderKeyHintResolver()];
}
