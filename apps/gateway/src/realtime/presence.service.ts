import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { defineScript, REDIS } from '#redis';
import { GatewayInstance } from '../common/gateway-instance.js';

/** Decrements a user's socket count on this gateway; the field goes at zero. */
const LEAVE_SCRIPT = `
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n
`;

/**
 * Which gateways hold a socket of a user: a hash per user, a field per gateway instance. The
 * cohost service reads it (with the live gateways) to tell a guest who is gone from one who
 * moved to another node.
 */
@Injectable()
export class PresenceService {
  private readonly leave: (key: string, field: string) => Promise<number>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly instance: GatewayInstance,
  ) {
    this.leave = defineScript(redis, 'presenceLeave', { numberOfKeys: 1, lua: LEAVE_SCRIPT });
  }

  connected(userId: string): void {
    this.redis.hincrby(this.keys.userPresence(userId), this.instance.id, 1).catch(() => undefined);
  }

  disconnected(userId: string): void {
    this.leave(this.keys.userPresence(userId), this.instance.id).catch(() => undefined);
  }
}
