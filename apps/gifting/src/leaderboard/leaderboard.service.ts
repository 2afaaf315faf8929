import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { type Leaderboard, RedisKeys } from '#contracts';
import { REDIS } from '#redis';

/**
 * Counts a gift into the room leaderboard once per txId: the marker is SET NX, and only a newly set
 * marker adds the value. KEYS: applied marker, leaderboard zset, names hash (one room: one slot).
 * ARGV: value, userId, name, markerTtlSec.
 */
const APPLY_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[4]) then
  redis.call('ZINCRBY', KEYS[2], ARGV[1], ARGV[2])
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
  return 1
end
return 0
`;

interface LeaderboardRedis extends Redis {
  giftingLeaderboardApply(...args: (string | number)[]): Promise<number>;
}

export interface LeaderboardGift {
  roomId: string;
  txId: string;
  userId: string;
  name: string;
  value: number;
}

@Injectable()
export class LeaderboardService {
  private readonly redis: LeaderboardRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    if (!('giftingLeaderboardApply' in redis)) redis.defineCommand('giftingLeaderboardApply', { numberOfKeys: 3, lua: APPLY_SCRIPT });
    this.redis = redis as LeaderboardRedis;
  }

  /** True when this call counted the gift, false when it had been counted already. */
  async apply(gift: LeaderboardGift, markerTtlSec: number): Promise<boolean> {
    const k = this.keys;
    const applied = await this.redis.giftingLeaderboardApply(
      k.leaderboardApplied(gift.roomId, gift.txId),
      k.roomLeaderboard(gift.roomId),
      k.roomLeaderboardNames(gift.roomId),
      gift.value,
      gift.userId,
      gift.name,
      markerTtlSec,
    );
    return applied === 1;
  }

  /** Top gifters of a room by coins given. */
  async top(roomId: string, limit: number): Promise<Leaderboard> {
    const flat = await this.redis.zrevrange(this.keys.roomLeaderboard(roomId), 0, limit - 1, 'WITHSCORES');
    const users: { userId: string; value: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) users.push({ userId: flat[i] as string, value: Number(flat[i + 1]) });
    if (users.length === 0) return [];
    const names = await this.redis.hmget(this.keys.roomLeaderboardNames(roomId), ...users.map((u) => u.userId));
    return users.map((u, i) => ({ userId: u.userId, name: names[i] ?? u.userId, value: u.value }));
  }
}
