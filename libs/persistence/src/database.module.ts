import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { openDatabase, ROOMS_SCHEMA, type SchemaSet } from './database.js';

export interface DatabaseModuleOptions {
  url: string;
  /** The app's entities and migrations (its own migrations table). */
  schema?: SchemaSet;
  poolSize?: number;
}

/**
 * An app's database as a global `DataSource`: created if missing and migrated before the app
 * starts, pooled, and closed on shutdown (so a stopping app leaves no idle sessions behind).
 */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [{ provide: DataSource, useFactory: () => openDatabase(options.url, options.schema ?? ROOMS_SCHEMA, options.poolSize) }],
      exports: [DataSource],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.db.isInitialized) await this.db.destroy();
  }
}
