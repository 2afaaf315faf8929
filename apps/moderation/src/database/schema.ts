import type { SchemaSet } from '#persistence';
import { CreateModeration1766000000000 } from './migrations/1766000000000-create-moderation.js';

/**
 * What moderation owns in the shared database; its migration history is its own table. The service
 * uses plain SQL (no entities); the migrations are the source of truth and `synchronize` is never used.
 */
export const MODERATION_SCHEMA: SchemaSet = {
  entities: [],
  migrations: [CreateModeration1766000000000],
  migrationsTableName: 'moderation_migrations',
};
