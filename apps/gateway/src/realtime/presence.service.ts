import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { GatewayInstance } from '../common/gateway-instance.js';

/** Decrements a user's socket count on this gateway; the field goes at zero. */
const LEAVE_SCRIPT = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n
`;

interface PresenceRedis extends Redis {
  presenceLeave(key: string, field: string): Promise<number>;
}

/**
 * Which gateways hold a socket of a user: a hash per user, a field per gateway instance. The
 * cohost service reads it (with the live gateways) to tell a guest who is gone from one who
 * moved to another node.
 */
@Injectable()
export class PresenceService {
  private readonly redis: PresenceRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
    private readonly instance: GatewayInstance,
  ) {
    if (!('presenceLeave' in redis)) redis.defineCommand('presenceLeave', { numberOfKeys: 1, lua: LEAVE_SCRIPT });
    this.redis = redis as PresenceRedis;
  }

  connected(userId: string): void {
    this.redis.hincrby(this.keys.userPresence(userId), this.instance.id, 1).catch(() => undefined);
  }

  disconnected(userId: string): void {
    this.redis.presenceLeave(this.keys.userPresence(userId), this.instance.id).catch(() => undefined);
  }
}
