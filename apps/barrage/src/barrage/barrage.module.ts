import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { AdmissionModule } from '../admission/admission.module.js';
import { DictionaryModule } from '../dictionary/dictionary.module.js';
import { BarrageController } from './barrage.controller.js';
import { BarrageService } from './barrage.service.js';

@Module({
  imports: [AdmissionModule, DictionaryModule],
  controllers: [BarrageController],
  providers: [
    BarrageService,
    { provide: RoomLog, inject: [REDIS, RedisKeys], useFactory: (redis: Redis, keys: RedisKeys) => new RoomLog(redis, keys) },
  ],
})
export class BarrageModule {}
