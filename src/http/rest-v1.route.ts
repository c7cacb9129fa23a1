import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { CAPABILITIES, sortCapabilities, type Capability } from '../common/capability';
import { AppError, ErrorCode, ServiceUnavailableError, UnauthenticatedError, isUnavailable } from '../common/errors';
import { translate, type MessageKey, type MessageParams } from '../common/i18n/translate';
import type { Locale } from '../config/config';
import type { ContextFactory } from '../graphql/context-factory';
import type { ActivationQueryService } from '../modules/activation/activation-query.service';
import type { ProviderSnapshotReader } from '../modules/activation/provider-snapshot.reader';
import { requestLocale } from './request-locale';

/**
 * The first version's REST endpoint, kept for the services written against it (clients.md part 1):
 * GET /api/v1/ai-models/active_model/?provider=<slug>&capability=<capability>, in its `metaData`
 * envelope. A thin route over the `activeModel` query's own read path (same cache, same
 * read-after-write), with a strong ETag "<provider>:<CAPABILITY>:<version>" and 304 on a match.
 */

const STATUS: Partial<Record<string, number>> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.NO_ACTIVE_MODEL]: 404,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
};

class RestError extends AppError {}

const lower = (list: readonly Capability[]) => sortCapabilities(list).map((c) => c.toLowerCase());

/** If-None-Match: a list of entity tags or "*"; weak comparison, as RFC 9110 says for it. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

export interface RestV1Deps {
  contexts: ContextFactory;
  /** The read path of the `activeModel` query (and its cache). */
  activationQueries: ActivationQueryService;
  snapshots: ProviderSnapshotReader;
  defaultLocale: Locale;
  log: Logger;
}

export function registerRestV1(app: FastifyInstance, deps: RestV1Deps): void {
  const { contexts, activationQueries, snapshots, log } = deps;

  function send(
    reply: FastifyReply,
    locale: Locale,
    status: number,
    code: string,
    key: MessageKey,
    params: MessageParams = {},
    message?: string,
  ) {
    return reply
      .code(status)
      .header('cache-control', 'no-cache')
      .send({ metaData: { status: 'error', message: message ?? translate(locale, key, params), code }, data: null });
  }

  async function handler(request: FastifyRequest, reply: FastifyReply) {
    const locale = requestLocale(request.headers['accept-language'], deps.defaultLocale);
    const requestId = request.id;
    try {
      const query = request.query as Record<string, string | string[] | undefined>;
      const param = (name: string) => {
        const v = query[name];
        return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
      };
      const context = await contexts.create({ locale, authorization: request.headers.authorization, requestId });
      if (context.authError) throw context.authError;
      if (!context.user) throw new UnauthenticatedError();

      const provider = param('provider');
      const rawCapability = param('capability');
      if (!provider) throw new RestError(ErrorCode.BAD_USER_INPUT, 'rest.missingParameter', { field: 'provider' });
      if (!rawCapability) throw new RestError(ErrorCode.BAD_USER_INPUT, 'rest.missingParameter', { field: 'capability' });
      const capability = rawCapability.toUpperCase() as Capability;
      if (!CAPABILITIES.includes(capability)) {
        throw new RestError(ErrorCode.BAD_USER_INPUT, 'rest.unknownCapability', { value: rawCapability, list: CAPABILITIES.join(', ') });
      }

      const model = await activationQueries.activeModel(context, provider, capability);
      if (!model) throw new RestError(ErrorCode.NO_ACTIVE_MODEL, 'gateway.noActiveModel', { provider, capability });
      // The snapshot that answered (primed into this request's loaders): the slot's version and the provider.
      const snapshot = snapshots.peekBySlug(provider) ?? (await context.loaders.snapshotBySlug(provider));
      const slot = snapshot?.slots.find((s) => s.capability === capability && s.aiModelId === model.id);
      const providerRow = snapshot?.provider ?? (await context.loaders.providerBySlug.load(provider));
      const version =
        slot?.version ?? (await context.loaders.slotsByProviderId.load(model.providerId)).find((s) => s.capability === capability)?.version ?? 0;
      const activeCapabilities = await activationQueries.heldCapabilities(context, model);

      const etag = `"${provider}:${capability}:${version}"`;
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (matches(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.code(200).send({
        metaData: { status: 'success', message: translate(locale, 'rest.activeModelRetrieved') },
        data: {
          id: model.id,
          name: model.name,
          model_id: model.modelId,
          display_name: model.displayName,
          provider_name: providerRow?.name ?? provider,
          provider,
          is_active: activeCapabilities.length > 0,
          capabilities: lower(model.capabilities),
          active_capabilities: lower(activeCapabilities),
          version,
        },
      });
    } catch (e) {
      if (e instanceof AppError) {
        const code = (e.extensions.code as string) ?? e.code;
        return send(reply, locale, STATUS[code] ?? 400, code, e.messageKey, e.params, e.localized(locale));
      }
      if (isUnavailable(e)) {
        const unavailable = new ServiceUnavailableError('postgres');
        return send(reply, locale, 503, ErrorCode.SERVICE_UNAVAILABLE, unavailable.messageKey, unavailable.params);
      }
      log.error({ err: e, requestId }, 'unexpected error in GET /api/v1/ai-models/active_model/');
      return send(reply, locale, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'internal', { requestId });
    }
  }

  app.get('/api/v1/ai-models/active_model/', handler);
  app.get('/api/v1/ai-models/active_model', handler);
}
