import { type DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { HealthRegistry, ObservabilityModule } from '#observability';
import { REDIS, RedisModule } from '#redis';
import { COHOST_CONFIG, type CohostConfig } from './config.js';
import { ExpiryModule } from './expiry/expiry.module.js';
import { SessionsModule } from './sessions/sessions.module.js';

@Module({})
class ConfigHolder {}

@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  static forRoot(config: CohostConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        { module: ConfigHolder, global: true, providers: [{ provide: COHOST_CONFIG, useValue: config }], exports: [COHOST_CONFIG] },
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: config.KEY_PREFIX, connectionName: 'cohost' }),
        ObservabilityModule,
        SessionsModule,
        ExpiryModule,
      ],
    };
  }

  onModuleInit(): void {
    this.health.addProbe('redis', () => this.redis.ping());
  }
}
