import { Emitter } from '@socket.io/redis-emitter';
import type { Redis } from 'ioredis';

/** The Socket.IO room every authenticated socket of a user joins at connect (gateway). */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/**
 * Emits Socket.IO events to users, whichever gateway their sockets are on, from a process that is
 * not a Socket.IO server: it publishes on the channels the gateways' Redis adapter listens to.
 */
export class UserNotifier {
  private readonly emitter: Emitter;
  private lastPublish: Promise<unknown> = Promise.resolve();

  constructor(redis: Redis, socketIoPrefix: string) {
    // The emitter fires publish() and forgets it; this shim keeps the promise so callers can await
    // delivery to Redis (and a Redis error is reported, not an unhandled rejection).
    const client = {
      publish: (channel: string, message: Buffer) => {
        this.lastPublish = redis.publish(channel, message);
        return this.lastPublish;
      },
    };
    this.emitter = new Emitter(client, { key: socketIoPrefix });
  }

  async toUsers(userIds: string[], event: string, payload: object): Promise<void> {
    this.emitter.to(userIds.map(userRoom)).emit(event, payload);
    await this.lastPublish;
  }
}
