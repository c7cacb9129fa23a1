import type { Codec } from '../../cache/snapshot-store';
import type { AIModel } from '../model/ai-model.entity';
import type { Provider } from '../provider/provider.entity';
import type { SlotView } from './slot-view';

/** What the hot read path needs of a provider: its row, its six slots and the models holding them. */
export interface ProviderSnapshot {
  provider: Provider;
  slots: SlotView[];
  heldModels: AIModel[];
}

const DATE_FIELDS = ['createdAt', 'updatedAt', 'deletedAt', 'activatedAt'];
const reviveDates = (key: string, value: unknown) => (typeof value === 'string' && DATE_FIELDS.includes(key) ? new Date(value) : value);

/** Snapshots cross Redis as JSON; dates come back as Date objects. */
export const snapshotCodec: Codec<ProviderSnapshot> = {
  encode: (s) => JSON.stringify(s),
  decode: (raw) => JSON.parse(raw, reviveDates) as ProviderSnapshot,
};
