import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { openDatabase } from '#persistence';
import { GIFTING_CONFIG, type GiftingConfig } from '../config.js';
import { GIFTING_SCHEMA } from './schema.js';

/** The gifting database: created if missing, migrated (gifting_migrations), pooled. */
@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [GIFTING_CONFIG],
      useFactory: (config: GiftingConfig) => openDatabase(config.DATABASE_URL, GIFTING_SCHEMA, config.DATABASE_POOL_SIZE),
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
