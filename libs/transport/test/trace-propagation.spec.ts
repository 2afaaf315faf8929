import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, type MicroserviceOptions, Payload } from '@nestjs/microservices';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { LiveroomError, RedisKeys } from '#contracts';
import { LiveroomRpcExceptionFilter, RedisStreamsClient, type RedisStreamsContext, RedisStreamsServer } from '../src/index.js';
import { deleteKeys } from './redis-test-utils.js';

/** W3C trace context rides in the message headers: the handler runs inside a child of the caller's span. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = new RedisKeys(`lrtest:${randomUUID()}:`).transportPrefix();
const SERVICE = 'traced-svc';
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const seen: { traceparent?: string; activeTraceId?: string }[] = [];

@Controller()
class TracedController {
  @MessagePattern('traced.echo')
  echo(@Payload() data: unknown, @Ctx() ctx: RedisStreamsContext): unknown {
    seen.push({ traceparent: ctx.getHeaders().traceparent, activeTraceId: trace.getActiveSpan()?.spanContext().traceId });
    return data;
  }

  @MessagePattern('traced.refuse')
  refuse(): never {
    throw new LiveroomError('FORBIDDEN', 'no');
  }
}

@Module({ controllers: [TracedController] })
class TracedModule {}

describe('trace context over the Redis Streams transport', () => {
  let app: INestMicroservice;
  let client: RedisStreamsClient;

  beforeAll(async () => {
    provider.register();
    app = await NestFactory.createMicroservice<MicroserviceOptions>(TracedModule, {
      strategy: new RedisStreamsServer({ redisUrl: REDIS_URL, prefix: PREFIX, service: SERVICE }),
      logger: false,
    });
    app.useGlobalFilters(new LiveroomRpcExceptionFilter());
    await app.listen();
    client = new RedisStreamsClient({ redisUrl: REDIS_URL, prefix: PREFIX, service: SERVICE });
    await client.connect();
  });

  afterAll(async () => {
    await client.close();
    await app.close();
    const redis = new Redis(REDIS_URL);
    await deleteKeys(redis, PREFIX);
    redis.disconnect();
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  beforeEach(() => {
    exporter.reset();
    seen.length = 0;
  });

  it.each(['send', 'request'] as const)('continues the caller trace in the handler, under a client span (%s)', async (api) => {
    const tracer = trace.getTracer('test');
    const root = await tracer.startActiveSpan('request', async (span) => {
      await (api === 'send' ? firstValueFrom(client.send('traced.echo', { hi: 1 })) : client.request('traced.echo', { hi: 1 }));
      span.end();
      return span.spanContext();
    });
    const spans = exporter.getFinishedSpans();
    const send = spans.find((s) => s.name === 'send traced.echo');
    const processed = spans.find((s) => s.name === 'process traced.echo');
    expect(send?.kind).toBe(SpanKind.CLIENT);
    expect(send?.parentSpanContext?.spanId).toBe(root.spanId);
    expect(processed?.kind).toBe(SpanKind.SERVER);
    expect(processed?.spanContext().traceId).toBe(root.traceId);
    expect(processed?.parentSpanContext?.spanId).toBe(send?.spanContext().spanId);
    expect(seen).toEqual([{ traceparent: expect.stringMatching(new RegExp(`^00-${root.traceId}-[0-9a-f]{16}-01$`)), activeTraceId: root.traceId }]);
  });

  it('records the error code of a refused request on both spans', async () => {
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('request', async (span) => {
      await expect(firstValueFrom(client.send('traced.refuse', {}))).rejects.toMatchObject({ code: 'FORBIDDEN' });
      span.end();
    });
    for (const name of ['send traced.refuse', 'process traced.refuse']) {
      expect(exporter.getFinishedSpans().find((s) => s.name === name)?.attributes).toMatchObject({ 'liveroom.outcome': 'FORBIDDEN' });
    }
  });

  it('adds nothing to a message sent outside any span', async () => {
    await firstValueFrom(client.send('traced.echo', {}));
    expect(seen[0]?.traceparent).toBeUndefined();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['process traced.echo']);
  });
});
