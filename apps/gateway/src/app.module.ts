import { type DynamicModule, Global, Inject, type MiddlewareConsumer, Module, type NestModule, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { HealthRegistry, ObservabilityModule } from '#observability';
import { DatabaseModule } from '#persistence';
import { REDIS, RedisModule } from '#redis';
import { AuthModule } from './auth/auth.module.js';
import { CallerMiddleware } from './auth/caller.middleware.js';
import { GatewayInstance } from './common/gateway-instance.js';
import { GATEWAY_CONFIG, type GatewayConfig } from './config.js';
import { CohostModule } from './cohost/cohost.module.js';
import { GiftingController } from './gifting/gifting.controller.js';
import { GiftingModule } from './gifting/gifting.module.js';
import { ModerationController } from './moderation/moderation.controller.js';
import { ModerationModule } from './moderation/moderation.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { RoomsController } from './rooms/rooms.controller.js';
import { RoomsModule } from './rooms/rooms.module.js';

@Global()
@Module({})
class CoreModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GatewayInstance, useValue: new GatewayInstance(config.GATEWAY_ID) },
      ],
      exports: [GATEWAY_CONFIG, GatewayInstance],
    };
  }
}

@Module({})
export class AppModule implements NestModule, OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly db: DataSource,
  ) {}

  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        DatabaseModule.forRoot({ url: config.DATABASE_URL }),
        RedisModule.forRoot({ url: config.REDIS_URL, keyPrefix: config.KEY_PREFIX, connectionName: `gateway-${config.GATEWAY_ID}` }),
        ObservabilityModule,
        AuthModule,
        RoomsModule,
        GiftingModule,
        ModerationModule,
        RealtimeModule,
        CohostModule,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(CallerMiddleware).forRoutes(RoomsController, GiftingController, ModerationController);
  }

  onModuleInit(): void {
    this.health.addProbe('redis', () => this.redis.ping());
    this.health.addProbe('postgres', () => this.db.query('SELECT 1'));
  }
}
