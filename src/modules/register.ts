import { registerGatewayModule } from './gateway/gateway.module';
import { registerAuditModule } from './audit/audit.module';
import { registerScheduleModule } from './schedule/schedule.module';

/**
 * The optional modules (realtime, gateway) register their entities and resolvers here, so that the
 * server, the schema emitter and the tests all build the same schema.
 */
export function registerAllModules(): void {
  registerGatewayModule();
  registerAuditModule();
  registerScheduleModule();
}
