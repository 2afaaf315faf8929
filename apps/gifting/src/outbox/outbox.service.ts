import type { DataSource } from 'typeorm';
import { type GiftEvent, giftDraftSchema } from '#contracts';
import { toInt } from '#persistence';

export type GiftDraft = Omit<GiftEvent, 'seq' | 'ts'>;

/** NOTIFY channel that wakes the relays of other processes when gifts commit. */
export const OUTBOX_CHANNEL = 'gifting_outbox';

/**
 * The draft back from its jsonb column, validated: throws for a row that is not a gift event (the
 * relay leaves such a row undispatched instead of announcing garbage). jsonb does not keep key
 * order: the fields are rebuilt in the event's order.
 */
export function draftOf(stored: unknown): GiftDraft {
  const parsed = giftDraftSchema.safeParse(typeof stored === 'string' ? JSON.parse(stored) : stored);
  if (!parsed.success) throw new Error(`outbox row is not a gift event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  return { type: 'gift', txId: e.txId, userId: e.userId, name: e.name, giftId: e.giftId, giftName: e.giftName, count: e.count, value: e.value };
}

/** Undispatched outbox rows (the whole table) and the age of the oldest, by the database's clock. */
export interface OutboxBacklog {
  pending: number;
  /** null when nothing waits. */
  oldestMs: number | null;
}

/** One indexed query (the partial index on undispatched rows): for the ledger check and the metrics. */
export async function readOutboxBacklog(db: DataSource): Promise<OutboxBacklog> {
  const [row] = (await db.query(`
    SELECT COUNT(*) AS n, FLOOR(EXTRACT(EPOCH FROM (clock_timestamp() - MIN(created_at))) * 1000) AS oldest_ms
    FROM gift_outbox WHERE dispatched_at IS NULL`)) as { n: string; oldest_ms: string | null }[];
  const oldest = row?.oldest_ms;
  return { pending: toInt(row?.n), oldestMs: oldest === null || oldest === undefined ? null : Math.max(0, toInt(oldest)) };
}
