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
