import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { type Actor, type GiftSendInput, type GiftSendResult, LiveroomError, RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { GIFTING_CONFIG, type GiftingConfig } from '../config.js';
import { IdempotencyService } from '../idempotency/idempotency.service.js';
import { Accounts, splitGift } from '../ledger/accounts.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { type GiftDraft, OutboxService } from '../outbox/outbox.service.js';
import { CatalogService } from './catalog.service.js';

@Injectable()
export class GiftsService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly catalog: CatalogService,
    private readonly ledger: LedgerService,
    private readonly idempotency: IdempotencyService,
    private readonly outbox: OutboxService,
    @Inject(GIFTING_CONFIG) private readonly config: GiftingConfig,
  ) {}

  /**
   * One database transaction: idempotency record, conditional debit of the sender's wallet, the
   * double-entry transfer (sender -> host share + platform revenue) and the announcement's outbox row.
   * The relay announces it in the room afterwards. A host may gift in their own room (unusual, allowed:
   * the wallet pays the full value and the host account gets its share, like from anyone else).
   */
  send(actor: Actor, gift: GiftSendInput): Promise<GiftSendResult> {
    const request = JSON.stringify({ roomId: gift.roomId, giftId: gift.giftId, count: gift.count });
    return this.idempotency.run({ scope: 'gift', userId: actor.userId, key: gift.idempotencyKey, request }, async (q) => {
      // Checked inside the run so that a retry after the room ended still replays the first result.
      const hostId = await this.liveHostFor(gift.roomId, actor.userId);
      const item = await this.catalog.find(gift.giftId, q);
      if (!item) throw new LiveroomError('GIFT_NOT_FOUND', `no gift ${gift.giftId}`);
      const value = item.price * gift.count;
      const balance = await this.ledger.debitWallet(q, actor.userId, value);
      if (balance === null) {
        return { ok: false, error: new LiveroomError('INSUFFICIENT_FUNDS', `this gift costs ${value} coins`) };
      }
      const txId = randomUUID();
      const share = splitGift(value, this.config.HOST_SHARE);
      await this.ledger.post(
        q,
        { id: txId, kind: 'gift', userId: actor.userId, roomId: gift.roomId, hostId, giftId: item.id, count: gift.count, value },
        [
          { accountId: Accounts.wallet(actor.userId), amount: -value },
          { accountId: Accounts.host(hostId), amount: share.host },
          { accountId: Accounts.revenue, amount: share.platform },
        ],
        [{ id: Accounts.host(hostId), kind: 'host', ownerId: hostId }],
      );
      const draft: GiftDraft = {
        type: 'gift',
        txId,
        userId: actor.userId,
        name: actor.name || actor.userId,
        giftId: item.id,
        giftName: item.name,
        count: gift.count,
        value,
      };
      await this.outbox.enqueue(q, gift.roomId, draft);
      return { ok: true, value: { txId, balance } };
    });
  }

  /**
   * The room's host, if the room exists and is live (Redis meta written by the gateway) and the
   * sender is not muted there (PROTOCOL §6: mutes apply to gift:send). One round trip.
   */
  private async liveHostFor(roomId: string, userId: string): Promise<string> {
    const replies = await this.redis.multi().hmget(this.keys.roomMeta(roomId), 'hostId', 'live').pttl(this.keys.roomMute(roomId, userId)).exec();
    const [hostId, live] = (replies?.[0]?.[1] ?? []) as (string | null)[];
    const mutedMs = Number(replies?.[1]?.[1] ?? -2);
    if (!hostId || live === null || live === undefined) throw new LiveroomError('ROOM_NOT_FOUND', `no room ${roomId}`);
    if (live !== '1') throw new LiveroomError('ROOM_ENDED', `room ${roomId} has ended`);
    if (mutedMs !== -2) throw new LiveroomError('MUTED', 'you are muted in this room', mutedMs > 0 ? mutedMs : undefined);
    return hostId;
  }
}
