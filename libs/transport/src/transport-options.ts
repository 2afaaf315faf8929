/** Identifies this transport to Nest (`@MessagePattern(pattern, REDIS_STREAMS_TRANSPORT)` if ever needed). */
export const REDIS_STREAMS_TRANSPORT = Symbol.for('liveroom.redis-streams');

/** Which ioredis connection an event came from. */
export type ConnectionRole = 'cmd' | 'reader' | 'sub';

export type RedisStreamsStatus = 'connected' | 'disconnected' | 'reconnecting';

/** ioredis connection events, forwarded by `on()` with the connection's role first. */
export type RedisStreamsEvents = {
  error: (role: ConnectionRole, error: Error) => void;
  ready: (role: ConnectionRole) => void;
  reconnecting: (role: ConnectionRole, delayMs: number) => void;
  end: (role: ConnectionRole) => void;
};

export function validateOptions(values: Record<string, number>): void {
  for (const [name, value] of Object.entries(values)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
  }
}

export interface RedisStreamsServerOptions {
  redisUrl: string;
  /** Key prefix shared by clients and servers: the apps use `RedisKeys.transportPrefix()`, e.g. `lr:rpc:`. */
  prefix: string;
  /** This app's service name: it reads stream `${prefix}${service}` as consumer group `service`. */
  service: string;
  /** Unique per replica; defaults to `${hostname}-${pid}-${random}`. */
  consumerName?: string;
  /** Max entries handled at once (default 64). */
  concurrency?: number;
  /** XREADGROUP BLOCK timeout (default 2000 ms). */
  blockMs?: number;
  /** Liveness refresh and dead-consumer scan period (default 500 ms). */
  heartbeatMs?: number;
  /** A consumer whose liveness key is older than this is dead (default 2000 ms). */
  deadAfterMs?: number;
  /** An entry pending under this very consumer, not being handled, is taken back after this (default 30000 ms). */
  orphanIdleMs?: number;
  /** close() waits this long for in-flight handlers (default 5000 ms). */
  shutdownTimeoutMs?: number;
}
