import type { Capability } from '../../common/capability';

/** A slot as the read side sees it. */
export interface SlotView {
  providerId: string;
  capability: Capability;
  /** The row id of the holding model (AIModel.id); null: empty. */
  aiModelId: string | null;
  version: number;
  activatedAt: Date | null;
  activatedBy: string | null;
}
