import 'reflect-metadata';
import { loadConfigOrExit } from '#config';
import { COHOST_SERVICE } from '#contracts';
import { initNestLogger, startTracing } from '#observability';
import { runService } from '#transport';
import { AppModule } from './app.module.js';
import { cohostConfigSchema } from './config.js';

startTracing('cohost');
const config = loadConfigOrExit('cohost', cohostConfigSchema);
runService({
  name: 'cohost',
  module: AppModule.forRoot(config),
  service: COHOST_SERVICE,
  port: config.COHOST_PORT,
  redisUrl: config.REDIS_URL,
  keyPrefix: config.KEY_PREFIX,
  concurrency: config.COHOST_CONCURRENCY,
  logger: initNestLogger({ service: 'cohost', level: config.LOG_LEVEL }),
});
