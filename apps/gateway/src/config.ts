import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { commonEnv, databaseEnv, DEV_JWT_SECRET, port, withJwtSecretRule } from '#config';

export const gatewayConfigSchema = withJwtSecretRule(
  z.object({
    ...commonEnv,
    ...databaseEnv,
    GATEWAY_PORT: port(3000),
    /**
     * Connections the kernel queues before the gateway accepts them (capped by net.core.somaxconn).
     * Node's default, 511, overflows when a failed node's clients all arrive at once: the dropped SYNs
     * are retried by the clients after 1, 3, 7 s, which made a failover take seconds.
     */
    GATEWAY_LISTEN_BACKLOG: z.coerce.number().int().min(1).max(65535).default(8192),
    JWT_SECRET: z.string().min(1).default(DEV_JWT_SECRET),
    /** Unique per process: keys this gateway's viewer counts in Redis. */
    GATEWAY_ID: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
      .default(`${hostname()}-${process.pid}`),
    /**
     * A room's frame interval: its events wait at most this long before they go out as one frame.
     * 50 keeps PROTOCOL §3 ("a frame is sent at most every 50 ms per room") under either reading (no
     * more often, no later); 40 takes ~10 ms off the send→receive p99 for ~25 % more frames per room.
     */
    FANOUT_TICK_MS: z.coerce.number().int().min(1).max(50).default(50),
    /** Bytes queued to one socket before it is disconnected as too slow (it resumes with sinceSeq). */
    SOCKET_MAX_BUFFERED_BYTES: z.coerce.number().int().min(16384).default(4 * 1024 * 1024),
    /** How long a request to a backend service may take before the client is told UNAVAILABLE. */
    SERVICE_TIMEOUT_MS: z.coerce.number().int().min(100).max(4500).default(4000),
    /** Likes counted per user per second (PROTOCOL §4: 20); the rest are dropped silently. */
    LIKES_PER_USER_PER_SEC: z.coerce.number().int().min(1).max(1000).default(20),
    /** On SIGTERM, connections are moved off over this long (spread, so other nodes are not stampeded). */
    GATEWAY_DRAIN_MS: z.coerce.number().int().min(0).max(600000).default(10000),
    /** Static files served under /demo/ (the demo pages). */
    GATEWAY_PUBLIC_DIR: z.string().min(1).default(fileURLToPath(new URL('../../../../apps/gateway/public', import.meta.url))),
    /** The demo room page's build (apps/web), served at /. */
    GATEWAY_WEB_DIR: z.string().min(1).default(fileURLToPath(new URL('../../../web', import.meta.url))),
    /** Interval of `room:stats` (PROTOCOL §3: at most once per second). */
    STATS_INTERVAL_MS: z.coerce.number().int().min(1000).max(60000).default(1000),
  }),
);

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
