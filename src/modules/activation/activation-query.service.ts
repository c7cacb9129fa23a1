import type { Capability } from '../../common/capability';
import { NotFoundError, UserInputError } from '../../common/errors';
import type { AIModel } from '../model/ai-model.entity';
import type { Provider } from '../provider/provider.entity';
import { checkPageSize } from '../shared/page-args';
import type { RequestScope } from '../shared/request-context';
import type { ActivationRepository } from './activation.repository';
import { parseCursor, type ChangeRecord } from './change-record';
import type { ProviderSnapshot } from './provider-snapshot';
import type { ProviderSnapshotReader } from './provider-snapshot.reader';
import type { SlotView } from './slot-view';

export interface HistoryPage {
  changes: ChangeRecord[];
  hasNextPage: boolean;
}

/** Reads of slots and history: what is active now, what was active then, and what changed. */
/** How many unknown slugs keep a ready-made NOT_FOUND error (the oldest is dropped first). */
const UNKNOWN_SLUG_ERRORS = 1024;

export class ActivationQueryService {
  /**
   * The NOT_FOUND error of each recently asked unknown slug, made once: nothing changes an error
   * after it is made, and making one (a GraphQLError with its message) was most of what a warm miss cost.
   */
  private readonly unknownSlugErrors = new Map<string, NotFoundError>();

  constructor(
    private readonly snapshots: ProviderSnapshotReader,
    private readonly repository: ActivationRepository,
  ) {}

  async providerOrFail(scope: RequestScope, slug: string): Promise<Provider> {
    const provider = await scope.loaders.providerBySlug.load(slug);
    if (!provider) throw new NotFoundError('provider.notFound', { slug });
    return provider;
  }

  async activeModel(scope: RequestScope, slug: string, capability: Capability, at?: Date | null): Promise<AIModel | null> {
    if (!at || at.getTime() >= Date.now()) {
      // The hot path: the provider's snapshot (in-process without waiting when warm; else one batched
      // cache read) answers, and primes this request's loaders for the nested fields.
      const snapshots = this.snapshots;
      let snapshot: ProviderSnapshot | null | undefined = snapshots.peekBySlug(slug);
      if (!snapshot) {
        if (snapshots.isUnknownSlug(slug)) throw this.unknownSlugError(slug);
        snapshot = await scope.loaders.snapshotBySlug(slug);
        if (!snapshot) throw new NotFoundError('provider.notFound', { slug });
      }
      scope.loaders.prime(snapshot);
      const aiModelId = snapshot.slots.find((s) => s.capability === capability)?.aiModelId;
      return aiModelId ? (snapshot.heldModels.find((m) => m.id === aiModelId) ?? null) : null;
    }
    const provider = await this.providerOrFail(scope, slug);
    const aiModelId = await this.repository.holderAt(scope.em, provider.id, capability, at);
    return aiModelId ? scope.loaders.modelById.load(aiModelId) : null;
  }

  private unknownSlugError(slug: string): NotFoundError {
    let error = this.unknownSlugErrors.get(slug);
    if (!error) {
      error = new NotFoundError('provider.notFound', { slug });
      this.unknownSlugErrors.set(slug, error);
      if (this.unknownSlugErrors.size > UNKNOWN_SLUG_ERRORS) this.unknownSlugErrors.delete(this.unknownSlugErrors.keys().next().value!);
    }
    return error;
  }

  /** Held slots, ordered by provider slug, then capability in enum order. */
  async activeModels(scope: RequestScope, slug?: string | null): Promise<SlotView[]> {
    const providers = slug ? [await this.providerOrFail(scope, slug)] : await scope.loaders.allProviders();
    const slotLists = await scope.loaders.slotsByProviderId.loadMany(providers.map((p) => p.id));
    return slotLists.flatMap((list) => (list instanceof Error ? [] : list.filter((s) => s.aiModelId !== null)));
  }

  async history(
    scope: RequestScope,
    args: {
      provider?: string | null;
      capability?: Capability | null;
      changedBy?: string | null;
      from?: Date | null;
      to?: Date | null;
      first: number;
      after?: string | null;
    },
  ): Promise<HistoryPage> {
    checkPageSize(args.first);
    let afterId: string | undefined;
    if (args.after != null) {
      afterId = parseCursor(args.after);
      if (afterId === undefined) throw new UserInputError('input.cursor', { field: 'after' }, 'after');
    }
    const providerId = args.provider != null ? (await this.providerOrFail(scope, args.provider)).id : undefined;
    const rows = await this.repository.historyPage(
      scope.em,
      {
        providerId,
        capability: args.capability ?? undefined,
        changedBy: args.changedBy ?? undefined,
        from: args.from ?? undefined,
        to: args.to ?? undefined,
      },
      afterId,
      args.first + 1,
    );
    return { changes: rows.slice(0, args.first), hasNextPage: rows.length > args.first };
  }

  /** The capabilities whose slot `model` holds, in enum order (from the provider's batched slots). */
  async heldCapabilities(scope: RequestScope, model: AIModel): Promise<Capability[]> {
    const slots = await scope.loaders.slotsByProviderId.load(model.providerId);
    return slots.filter((s) => s.aiModelId === model.id).map((s) => s.capability);
  }
}
