import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from './room-log.js';

/**
 * Provides `RoomLog` on the app's shared Redis connection (`REDIS`) and key names (`RedisKeys`), both
 * from the global `RedisModule.forRoot`, with the default history sizes.
 */
@Module({
  providers: [{ provide: RoomLog, inject: [REDIS, RedisKeys], useFactory: (redis: Redis, keys: RedisKeys) => new RoomLog(redis, keys) }],
  exports: [RoomLog],
})
export class RoomLogModule {}
