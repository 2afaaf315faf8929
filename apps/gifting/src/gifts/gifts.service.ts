import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { type Actor, type GiftSendInput, type GiftSendResult, LiveroomError, RedisKeys } from '#contracts';
import { pgPoolOf } from '#persistence';
import { REDIS } from '#redis';
import { GIFTING_CONFIG, type GiftingConfig } from '../config.js';
import { type IdempotentRequest, replay, type StoredRow } from '../idempotency/idempotency.service.js';
import { splitGift } from '../ledger/accounts.js';
import { OutboxNotifier } from '../outbox/outbox-notifier.service.js';
import type { GiftDraft } from '../outbox/outbox.service.js';
import { CatalogService } from './catalog.service.js';
import { GiftBatcher } from './gift-batcher.js';

const FIND_GIFT_KEY: Omit<pg.QueryConfig, 'values'> = {
  name: 'gifting_find_gift_key',
  text: `SELECT request, result, error_code, error_message FROM idempotency_keys WHERE scope = 'gift' AND user_id = $1 AND key = $2`,
};

@Injectable()
export class GiftsService {
  private pool: pg.Pool | undefined;
  private readonly batcher: GiftBatcher;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly catalog: CatalogService,
    private readonly db: DataSource,
    private readonly outbox: OutboxNotifier,
    @Inject(GIFTING_CONFIG) private readonly config: GiftingConfig,
  ) {
    this.batcher = new GiftBatcher(() => this.pg(), { maxBatch: config.GIFT_BATCH_MAX, maxInFlight: config.GIFT_BATCH_CONCURRENCY });
  }

  /**
   * The gift is written by gifting_send_gifts (migration 1767000000000) in a batch with the gifts
   * arriving at the same time (GiftBatcher): in one statement, so one transaction, the idempotency
   * claim, the conditional debit of the sender's wallet, the double-entry transfer (sender -> host
   * share + platform revenue), the announcement's outbox row, and the result under the idempotency
   * key. Once it committed, the relay is woken (OutboxNotifier.committed) and announces it in the
   * room. A host may gift in their own room (unusual, allowed: the wallet pays the full value and the
   * host account gets its share, like from anyone else).
   *
   * The room (Redis) and the gift (cached catalog) are checked before; when either check fails, a
   * request already answered under this key is still replayed (a retry after the room ended gets its
   * first result), otherwise the check's error is the answer and nothing is written.
   */
  async send(actor: Actor, gift: GiftSendInput): Promise<GiftSendResult> {
    const req: IdempotentRequest = {
      scope: 'gift',
      userId: actor.userId,
      key: gift.idempotencyKey,
      request: JSON.stringify({ roomId: gift.roomId, giftId: gift.giftId, count: gift.count }),
    };
    let hostId: string;
    let item: Awaited<ReturnType<CatalogService['find']>>;
    try {
      hostId = await this.liveHostFor(gift.roomId, actor.userId);
      item = await this.catalog.find(gift.giftId);
      if (!item) throw new LiveroomError('GIFT_NOT_FOUND', `no gift ${gift.giftId}`);
    } catch (error) {
      const known = await this.findStored(req);
      if (known) return replay<GiftSendResult>(req, known);
      throw error;
    }
    const value = item.price * gift.count;
    const share = splitGift(value, this.config.HOST_SHARE);
    if (!Number.isSafeInteger(value) || share.host < 0 || share.platform < 0 || share.host + share.platform !== value) {
      throw new Error(`unbalanced gift: ${value} <> ${share.host} + ${share.platform}`);
    }
    const txId = randomUUID();
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
    const row = await this.batcher.submit({
      userId: actor.userId,
      key: gift.idempotencyKey,
      request: req.request,
      roomId: gift.roomId,
      hostId,
      giftId: item.id,
      count: gift.count,
      value,
      hostAmount: share.host,
      platformAmount: share.platform,
      txId,
      event: JSON.stringify(draft),
    });
    if (row.result && row.request === req.request && (row.result as { txId?: unknown }).txId === txId) this.outbox.committed();
    return replay<GiftSendResult>(req, row);
  }

  private async findStored(req: IdempotentRequest): Promise<StoredRow | undefined> {
    const res = await this.pg().query<StoredRow>({ ...FIND_GIFT_KEY, values: [req.userId, req.key] });
    return res.rows[0];
  }

  /** The pg pool under TypeORM: a plain pooled query, no QueryRunner per gift. */
  private pg(): pg.Pool {
    this.pool ??= pgPoolOf(this.db);
    return this.pool;
  }

  /**
   * The room's host, if the room exists and is live (Redis meta written by the gateway) and the
   * sender is not muted there (PROTOCOL §6: mutes apply to gift:send).
   */
  private async liveHostFor(roomId: string, userId: string): Promise<string> {
    // Two commands, no MULTI: auto-pipelining sends them with the other requests' in one write.
    const [[hostId, live], mutedMs] = await Promise.all([
      this.redis.hmget(this.keys.roomMeta(roomId), 'hostId', 'live'),
      this.redis.pttl(this.keys.roomMute(roomId, userId)),
    ]);
    if (!hostId || live === null || live === undefined) throw new LiveroomError('ROOM_NOT_FOUND', `no room ${roomId}`);
    if (live !== '1') throw new LiveroomError('ROOM_ENDED', `room ${roomId} has ended`);
    if (mutedMs !== -2) throw new LiveroomError('MUTED', 'you are muted in this room', mutedMs > 0 ? mutedMs : undefined);
    return hostId;
  }
}
