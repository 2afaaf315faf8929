import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { type Leaderboard, RedisKeys } from '#contracts';
import { defineScript, REDIS, type ScriptArg } from '#redis';

/**
 * Counts gifts of one room into its leaderboard, each once per txId: a gift's marker is SET NX, and
 * only a newly set marker adds the value. KEYS: leaderboard zset, names hash, then one applied marker
 * per gift (one room: one slot). ARGV: markerTtlSec, then per gift: value, userId, name.
 * Returns how many gifts were counted now.
 */
const APPLY_SCRIPT = `
local applied = 0
for i = 1, #KEYS - 2 do
  if redis.call('SET', KEYS[2 + i], '1', 'NX', 'EX', ARGV[1]) then
    redis.call('ZINCRBY', KEYS[1], ARGV[3 * i - 1], ARGV[3 * i])
    redis.call('HSET', KEYS[2], ARGV[3 * i], ARGV[3 * i + 1])
    applied = applied + 1
  end
end
return applied
`;

export interface LeaderboardGift {
  txId: string;
  userId: string;
  name: string;
  value: number;
}

@Injectable()
export class LeaderboardService {
  private readonly applyScript: (numberOfKeys: number, ...keysThenArgs: ScriptArg[]) => Promise<number>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.applyScript = defineScript(redis, 'giftingLeaderboardApply', { lua: APPLY_SCRIPT });
  }

  /** Counts the gifts of one room (a batch, in one round trip); returns how many were not counted before. */
  async apply(roomId: string, gifts: readonly LeaderboardGift[], markerTtlSec: number): Promise<number> {
    if (gifts.length === 0) return 0;
    const k = this.keys;
    return this.applyScript(
      2 + gifts.length,
      k.roomLeaderboard(roomId),
      k.roomLeaderboardNames(roomId),
      ...gifts.map((g) => k.leaderboardApplied(roomId, g.txId)),
      markerTtlSec,
      ...gifts.flatMap((g) => [g.value, g.userId, g.name]),
    );
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
