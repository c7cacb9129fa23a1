import type { Locale } from '../../config/config';
import type { ApiStyle } from '../../common/api-style';
import type { Capability } from '../../common/capability';
import { AppError, ErrorCode, UserInputError } from '../../common/errors';
import { translate, type MessageKey } from '../../common/i18n/translate';
import type { ActivationQueryService } from '../activation/activation-query.service';
import type { Actor } from '../auth/actor';
import type { AIModel } from '../model/ai-model.entity';
import type { AIModelService } from '../model/ai-model.service';
import type { Provider } from '../provider/provider.entity';
import type { ProviderService } from '../provider/provider.service';
import type { RequestScope } from '../shared/request-context';
import type { CredentialsService } from './credentials.service';
import { KeySource, NoAccessReason } from './key-source';

export interface ResolveData {
  provider: string;
  capability: Capability;
  /** An explicit model name; default: the active model of (provider, capability). */
  model?: string | null;
}

/** What a call would use and why: safe to show (no key). */
export interface ModelResolutionView {
  provider: Provider;
  capability: Capability;
  model: AIModel;
  keySource: KeySource;
  keyHint: string;
  explanation: string;
}

/**
 * A resolution plus the key itself. `key` is a non-enumerable property, so serialising or logging the
 * object (JSON.stringify, pino) leaves it out; only the gateway reads it, to call the upstream.
 */
export type Resolution = ModelResolutionView & { readonly key: string };

const REASON_KEYS: Record<NoAccessReason, MessageKey> = {
  [NoAccessReason.NO_PERSONAL_KEY]: 'gateway.reason.noPersonalKey',
  [NoAccessReason.OPTED_FOR_SHARED]: 'gateway.reason.optedButNoShared',
  [NoAccessReason.SHARED_DISABLED]: 'gateway.reason.sharedDisabled',
  [NoAccessReason.NO_SHARED_KEY]: 'gateway.reason.noSharedKey',
  [NoAccessReason.USER_MAY_NOT_SHARE]: 'gateway.reason.userMayNotShare',
};

function reasonText(locale: Locale, reasons: readonly NoAccessReason[]): string {
  return reasons.map((r) => translate(locale, REASON_KEYS[r])).join(translate(locale, 'gateway.reason.separator'));
}

/**
 * NO_API_ACCESS: the message lists every failed condition, rendered in whichever locale the error is
 * presented in; extensions.reasons carries the same as stable codes for clients.
 */
export class NoApiAccessError extends AppError {
  constructor(
    private readonly providerSlug: string,
    readonly reasons: NoAccessReason[],
    locale: Locale,
  ) {
    super(ErrorCode.NO_API_ACCESS, 'gateway.noApiAccess', { provider: providerSlug, reason: reasonText(locale, reasons) }, { reasons });
  }

  override localized(locale: Locale): string {
    return translate(locale, 'gateway.noApiAccess', { provider: this.providerSlug, reason: reasonText(locale, this.reasons) });
  }
}

/**
 * Decides, for the caller, which model and which key a generation call uses:
 *   model: the named one (it must have the capability, need not be active), else the active one;
 *   key:   1. a personal key the user has not opted out of  → PERSONAL
 *          2. shared enabled, a shared key set, the user may share → SHARED
 *          3. otherwise NO_API_ACCESS, naming the failed conditions.
 */
export interface KeyResolutionDeps {
  activationQueries: Pick<ActivationQueryService, 'providerOrFail' | 'activeModel'>;
  models: Pick<AIModelService, 'findByNameOrFail'>;
  providers: Pick<ProviderService, 'sharedKey'>;
  credentials: Pick<CredentialsService, 'storedKey'>;
}

export class KeyResolutionService {
  constructor(
    private readonly deps: KeyResolutionDeps,
    /** Whether a provider protocol can serve a capability (ANTHROPIC: text only). */
    private readonly supports: (style: ApiStyle, capability: Capability) => boolean,
  ) {}

  /** For resolveModel: the same decision, without the key. */
  async describe(actor: Actor, scope: RequestScope, input: ResolveData): Promise<ModelResolutionView> {
    const { provider, capability, model, keySource, keyHint, explanation } = await this.resolve(actor, scope, input);
    return { provider, capability, model, keySource, keyHint, explanation };
  }

  async resolve(user: Actor, scope: RequestScope, input: ResolveData): Promise<Resolution> {
    const { activationQueries, models, providers, credentials } = this.deps;
    const { em, locale } = scope;
    const provider = await activationQueries.providerOrFail(scope, input.provider);
    const { capability } = input;
    if (!this.supports(provider.apiStyle, capability)) {
      throw new UserInputError('gateway.capabilityUnsupported', { provider: provider.slug, style: provider.apiStyle, capability }, 'capability');
    }

    let model: AIModel | null;
    let why: string;
    if (input.model != null) {
      model = await models.findByNameOrFail(em, provider.id, provider.slug, input.model);
      if (!model.capabilities.includes(capability)) {
        throw new UserInputError('model.lacksCapability', { name: model.name, capability }, 'model');
      }
      why = translate(locale, 'resolution.explicitModel', { model: model.name });
    } else {
      model = await activationQueries.activeModel(scope, provider.slug, capability);
      if (!model) throw new AppError(ErrorCode.NO_ACTIVE_MODEL, 'gateway.noActiveModel', { provider: provider.slug, capability });
      why = translate(locale, 'resolution.activeModel', { model: model.name, capability, provider: provider.slug });
    }

    const personal = await credentials.storedKey(em, user.id, provider.id);
    if (personal && !personal.useSharedApi) {
      const explanation = `${why} ${translate(locale, 'resolution.personalKey', { provider: provider.slug })}`;
      return withKey({ provider, capability, model, keySource: KeySource.PERSONAL, keyHint: personal.keyHint, explanation }, personal.key);
    }

    const reasons: NoAccessReason[] = [personal ? NoAccessReason.OPTED_FOR_SHARED : NoAccessReason.NO_PERSONAL_KEY];
    if (!provider.sharedApiEnabled) reasons.push(NoAccessReason.SHARED_DISABLED);
    if (provider.sharedApiKeyHint === null) reasons.push(NoAccessReason.NO_SHARED_KEY);
    if (!user.canUseSharedApi) reasons.push(NoAccessReason.USER_MAY_NOT_SHARE);
    if (reasons.length === 1) {
      const shared = await providers.sharedKey(em, provider.id);
      if (shared !== null && provider.sharedApiKeyHint !== null) {
        const because = translate(locale, personal ? 'resolution.sharedBecauseOptedIn' : 'resolution.sharedBecauseNoPersonal', {
          provider: provider.slug,
        });
        const keyPart = translate(locale, 'resolution.because', { statement: translate(locale, 'resolution.sharedKey'), reason: because });
        const explanation = `${why} ${keyPart}`;
        return withKey({ provider, capability, model, keySource: KeySource.SHARED, keyHint: provider.sharedApiKeyHint, explanation }, shared);
      }
      // Removed between the two reads.
      reasons.push(NoAccessReason.NO_SHARED_KEY);
    }
    throw new NoApiAccessError(provider.slug, reasons, locale);
  }
}

function withKey(view: ModelResolutionView, key: string): Resolution {
  Object.defineProperty(view, 'key', { value: key, enumerable: false, writable: false });
  return view as Resolution;
}
