import { z } from 'zod';
import { commonEnv, databaseEnv, port } from '#config';

export const moderationConfigSchema = z.object({
  ...commonEnv,
  ...databaseEnv,
  MODERATION_PORT: port(3013),
  /** Requests handled at once by one replica. */
  MODERATION_CONCURRENCY: z.coerce.number().int().min(1).max(4096).default(64),
  /** PostgreSQL connections of one replica. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(5),
});

export type ModerationConfig = z.infer<typeof moderationConfigSchema>;

export const MODERATION_CONFIG = Symbol('MODERATION_CONFIG');
