import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { REDIS, UserNotifier } from '#redis';
import { TimersModule } from '../timers/timers.module.js';
import { SessionStore } from './session-store.js';
import { SessionsController } from './sessions.controller.js';
import { SessionsService, USER_NOTIFIER } from './sessions.service.js';

@Module({
  imports: [TimersModule],
  controllers: [SessionsController],
  providers: [
    SessionStore,
    SessionsService,
    { provide: USER_NOTIFIER, inject: [REDIS, RedisKeys], useFactory: (redis: Redis, keys: RedisKeys) => new UserNotifier(redis, keys.socketIoPrefix()) },
  ],
  exports: [SessionsService, SessionStore],
})
export class SessionsModule {}
