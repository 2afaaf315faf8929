import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { BarrageController } from './barrage.controller.js';
import { BarrageService } from './barrage.service.js';

@Module({
  controllers: [BarrageController],
  providers: [
    BarrageService,
    { provide: RoomLog, inject: [REDIS, RedisKeys], useFactory: (redis: Redis, keys: RedisKeys) => new RoomLog(redis, keys) },
  ],
})
export class BarrageModule {}
