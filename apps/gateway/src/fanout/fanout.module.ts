import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { FanoutService } from './fanout.service.js';

@Module({
  providers: [
    FanoutService,
    { provide: RoomLog, inject: [REDIS, RedisKeys], useFactory: (redis: Redis, keys: RedisKeys) => new RoomLog(redis, keys) },
  ],
  exports: [FanoutService, RoomLog],
})
export class FanoutModule {}
