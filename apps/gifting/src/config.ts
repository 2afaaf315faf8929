import { z } from 'zod';
import { commonEnv, databaseEnv, port } from '#config';

export const giftingConfigSchema = z.object({
  ...commonEnv,
  ...databaseEnv,
  GIFTING_PORT: port(3012),
  /** Share of a gift's value credited to the host (floor); the platform revenue account gets the rest (PROTOCOL §4). */
  HOST_SHARE: z.coerce.number().min(0).max(1).default(0.5),
  /** Requests handled at once by one replica. */
  GIFTING_CONCURRENCY: z.coerce.number().int().min(1).max(4096).default(64),
  /** PostgreSQL connections of one replica (the relay's LISTEN connection is extra). */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(200).default(20),
  /** Gifts written by one statement at most (GiftBatcher: gifts arriving together share a commit). */
  GIFT_BATCH_MAX: z.coerce.number().int().min(1).max(1000).default(100),
  /** gifting_send_gifts statements one replica runs at once; gifts arriving meanwhile form the next batch. */
  GIFT_BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How long the gift catalog is cached in memory. */
  GIFT_CATALOG_CACHE_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Run the outbox relay in this replica ('0' disables it, e.g. for a replica that only serves requests). */
  OUTBOX_RELAY: z.enum(['0', '1']).default('1'),
  /** Outbox rows taken per relay round. */
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(200),
  /** Fallback poll period of the relay (it is woken by LISTEN/NOTIFY sooner). */
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** Longest backoff between relay attempts while Redis or PostgreSQL fail. */
  OUTBOX_MAX_BACKOFF_MS: z.coerce.number().int().min(10).max(300_000).default(5000),
  /** How long the room log remembers a gift's txId (dedupe of announcements) and the leaderboard marker lives. */
  OUTBOX_DEDUPE_TTL_SEC: z.coerce.number().int().min(60).max(90 * 86_400).default(7 * 86_400),
});

export type GiftingConfig = z.infer<typeof giftingConfigSchema>;

export const GIFTING_CONFIG = Symbol('GIFTING_CONFIG');
