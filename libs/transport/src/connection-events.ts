import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { ConnectionRole, RedisStreamsEvents, RedisStreamsStatus } from './transport-options.js';

type Callback = (role: ConnectionRole, ...args: unknown[]) => void;

/**
 * The `on()` and status plumbing shared by the transport's server and client: listeners registered
 * before or after a connection exists get its events, tagged with the connection's role.
 */
export class ConnectionEvents {
  private readonly listeners: { event: keyof RedisStreamsEvents; callback: Callback }[] = [];
  private bound: { redis: Redis; role: ConnectionRole }[] = [];

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly setStatus: (status: RedisStreamsStatus) => void,
  ) {}

  add(event: keyof RedisStreamsEvents, callback: Callback): void {
    this.listeners.push({ event, callback });
    for (const { redis, role } of this.bound) redis.on(event, (...args: unknown[]) => callback(role, ...args));
  }

  bind(redis: Redis, role: ConnectionRole): void {
    redis.on('error', (error: Error) => this.logger.warn(`redis ${role} connection: ${error.message}`));
    redis.on('reconnecting', () => this.setStatus('reconnecting'));
    redis.on('ready', () => this.setStatus('connected'));
    for (const l of this.listeners) redis.on(l.event, (...args: unknown[]) => l.callback(role, ...args));
    this.bound.push({ redis, role });
  }

  unbindAll(): void {
    this.bound = [];
  }
}
