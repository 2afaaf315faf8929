import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { COHOST_SERVICE, GIFTING_SERVICE, MODERATION_SERVICE, RedisKeys, SERVICES } from '#contracts';
import { RedisStreamsClient, ServiceClient } from '#transport';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';

export const BARRAGE_SERVICE = Symbol('BARRAGE_SERVICE');
export const GIFTING_CLIENT = Symbol('GIFTING_CLIENT');
export const MODERATION_CLIENT = Symbol('MODERATION_CLIENT');
export const COHOST_CLIENT = Symbol('COHOST_CLIENT');

function clientFor(service: string, config: GatewayConfig, keys: RedisKeys): ServiceClient {
  return new ServiceClient(
    service,
    new RedisStreamsClient({ redisUrl: config.REDIS_URL, prefix: keys.transportPrefix(), service, timeoutMs: config.SERVICE_TIMEOUT_MS }),
  );
}

@Injectable()
class ServiceClientsCloser implements OnApplicationShutdown {
  constructor(
    @Inject(BARRAGE_SERVICE) private readonly barrage: ServiceClient,
    @Inject(GIFTING_CLIENT) private readonly gifting: ServiceClient,
    @Inject(MODERATION_CLIENT) private readonly moderation: ServiceClient,
    @Inject(COHOST_CLIENT) private readonly cohost: ServiceClient,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.barrage.close(), this.gifting.close(), this.moderation.close(), this.cohost.close()]);
  }
}

/** Clients of the backend services, over the Redis Streams transport. */
@Module({
  providers: [
    { provide: BARRAGE_SERVICE, inject: [GATEWAY_CONFIG, RedisKeys], useFactory: (c: GatewayConfig, k: RedisKeys) => clientFor(SERVICES.barrage, c, k) },
    { provide: GIFTING_CLIENT, inject: [GATEWAY_CONFIG, RedisKeys], useFactory: (c: GatewayConfig, k: RedisKeys) => clientFor(GIFTING_SERVICE, c, k) },
    { provide: MODERATION_CLIENT, inject: [GATEWAY_CONFIG, RedisKeys], useFactory: (c: GatewayConfig, k: RedisKeys) => clientFor(MODERATION_SERVICE, c, k) },
    { provide: COHOST_CLIENT, inject: [GATEWAY_CONFIG, RedisKeys], useFactory: (c: GatewayConfig, k: RedisKeys) => clientFor(COHOST_SERVICE, c, k) },
    ServiceClientsCloser,
  ],
  exports: [BARRAGE_SERVICE, GIFTING_CLIENT, MODERATION_CLIENT, COHOST_CLIENT],
})
export class ServicesModule {}
