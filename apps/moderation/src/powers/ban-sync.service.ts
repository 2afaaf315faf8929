import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { RedisKeys } from '#contracts';
import { REDIS } from '#redis';

const BATCH = 1000;

/**
 * PostgreSQL `room_bans` is the durable record, the Redis sets the hot copy the gateways check.
 * At start the bans of rooms that have not ended are copied back into Redis (SADD is idempotent),
 * so a Redis that lost its data still refuses banned users.
 */
@Injectable()
export class BanSync implements OnApplicationBootstrap {
  private readonly logger = new Logger(BanSync.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly db: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      const restored = await this.restore();
      if (restored > 0) this.logger.log(`restored ${restored} room bans into Redis`);
    } catch (error) {
      this.logger.warn(`ban restore skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async restore(): Promise<number> {
    // A fresh database the gateway has not migrated yet: no rooms, so no bans either.
    const [{ rooms }] = (await this.db.query(`SELECT to_regclass('rooms') IS NOT NULL AS rooms`)) as [{ rooms: boolean }];
    if (!rooms) return 0;
    let count = 0;
    let after: [string, string] = ['', ''];
    for (;;) {
      const rows = (await this.db.query(
        `SELECT b.room_id, b.user_id FROM room_bans b
           LEFT JOIN rooms r ON r.id = b.room_id
          WHERE (r.id IS NULL OR r.ended_at IS NULL) AND (b.room_id, b.user_id) > ($1, $2)
          ORDER BY b.room_id, b.user_id LIMIT ${BATCH}`,
        after,
      )) as { room_id: string; user_id: string }[];
      if (rows.length === 0) return count;
      const pipeline = this.redis.pipeline();
      for (const row of rows) pipeline.sadd(this.keys.roomBanned(row.room_id), row.user_id);
      await pipeline.exec();
      count += rows.length;
      const last = rows[rows.length - 1] as { room_id: string; user_id: string };
      after = [last.room_id, last.user_id];
    }
  }
}
