import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { LeaderboardModule } from '../leaderboard/leaderboard.module.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { OutboxNotifier } from './outbox-notifier.service.js';

@Module({
  imports: [LeaderboardModule],
  providers: [
    OutboxNotifier,
    OutboxRelay,
    { provide: RoomLog, inject: [REDIS, RedisKeys], useFactory: (redis: Redis, keys: RedisKeys) => new RoomLog(redis, keys) },
  ],
  exports: [OutboxNotifier, OutboxRelay],
})
export class OutboxModule {}
