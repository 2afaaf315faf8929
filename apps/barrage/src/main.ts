import 'reflect-metadata';
import { loadConfigOrExit, nestLogLevels } from '#config';
import { SERVICES } from '#contracts';
import { runService } from '#transport';
import { AppModule } from './app.module.js';
import { barrageConfigSchema } from './config.js';

const config = loadConfigOrExit('barrage', barrageConfigSchema);
runService({
  name: 'barrage',
  module: AppModule.forRoot(config),
  service: SERVICES.barrage,
  port: config.BARRAGE_PORT,
  redisUrl: config.REDIS_URL,
  keyPrefix: config.KEY_PREFIX,
  concurrency: config.BARRAGE_CONCURRENCY,
  logLevels: nestLogLevels(config.LOG_LEVEL),
});
