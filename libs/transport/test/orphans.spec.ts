import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, type MicroserviceOptions, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { RedisKeys } from '#contracts';
import { RedisStreamsClient, RedisStreamsServer } from '../src/index.js';
import { deleteKeys } from './redis-test-utils.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = new RedisKeys(`lrtest:${randomUUID()}:`).transportPrefix();
const SERVICE = 'orphan-svc';
let handled: (data: unknown) => void = () => undefined;

@Controller()
class OrphanController {
  @EventPattern('evt')
  onEvent(@Payload() data: unknown): void {
    handled(data);
  }
}

@Module({ controllers: [OrphanController] })
class OrphanModule {}

describe('RedisStreams transport: orphaned entries', () => {
  const redis = new Redis(REDIS_URL);
  let app: INestMicroservice | null = null;
  const client = new RedisStreamsClient({ redisUrl: REDIS_URL, prefix: PREFIX, service: SERVICE });

  afterAll(async () => {
    await app?.close();
    await client.close();
    await deleteKeys(redis, PREFIX);
    await redis.quit();
  });

  it('handles an entry that sits pending under its own live consumer (its read reply was lost)', async () => {
    const stream = `${PREFIX}${SERVICE}`;
    await redis.xgroup('CREATE', stream, SERVICE, '0', 'MKSTREAM');
    await client.connect();
    await firstValueFrom(client.emit('evt', { n: 1 }), { defaultValue: undefined });
    // The entry is delivered to "owner", but the reply never reaches it: pending, not handled.
    await redis.xreadgroup('GROUP', SERVICE, 'owner', 'COUNT', 10, 'STREAMS', stream, '>');
    const got = new Promise<unknown>((resolve) => (handled = resolve));
    app = await NestFactory.createMicroservice<MicroserviceOptions>(OrphanModule, {
      logger: false,
      strategy: new RedisStreamsServer({ redisUrl: REDIS_URL, prefix: PREFIX, service: SERVICE, consumerName: 'owner', heartbeatMs: 50, deadAfterMs: 1000, orphanIdleMs: 200 }),
    });
    await app.listen();
    expect(await got).toEqual({ n: 1 });
  });
});
