import 'reflect-metadata';
import { loadConfigOrExit } from '#config';
import { SERVICES } from '#contracts';
import { initNestLogger, startTracing } from '#observability';
import { runService } from '#transport';
import { AppModule } from './app.module.js';
import { barrageConfigSchema } from './config.js';

startTracing('barrage');
const config = loadConfigOrExit('barrage', barrageConfigSchema);
runService({
  name: 'barrage',
  module: AppModule.forRoot(config),
  service: SERVICES.barrage,
  port: config.BARRAGE_PORT,
  redisUrl: config.REDIS_URL,
  keyPrefix: config.KEY_PREFIX,
  concurrency: config.BARRAGE_CONCURRENCY,
  logger: initNestLogger({ service: 'barrage', level: config.LOG_LEVEL }),
});
