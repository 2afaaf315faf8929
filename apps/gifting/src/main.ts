import 'reflect-metadata';
import { loadConfigOrExit } from '#config';
import { GIFTING_SERVICE } from '#contracts';
import { initNestLogger, startTracing } from '#observability';
import { runService } from '#transport';
import { AppModule } from './app.module.js';
import { giftingConfigSchema } from './config.js';

startTracing('gifting');
const config = loadConfigOrExit('gifting', giftingConfigSchema);
runService({
  name: 'gifting',
  module: AppModule.forRoot(config),
  service: GIFTING_SERVICE,
  port: config.GIFTING_PORT,
  redisUrl: config.REDIS_URL,
  keyPrefix: config.KEY_PREFIX,
  concurrency: config.GIFTING_CONCURRENCY,
  logger: initNestLogger({ service: 'gifting', level: config.LOG_LEVEL }),
});
