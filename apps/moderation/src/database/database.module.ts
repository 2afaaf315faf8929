import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { openDatabase } from '#persistence';
import { MODERATION_CONFIG, type ModerationConfig } from '../config.js';
import { MODERATION_SCHEMA } from './schema.js';

/** The moderation database: created if missing, migrated (moderation_migrations), pooled. */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [MODERATION_CONFIG],
      useFactory: (config: ModerationConfig) => openDatabase(config.DATABASE_URL, MODERATION_SCHEMA, config.DATABASE_POOL_SIZE),
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.db.isInitialized) await this.db.destroy();
  }
}
