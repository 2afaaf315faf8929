import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import type { GiftEvent } from '#contracts';

export type GiftDraft = Omit<GiftEvent, 'seq' | 'ts'>;

/** NOTIFY channel that wakes the relays when a gift commits. */
export const OUTBOX_CHANNEL = 'gifting_outbox';

/** Writes a gift's announcement in the gift's own transaction; NOTIFY is delivered when it commits. */
@Injectable()
export class OutboxService {
  async enqueue(q: QueryRunner, roomId: string, draft: GiftDraft): Promise<void> {
    await q.query(
      `WITH o AS (INSERT INTO gift_outbox (tx_id, room_id, event) VALUES ($1, $2, $3) RETURNING tx_id)
       SELECT pg_notify('${OUTBOX_CHANNEL}', (SELECT tx_id::text FROM o))`,
      [draft.txId, roomId, JSON.stringify(draft)],
    );
  }
}

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
