import 'reflect-metadata';
import { loadConfigOrExit } from '#config';
import { MODERATION_SERVICE } from '#contracts';
import { initNestLogger, startTracing } from '#observability';
import { runService } from '#transport';
import { AppModule } from './app.module.js';
import { moderationConfigSchema } from './config.js';

startTracing('moderation');
const config = loadConfigOrExit('moderation', moderationConfigSchema);
runService({
  name: 'moderation',
  module: AppModule.forRoot(config),
  service: MODERATION_SERVICE,
  port: config.MODERATION_PORT,
  redisUrl: config.REDIS_URL,
  keyPrefix: config.KEY_PREFIX,
  concurrency: config.MODERATION_CONCURRENCY,
  logger: initNestLogger({ service: 'moderation', level: config.LOG_LEVEL }),
});
