import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GATEWAY_HEARTBEAT_TTL_MS as GATEWAY_TTL_MS, RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { GatewayInstance } from '../common/gateway-instance.js';
import { FanoutService } from '../fanout/fanout.service.js';

/**
 * Viewers and likes per room. Each gateway publishes its local viewer counts every heartbeat;
 * a room's viewers are the sum over the gateways that are alive.
 */
@Injectable()
export class RoomStatsService implements OnModuleInit, OnApplicationShutdown {
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly fanout: FanoutService,
    private readonly instance: GatewayInstance,
  ) {}

  onModuleInit(): void {
    this.heartbeat = setInterval(() => void this.publishLocalViewers().catch(() => undefined), 1000);
    this.heartbeat.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.redis
      .multi()
      .zrem(this.keys.gateways(), this.instance.id)
      .del(this.keys.gatewayViewers(this.instance.id))
      .exec()
      .catch(() => undefined);
  }

  async publishLocalViewers(): Promise<void> {
    const key = this.keys.gatewayViewers(this.instance.id);
    const counts = this.fanout.localViewers();
    const tx = this.redis.multi().del(key);
    if (counts.size > 0) tx.hset(key, Object.fromEntries(counts));
    await tx.pexpire(key, GATEWAY_TTL_MS).zadd(this.keys.gateways(), Date.now(), this.instance.id).exec();
  }

  /** viewers and likes of many rooms in two round trips. */
  async stats(roomIds: string[]): Promise<Map<string, { viewers: number; likes: number }>> {
    const result = new Map<string, { viewers: number; likes: number }>();
    if (roomIds.length === 0) return result;
    const gateways = await this.redis.zrangebyscore(this.keys.gateways(), Date.now() - GATEWAY_TTL_MS, '+inf');
    // Single commands, not a pipeline: auto-pipelining sends them with the other requests' in one write.
    const reads: Promise<string | null>[] = [];
    for (const roomId of roomIds) {
      reads.push(this.redis.get(this.keys.roomLikes(roomId)));
      for (const gw of gateways) reads.push(this.redis.hget(this.keys.gatewayViewers(gw), roomId));
    }
    const replies = await Promise.all(reads);
    let i = 0;
    for (const roomId of roomIds) {
      const likes = Number(replies[i++] ?? 0);
      let viewers = 0;
      for (let g = 0; g < gateways.length; g++) viewers += Number(replies[i++] ?? 0);
      result.set(roomId, { likes, viewers });
    }
    return result;
  }

  async roomStats(roomId: string): Promise<{ viewers: number; likes: number }> {
    return (await this.stats([roomId])).get(roomId) ?? { viewers: 0, likes: 0 };
  }
}
