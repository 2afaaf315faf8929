import type { GiftEvent } from '#contracts';

export type GiftDraft = Omit<GiftEvent, 'seq' | 'ts'>;

/** NOTIFY channel that wakes the relays of other processes when gifts commit. */
export const OUTBOX_CHANNEL = 'gifting_outbox';

/** The draft back from its jsonb column (jsonb does not keep key order; the fields are rebuilt). */
export function draftOf(stored: unknown): GiftDraft {
  const e = (typeof stored === 'string' ? JSON.parse(stored) : stored) as Record<string, unknown>;
  return {
    type: 'gift',
    txId: String(e.txId),
    userId: String(e.userId),
    name: String(e.name),
    giftId: String(e.giftId),
    giftName: String(e.giftName),
    count: Number(e.count),
    value: Number(e.value),
  };
}
