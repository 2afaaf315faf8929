import { type DynamicModule, Inject, Module, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { HealthRegistry, ObservabilityModule } from '#observability';
import { DatabaseModule } from '#persistence';
import { REDIS, RedisModule } from '#redis';
import { GIFTING_CONFIG, type GiftingConfig } from './config.js';
import { GIFTING_SCHEMA } from './database/schema.js';
import { GiftsModule } from './gifts/gifts.module.js';
import { LeaderboardModule } from './leaderboard/leaderboard.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { WalletsModule } from './wallets/wallets.module.js';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly db: DataSource,
  ) {}

  static forRoot(config: GiftingConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        { module: ConfigHolder, global: true, providers: [{ provide: GIFTING_CONFIG, useValue: config }], exports: [GIFTING_CONFIG] },
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: config.KEY_PREFIX, connectionName: 'gifting' }),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, schema: GIFTING_SCHEMA, poolSize: config.DATABASE_POOL_SIZE }),
        ObservabilityModule,
        LedgerModule,
        WalletsModule,
        GiftsModule,
        LeaderboardModule,
        OutboxModule,
      ],
    };
  }

  onModuleInit(): void {
    this.health.addProbe('redis', () => this.redis.ping());
    this.health.addProbe('postgres', () => this.db.query('SELECT 1'));
  }
}

@Module({})
class ConfigHolder {}
