import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Socket } from 'socket.io';
import { likeSendSchema, parseInput, RedisKeys } from '#contracts';
import { defineScript, REDIS, type ScriptArg } from '#redis';
import { requireUser } from '../auth/jwt-verifier.js';
import { requireJoined } from '../common/socket-state.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { COUNT_LIKES_SCRIPT } from './likes.lua.js';

const FLUSH_MS = 200;

/**
 * like:send is aggregated here and never broadcast one by one. Each user gets at most
 * LIKES_PER_USER_PER_SEC counted per second (the rest dropped silently): capped here first, then
 * exactly across gateways by one script per room and flush. room:stats carries the totals.
 */
@Injectable()
export class LikesService implements OnModuleInit, OnApplicationShutdown {
  /** room -> "user\nsecond" -> likes not yet flushed (already capped per second on this gateway). */
  private pending = new Map<string, Map<string, number>>();
  private timer: NodeJS.Timeout | null = null;
  /** KEYS: likes total, then the windows (their count first: it varies). Returns the likes counted. */
  private readonly countLikes: (numKeys: number, ...keysThenArgs: ScriptArg[]) => Promise<number>;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.countLikes = defineScript(redis, 'countLikes', { lua: COUNT_LIKES_SCRIPT });
  }

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
    const user = requireUser(requireJoined(socket, roomId).caller);
    const window = `${user.userId}\n${Math.floor(Date.now() / 1000)}`;
    let room = this.pending.get(roomId);
    if (!room) this.pending.set(roomId, (room = new Map()));
    room.set(window, Math.min(this.config.LIKES_PER_USER_PER_SEC, (room.get(window) ?? 0) + count));
    return {};
  }

  private async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    await Promise.all(
      [...batch].map(async ([roomId, windows]) => {
        const keys = [this.keys.roomLikes(roomId)];
        const counts: number[] = [];
        for (const [window, n] of windows) {
          const [userId, second] = window.split('\n') as [string, string];
          keys.push(this.keys.likeWindow(roomId, userId, Number(second)));
          counts.push(n);
        }
        try {
          await this.countLikes(keys.length, ...keys, this.config.LIKES_PER_USER_PER_SEC, ...counts);
        } catch {
          // Redis unreachable: keep this room's likes for the next flush instead of losing them.
          const room = this.pending.get(roomId) ?? new Map<string, number>();
          for (const [window, n] of windows) room.set(window, Math.min(this.config.LIKES_PER_USER_PER_SEC, (room.get(window) ?? 0) + n));
          this.pending.set(roomId, room);
        }
      }),
    );
  }
}
