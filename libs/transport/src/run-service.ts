import { type DynamicModule, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisKeys } from '#contracts';
import { LiveroomRpcExceptionFilter } from './liveroom-rpc-exception.filter.js';
import { RedisStreamsServer } from './redis-streams.server.js';

export interface ServiceSpec {
  /** Process name for logs. */
  name: string;
  module: DynamicModule;
  /** The consumer group / stream this service reads (e.g. SERVICES.barrage). */
  service: string;
  /** HTTP port of /healthz, /readyz, /metrics. */
  port: number;
  redisUrl: string;
  /** The deployment's KEY_PREFIX; the transport's keys live under `RedisKeys.transportPrefix()` of it. */
  keyPrefix: string;
  concurrency: number;
  /** The app's logger (a pino-backed LoggerService), or Nest's console logger with these levels. */
  logger: LoggerService | LogLevel[];
}

/**
 * Starts a liveroom backend service: a Nest app serving health and metrics over HTTP, with the
 * Redis Streams transport connected, the one error filter, and graceful shutdown. A failure to
 * start exits with a readable message.
 */
export function runService(spec: ServiceSpec): void {
  start(spec).catch((error: unknown) => {
    process.stderr.write(`${spec.name} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}

async function start(spec: ServiceSpec): Promise<void> {
  const app = await NestFactory.create(spec.module, { logger: spec.logger });
  // Before connectMicroservice: the microservice inherits the app's global filters then.
  app.useGlobalFilters(new LiveroomRpcExceptionFilter());
  app.connectMicroservice(
    {
      strategy: new RedisStreamsServer({
        redisUrl: spec.redisUrl,
        prefix: new RedisKeys(spec.keyPrefix).transportPrefix(),
        service: spec.service,
        concurrency: spec.concurrency,
      }),
    },
    { inheritAppConfig: true },
  );
  app.enableShutdownHooks();
  // Module init hooks first (a barrage replica loads its dictionary there): a microservice connected
  // without deferInitialization would otherwise start consuming requests before them.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(spec.port, '0.0.0.0');
  new Logger('bootstrap').log(`${spec.name} listening on :${spec.port}`);
}
