import { type DynamicModule, Global, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { HealthRegistry, ObservabilityModule } from '#observability';
import { DatabaseModule } from '#persistence';
import { REDIS, RedisModule } from '#redis';
import { MODERATION_CONFIG, type ModerationConfig } from './config.js';
import { MODERATION_SCHEMA } from './database/schema.js';
import { PowersModule } from './powers/powers.module.js';
import { TermsModule } from './terms/terms.module.js';

@Global()
@Module({})
class ConfigHolder {}

@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly db: DataSource,
  ) {}

  static forRoot(config: ModerationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        { module: ConfigHolder, global: true, providers: [{ provide: MODERATION_CONFIG, useValue: config }], exports: [MODERATION_CONFIG] },
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: config.KEY_PREFIX, connectionName: 'moderation' }),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, schema: MODERATION_SCHEMA, poolSize: config.DATABASE_POOL_SIZE }),
        ObservabilityModule,
        PowersModule,
        TermsModule,
      ],
    };
  }

  onModuleInit(): void {
    this.health.addProbe('redis', () => this.redis.ping());
    this.health.addProbe('postgres', () => this.db.query('SELECT 1'));
  }
}
