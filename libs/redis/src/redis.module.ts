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
        // Auto-pipelined: the commands of concurrent requests leave in one write. A command's timer starts
        // when its pipeline is written, so against a half-dead Redis it answers within ~2 × 1.5 s (waiting
        // behind the running pipeline, then its own), and requests can still be acked in time.
        {
          provide: REDIS,
          useFactory: () => createRedis(options.url, options.connectionName, { commandTimeout: 1500, enableAutoPipelining: true }),
        },
        { provide: RedisKeys, useValue: new RedisKeys(options.keyPrefix) },
        RedisCloser,
      ],
      exports: [REDIS, RedisKeys],
    };
  }
}
