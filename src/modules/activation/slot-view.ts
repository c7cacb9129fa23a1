import type { Capability } from '../../common/capability';

/** A slot as the read side sees it. */
export interface SlotView {
  providerId: string;
  capability: Capability;
  modelId: string | null;
  version: number;
  activatedAt: Date | null;
  activatedBy: string | null;
}
