/**
 * A replica for the multi-process transport tests: `node dist/libs/transport/test/replica.fixture.js`.
 * Env: REDIS_URL, PREFIX, SERVICE, DELAY_MS, CONCURRENCY, HEARTBEAT_MS, DEAD_AFTER_MS, CONSUMER_NAME.
 * Prints `ready <pid>` on stdout once it is reading its stream.
 */
import 'reflect-metadata';
import { setTimeout as delay } from 'node:timers/promises';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, type MicroserviceOptions, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { LiveroomRpcExceptionFilter, RedisStreamsServer } from '../src/index.js';

const env = process.env;
const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = required('PREFIX');
const delayMs = Number(env.DELAY_MS ?? 0);
const counters = new Redis(redisUrl);

@Controller()
class WorkController {
  @MessagePattern('work')
  async work(@Payload() data: { id: string }): Promise<{ id: string; pid: number }> {
    if (delayMs > 0) await delay(delayMs);
    // Counted once the work is done: a replica killed mid-handler has not "handled" the request.
    await counters.multi().incr(`${prefix}handled:${data.id}`).incr(`${prefix}by:${process.pid}`).exec();
    return { id: data.id, pid: process.pid };
  }
}

@Module({ controllers: [WorkController] })
class ReplicaModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ReplicaModule, {
    strategy: new RedisStreamsServer({
      redisUrl,
      prefix,
      service: env.SERVICE ?? 'work',
      consumerName: env.CONSUMER_NAME,
      concurrency: Number(env.CONCURRENCY ?? 64),
      heartbeatMs: Number(env.HEARTBEAT_MS ?? 500),
      deadAfterMs: Number(env.DEAD_AFTER_MS ?? 2000),
    }),
    logger: ['error', 'warn'],
  });
  app.useGlobalFilters(new LiveroomRpcExceptionFilter());
  await app.listen();
  process.stdout.write(`ready ${process.pid}\n`);
  const stop = async (): Promise<void> => {
    await app.close();
    await counters.quit();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

function required(name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

void main().catch((error: unknown) => {
  process.stderr.write(`replica failed: ${String(error)}\n`);
  process.exit(1);
});
