import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { AuditModule } from '../audit/audit.module.js';
import { BanSync } from './ban-sync.service.js';
import { PowersController } from './powers.controller.js';
import { PowersService } from './powers.service.js';
import { RoomAuthority } from './room-authority.js';

@Module({
  imports: [AuditModule],
  controllers: [PowersController],
  providers: [
    PowersService,
    RoomAuthority,
    BanSync,
    { provide: RoomLog, inject: [REDIS, RedisKeys], useFactory: (redis: Redis, keys: RedisKeys) => new RoomLog(redis, keys) },
  ],
})
export class PowersModule {}
