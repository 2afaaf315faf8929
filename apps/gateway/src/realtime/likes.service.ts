import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import { LiveroomError, likeSendSchema, parseInput, RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { requireUser } from '../auth/jwt-verifier.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { stateOf } from '../common/socket-state.js';

const FLUSH_MS = 200;

/**
 * like:send is aggregated here and never broadcast one by one: each user gets at most
 * LIKES_PER_USER_PER_SEC counted per second (the rest dropped silently), and the room's
 * total is incremented in Redis a few times per second; room:stats carries it to viewers.
 */
@Injectable()
export class LikesService implements OnModuleInit, OnApplicationShutdown {
  private readonly perUser = new Map<string, { second: number; used: number }>();
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  like(socket: Socket, payload: unknown): object {
    const { roomId, count = 1 } = parseInput(likeSendSchema, payload);
    const state = stateOf(socket);
    const user = requireUser(state.caller);
    if (!state.rooms.has(roomId)) throw new LiveroomError('NOT_IN_ROOM', `join room ${roomId} first`);
    const second = Math.floor(Date.now() / 1000);
    const key = `${roomId}\n${user.userId}`;
    let window = this.perUser.get(key);
    if (!window || window.second !== second) {
      window = { second, used: 0 };
      this.perUser.set(key, window);
    }
    const counted = Math.min(count, this.config.LIKES_PER_USER_PER_SEC - window.used);
    if (counted > 0) {
      window.used += counted;
      this.pending.set(roomId, (this.pending.get(roomId) ?? 0) + counted);
    }
    return {};
  }

  private async flush(): Promise<void> {
    const second = Math.floor(Date.now() / 1000);
    for (const [key, window] of this.perUser) if (window.second < second) this.perUser.delete(key);
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const entries = [...batch];
    const tx = this.redis.pipeline();
    for (const [roomId, n] of entries) tx.incrby(this.keys.roomLikes(roomId), n);
    const results = await tx.exec().catch(() => null);
    // Counts that did not reach Redis are kept for the next flush (only those: no double count).
    entries.forEach(([roomId, n], i) => {
      if (!results || results[i]?.[0]) this.pending.set(roomId, (this.pending.get(roomId) ?? 0) + n);
    });
  }
}
