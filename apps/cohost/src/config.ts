import { z } from 'zod';
import { commonEnv, port } from '#config';
import { COHOST_DISCONNECT_GRACE_MS, COHOST_PENDING_TTL_MS } from '#contracts';

export const cohostConfigSchema = z.object({
  ...commonEnv,
  COHOST_PORT: port(3014),
  /** Active sessions per room (PROTOCOL §5: SEAT_LIMIT). */
  COHOST_MAX_SEATS: z.coerce.number().int().min(1).max(64).default(3),
  /** Requests handled at once by one replica. */
  COHOST_CONCURRENCY: z.coerce.number().int().min(1).max(4096).default(64),
  /** PROTOCOL: 30 s and 15 s; shorter values are for tests only. */
  COHOST_PENDING_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(COHOST_PENDING_TTL_MS),
  COHOST_DISCONNECT_GRACE_MS: z.coerce.number().int().min(100).max(3_600_000).default(COHOST_DISCONNECT_GRACE_MS),
  /** How often one replica checks open sessions against presence, bans and room state. */
  COHOST_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** How long an ended session can still be read (late acks, retries). */
  COHOST_ENDED_TTL_SEC: z.coerce.number().int().min(1).max(7 * 86400).default(3600),
});

export type CohostConfig = z.infer<typeof cohostConfigSchema>;

export const COHOST_CONFIG = Symbol('COHOST_CONFIG');
