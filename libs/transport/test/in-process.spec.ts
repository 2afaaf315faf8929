import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, MessagePattern, type MicroserviceOptions, Payload } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { Redis } from 'ioredis';
import { firstValueFrom, of } from 'rxjs';
import { LiveroomError, RedisKeys } from '#contracts';
import { LiveroomRpcExceptionFilter, RedisStreamsClient, RedisStreamsContext, RedisStreamsServer } from '../src/index.js';
import { deleteKeys, waitFor } from './redis-test-utils.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = new RedisKeys(`lrtest:${randomUUID()}:`).transportPrefix();
const SERVICE = 'echo-svc';

/** What the handlers saw, so tests can await handling instead of sleeping. */
const seen = {
  events: [] as unknown[],
  eventWaiters: [] as Array<() => void>,
  counted: 0,
  headers: [] as Record<string, string>[],
};

@Controller()
class EchoController {
  @MessagePattern('echo')
  echo(@Payload() data: unknown, @Ctx() ctx: RedisStreamsContext): unknown {
    seen.headers.push(ctx.getHeaders());
    return data;
  }

  @MessagePattern({ cmd: 'limited' })
  limited(): never {
    throw new LiveroomError('RATE_LIMITED', 'x', 1500);
  }

  @MessagePattern('boom')
  async boom(): Promise<never> {
    throw new Error('secret internals');
  }

  @MessagePattern('count')
  count(): number {
    return ++seen.counted;
  }

  @MessagePattern('several')
  several(): unknown {
    return of(1, 2, 3);
  }

  @MessagePattern('nothing')
  nothing(): void {
    return undefined;
  }

  @EventPattern('evt')
  onEvent(@Payload() data: unknown): void {
    seen.events.push(data);
    seen.eventWaiters.splice(0).forEach((wake) => wake());
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

describe('RedisStreams transport (in-process)', () => {
  let redis: Redis;
  let client: RedisStreamsClient;
  let app: INestMicroservice | null = null;
  let earlyReply: Promise<unknown>;
  const replies: string[] = [];
  let spy: Redis;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    spy = new Redis(REDIS_URL);
    await spy.psubscribe(`${PREFIX}reply:*`);
    spy.on('pmessage', (_pattern: string, _channel: string, message: string) => replies.push(message));
    client = new RedisStreamsClient({ redisUrl: REDIS_URL, prefix: PREFIX, service: SERVICE, timeoutMs: 4000 });
    await client.connect();
    // Sent before any replica exists: the group starts at id 0, so it must still be handled.
    earlyReply = firstValueFrom(client.send('echo', { early: true }));
    await waitFor(async () => (await redis.xlen(`${PREFIX}${SERVICE}`)) === 1, 'the early request in the stream');

    app = await NestFactory.createMicroservice<MicroserviceOptions>(EchoModule, {
      strategy: new RedisStreamsServer({ redisUrl: REDIS_URL, prefix: PREFIX, service: SERVICE, heartbeatMs: 200, deadAfterMs: 800 }),
      logger: false,
    });
    app.useGlobalFilters(new LiveroomRpcExceptionFilter());
    await app.listen();
  });

  afterAll(async () => {
    await app?.close();
    await client?.close();
    await deleteKeys(redis, PREFIX);
    await spy?.quit();
    await redis?.quit();
  });

  it('handles a request sent before the server started', async () => {
    await expect(earlyReply).resolves.toEqual({ early: true });
  });

  it('echoes a request and carries headers (packet metadata)', async () => {
    client.setOnDispatchHook((packet) => (packet.metadata = { traceparent: 'tp-1' }));
    try {
      await expect(firstValueFrom(client.send('echo', { hello: 'world', n: [1, 2] }))).resolves.toEqual({
        hello: 'world',
        n: [1, 2],
      });
    } finally {
      client.setOnDispatchHook(() => undefined);
    }
    expect(seen.headers.at(-1)).toEqual({ traceparent: 'tp-1' });
  });

  it('delivers a LiveroomError with its code and retryAfterMs', async () => {
    const error: unknown = await firstValueFrom(client.send({ cmd: 'limited' }, {})).catch((e: unknown) => e);
    expect(error).toEqual({ code: 'RATE_LIMITED', message: 'x', retryAfterMs: 1500 });
    const rebuilt = LiveroomError.from(error);
    expect(rebuilt.code).toBe('RATE_LIMITED');
    expect(rebuilt.retryAfterMs).toBe(1500);
  });

  it('hides unexpected errors behind INTERNAL', async () => {
    const error: unknown = await firstValueFrom(client.send('boom', {})).catch((e: unknown) => e);
    expect(error).toEqual({ code: 'INTERNAL', message: 'internal error' });
  });

  it('answers request() as send() does, without an observable: value, observable result, nothing, error', async () => {
    client.setOnDispatchHook((packet) => (packet.metadata = { traceparent: 'tp-2' }));
    try {
      await expect(client.request('echo', { hello: 'request' })).resolves.toEqual({ hello: 'request' });
    } finally {
      client.setOnDispatchHook(() => undefined);
    }
    expect(seen.headers.at(-1)).toEqual({ traceparent: 'tp-2' });
    // A handler's observable is reduced to its last value, by either client API.
    await expect(client.request('several', {})).resolves.toBe(3);
    await expect(firstValueFrom(client.send('several', {}))).resolves.toBe(3);
    await expect(client.request('nothing', {})).resolves.toBeUndefined();
    await expect(client.request({ cmd: 'limited' }, {})).rejects.toEqual({ code: 'RATE_LIMITED', message: 'x', retryAfterMs: 1500 });
    await expect(client.request('boom', {})).rejects.toEqual({ code: 'INTERNAL', message: 'internal error' });
    // Data that cannot be encoded is refused at once, and nothing is left waiting for a reply.
    await expect(client.request('echo', { n: 1n })).rejects.toThrow(TypeError);
    expect((client as unknown as { pending: Map<string, unknown> }).pending.size).toBe(0);
  });

  it('handles an event and never replies to it', async () => {
    const handled = new Promise<void>((resolve) => seen.eventWaiters.push(resolve));
    const before = replies.length;
    await firstValueFrom(client.emit('evt', { kind: 'ping' }), { defaultValue: undefined });
    await handled;
    expect(seen.events).toEqual([{ kind: 'ping' }]);
    // Acked and deleted once handled: the stream only holds unfinished work.
    await waitFor(async () => (await redis.xlen(`${PREFIX}${SERVICE}`)) === 0, 'the event to be acked');
    expect(replies.length).toBe(before);
  });

  it('drops malformed entries and requests whose deadline has passed, without handling them', async () => {
    const stream = `${PREFIX}${SERVICE}`;
    await redis.xadd(stream, '*', 'garbage', 'yes');
    await redis.xadd(stream, '*', 'id', 'x1', 'pattern', 'count', 'data', '{}', 'replyTo', `${PREFIX}reply:nobody`, 'deadline', String(Date.now() - 1), 'headers', '{}');
    const before = replies.length;
    await expect(firstValueFrom(client.send('count', {}))).resolves.toBe(1);
    await waitFor(async () => (await redis.xlen(stream)) === 0, 'the dropped entries to be acked');
    expect(seen.counted).toBe(1);
    expect(replies.length).toBe(before + 1);
    const [pendingCount] = (await redis.xpending(stream, SERVICE)) as [number];
    expect(pendingCount).toBe(0);
  });

  it('answers UNAVAILABLE when no replica of the service answers in time', async () => {
    const nobody = new RedisStreamsClient({ redisUrl: REDIS_URL, prefix: PREFIX, service: 'nobody', timeoutMs: 300 });
    try {
      const started = Date.now();
      const error: unknown = await firstValueFrom(nobody.send('echo', {})).catch((e: unknown) => e);
      expect(error).toEqual({ code: 'UNAVAILABLE', message: 'service nobody did not answer in time', retryAfterMs: 1000 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await nobody.close();
    }
  });

  it('fails fast with UNAVAILABLE when Redis is unreachable', async () => {
    const offline = new RedisStreamsClient({ redisUrl: 'redis://127.0.0.1:1', prefix: PREFIX, service: SERVICE, timeoutMs: 10_000 });
    try {
      const started = Date.now();
      const error: unknown = await firstValueFrom(offline.send('echo', {})).catch((e: unknown) => e);
      expect(LiveroomError.from(error).code).toBe('UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await offline.close();
    }
  });

  it('fails pending requests with UNAVAILABLE on close()', async () => {
    const closing = new RedisStreamsClient({ redisUrl: REDIS_URL, prefix: PREFIX, service: 'nobody', timeoutMs: 10_000 });
    await closing.connect();
    const pending = firstValueFrom(closing.send('echo', {})).catch((e: unknown) => e);
    await waitFor(async () => (await redis.xlen(`${PREFIX}nobody`)) > 0, 'the request to be sent');
    await closing.close();
    await expect(pending).resolves.toMatchObject({ code: 'UNAVAILABLE', message: 'client closed' });
  });

  it('leaves the group cleanly on close()', async () => {
    await app?.close();
    app = null;
    const consumers = (await redis.xinfo('CONSUMERS', `${PREFIX}${SERVICE}`, SERVICE)) as unknown[];
    expect(consumers).toEqual([]);
    expect(await redis.keys(`${PREFIX}${SERVICE}:alive:*`)).toEqual([]);
  });
});
