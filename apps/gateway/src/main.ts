import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfigOrExit, nestLogLevels } from '#config';
import { RedisKeys } from '#contracts';
import { AppModule } from './app.module.js';
import { gatewayConfigSchema } from './config.js';
import { HttpErrorFilter } from './errors/error-mapping.js';
import { RedisIoAdapter } from './realtime/redis-io.adapter.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('gateway', gatewayConfigSchema);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: nestLogLevels(config.LOG_LEVEL) });
  const io = new RedisIoAdapter(app, config.REDIS_URL, new RedisKeys(config.KEY_PREFIX).socketIoPrefix());
  await io.connect();
  app.useWebSocketAdapter(io);
  app.useGlobalFilters(new HttpErrorFilter());
  // Room and wallet bodies are tiny; the moderation term list (up to 20,000 terms) is the large one.
  app.useBodyParser('json', { limit: '4mb' });
  app.enableCors({ origin: true });
  // The demo pages (co-host demo); the Socket.IO client script is served by Socket.IO itself.
  app.useStaticAssets(config.GATEWAY_PUBLIC_DIR, { prefix: '/demo/', index: false });
  app.enableShutdownHooks();
  await app.listen(config.GATEWAY_PORT, '0.0.0.0');
  process.stdout.write(`gateway ${config.GATEWAY_ID} listening on :${config.GATEWAY_PORT}\n`);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
