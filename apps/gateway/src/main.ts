import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfigOrExit } from '#config';
import { RedisKeys } from '#contracts';
import { initNestLogger, startTracing } from '#observability';
import { AppModule } from './app.module.js';
import { gatewayConfigSchema } from './config.js';
import { HttpErrorFilter } from './errors/error-mapping.js';
import { httpRequestTelemetry } from './observability/http-request.js';
import { setupOpenApi } from './openapi.js';
import { RedisIoAdapter } from './realtime/redis-io.adapter.js';

startTracing('gateway');

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit('gateway', gatewayConfigSchema);
  const logger = initNestLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger });
  const io = new RedisIoAdapter(app, config.REDIS_URL, new RedisKeys(config.KEY_PREFIX).socketIoPrefix());
  await io.connect();
  app.useWebSocketAdapter(io);
  app.useGlobalFilters(new HttpErrorFilter());
  // Room and wallet bodies are tiny; the moderation term list (up to 20,000 terms) is the large one.
  app.useBodyParser('json', { limit: '4mb' });
  // After the body parser, so the request span is still the active context in the handlers.
  app.use(httpRequestTelemetry());
  app.enableCors({ origin: true });
  // The demo pages (co-host demo); the Socket.IO client script is served by Socket.IO itself.
  app.useStaticAssets(config.GATEWAY_PUBLIC_DIR, { prefix: '/demo/', index: false });
  // The demo room page (apps/web, built by Vite into dist/web) at /.
  app.useStaticAssets(config.GATEWAY_WEB_DIR, { index: 'index.html', fallthrough: true });
  setupOpenApi(app);
  app.enableShutdownHooks();
  // Nest passes extra arguments on to http.Server.listen(port, host, backlog); its types don't say so.
  const listen = app.listen.bind(app) as unknown as (port: number, host: string, backlog: number) => Promise<unknown>;
  await listen(config.GATEWAY_PORT, '0.0.0.0', config.GATEWAY_LISTEN_BACKLOG);
  logger.log(`gateway ${config.GATEWAY_ID} listening on :${config.GATEWAY_PORT}`, 'bootstrap');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
