import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit, nestLogLevels } from '#config';
import { GIFTING_SERVICE } from '#contracts';
import { LiveroomRpcExceptionFilter, RedisStreamsServer } from '#transport';
import { AppModule } from './app.module.js';
import { giftingConfigSchema } from './config.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('gifting', giftingConfigSchema);
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: nestLogLevels(config.LOG_LEVEL) });
  // Before connectMicroservice: the microservice inherits the app's global filters then.
  app.useGlobalFilters(new LiveroomRpcExceptionFilter());
  app.connectMicroservice(
    {
      strategy: new RedisStreamsServer({
        redisUrl: config.REDIS_URL,
        prefix: `${config.KEY_PREFIX}rpc:`,
        service: GIFTING_SERVICE,
        concurrency: config.GIFTING_CONCURRENCY,
      }),
    },
    { inheritAppConfig: true },
  );
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.GIFTING_PORT, '0.0.0.0');
  process.stdout.write(`gifting listening on :${config.GIFTING_PORT}\n`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
