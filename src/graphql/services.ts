import type { ActivationQueryService } from '../modules/activation/activation-query.service';
import type { ActivationService } from '../modules/activation/activation.service';
import type { AuthService } from '../modules/auth/auth.service';
import type { AIModelService } from '../modules/model/ai-model.service';
import type { ProviderService } from '../modules/provider/provider.service';
import type { ProviderSnapshotReader } from '../modules/activation/provider-snapshot.reader';
import type { ChangeFeedService } from '../modules/activation/change-feed.service';
import type { CredentialsService } from '../modules/credentials/credentials.service';
import type { KeyResolutionService } from '../modules/credentials/key-resolution.service';
import type { GatewayService } from '../modules/gateway/gateway.service';
import type { UsageService } from '../modules/gateway/usage.service';
import type { AuditService } from '../modules/audit/audit.service';
import type { ScheduleService } from '../modules/schedule/schedule.service';

/** The services, made once per server and shared by every request. */
export interface Services {
  auth: AuthService;
  providers: ProviderService;
  models: AIModelService;
  activation: ActivationService;
  activationQueries: ActivationQueryService;
  snapshots: ProviderSnapshotReader;
  changeFeed: ChangeFeedService;
  credentials: CredentialsService;
  keyResolution: KeyResolutionService;
  usage: UsageService;
  gateway: GatewayService;
  audit: AuditService;
  schedules: ScheduleService;
}
