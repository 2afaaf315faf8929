import { z } from 'zod';
import { commonEnv, port } from '#config';

export const barrageConfigSchema = z.object({
  ...commonEnv,
  BARRAGE_PORT: port(3011),
  /** Sustained barrage messages per user per room per second (PROTOCOL §4 default 5). */
  BARRAGE_RATE_PER_SEC: z.coerce.number().positive().max(1000).default(5),
  /** Burst a user may send at once (PROTOCOL §4 default 10). */
  BARRAGE_BURST: z.coerce.number().int().min(1).max(10000).default(10),
  /** All users of one room together, per second (spam waves), and the room's burst. */
  BARRAGE_ROOM_RATE_PER_SEC: z.coerce.number().positive().max(100000).default(500),
  BARRAGE_ROOM_BURST: z.coerce.number().int().min(1).max(1000000).default(1000),
  /**
   * The same (normalized) text from one user is refused for this long; 0: off. PROTOCOL §4 has no
   * repeat rule, so it is an opt-in (e.g. 30) against copy-paste floods.
   */
  BARRAGE_REPEAT_WINDOW_SEC: z.coerce.number().int().min(0).max(3600).default(0),
  /** How long a barrage replica waits for the moderation dictionary before a call counts as failed. */
  MODERATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(10000).default(2000),
  /** How often the dictionary version is checked (besides the announcement on Redis). */
  DICTIONARY_POLL_MS: z.coerce.number().int().min(100).max(60000).default(1000),
  /** How long a starting replica waits for its first dictionary before it consumes requests anyway. */
  DICTIONARY_FIRST_LOAD_MS: z.coerce.number().int().min(0).max(120000).default(15000),
  /** How long a clientMsgId is remembered (PROTOCOL §4: 5 minutes). */
  BARRAGE_DEDUPE_SEC: z.coerce.number().int().min(1).max(86400).default(300),
  /** Requests handled at once by one replica. */
  BARRAGE_CONCURRENCY: z.coerce.number().int().min(1).max(4096).default(256),
});

export type BarrageConfig = z.infer<typeof barrageConfigSchema>;

export const BARRAGE_CONFIG = Symbol('BARRAGE_CONFIG');
