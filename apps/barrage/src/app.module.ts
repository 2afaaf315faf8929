import { type DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { HealthRegistry, ObservabilityModule } from '#observability';
import { REDIS, RedisModule } from '#redis';
import { BarrageModule } from './barrage/barrage.module.js';
import { BARRAGE_CONFIG, type BarrageConfig } from './config.js';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  static forRoot(config: BarrageConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        { module: ConfigHolder, global: true, providers: [{ provide: BARRAGE_CONFIG, useValue: config }], exports: [BARRAGE_CONFIG] },
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: config.KEY_PREFIX, connectionName: 'barrage' }),
        ObservabilityModule,
        BarrageModule,
      ],
    };
  }

  onModuleInit(): void {
    this.health.addProbe('redis', () => this.redis.ping());
  }
}

@Module({})
class ConfigHolder {}
