import { type DynamicModule, Global, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { createRedis, quietQuit } from './create-redis.js';

/** Injection token of the app's shared Redis command connection. */
export const REDIS = Symbol('REDIS');

export interface RedisModuleOptions {
  url: string;
  keyPrefix: string;
  connectionName: string;
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await quietQuit(this.redis);
  }
}

/** Provides `REDIS` (ioredis) and `RedisKeys` (key names under the deployment's prefix). */
@Global()
@Module({})
export class RedisModule {
  static forRoot(options: RedisModuleOptions): DynamicModule {
    return {
      module: RedisModule,
      providers: [
        // Commands answer within 2 s even from a half-dead Redis, so requests can still be acked in time.
        { provide: REDIS, useFactory: () => createRedis(options.url, options.connectionName, { commandTimeout: 2000, enableAutoPipelining: true }) },
        { provide: RedisKeys, useValue: new RedisKeys(options.keyPrefix) },
        RedisCloser,
      ],
      exports: [REDIS, RedisKeys],
    };
  }
}
