import type { Logger } from 'pino';
import type { ActivationQueryService } from '../activation/activation-query.service';
import type { KeyResolutionService } from '../credentials/key-resolution.service';
import type { ProviderAdapter } from './adapters';
import type { ApiStyle } from '../../common/api-style';
import { createChatStreamResolver, GatewayResolver, UsageRecordResolver } from './gateway.resolver';
import { GatewayService } from './gateway.service';
import { UsageService } from './usage.service';

export interface GatewayServices {
  usage: UsageService;
  gateway: GatewayService;
}

export interface GatewayModuleDeps {
  keyResolution: KeyResolutionService;
  activationQueries: ActivationQueryService;
  adapterFor: (style: ApiStyle) => ProviderAdapter;
  /** PROVIDER_TIMEOUT_MS. */
  providerTimeoutMs: number;
  log: Logger;
}

/** Generation calls against the upstream providers, and the usage ledger. */
export function createGatewayModule(deps: GatewayModuleDeps) {
  const usage = new UsageService(deps.activationQueries);
  const gateway = new GatewayService(deps.keyResolution, usage, {
    adapterFor: deps.adapterFor,
    timeoutMs: deps.providerTimeoutMs,
    log: deps.log,
  });
  const services: GatewayServices = { usage, gateway };
  return { services, resolvers: gatewayResolvers(services) };
}

export function gatewayResolvers(s: GatewayServices): object[] {
  const ChatStreamResolver = createChatStreamResolver(s.gateway);
  return [new GatewayResolver(s.gateway, s.usage), new ChatStreamResolver(), new UsageRecordResolver()];
}
