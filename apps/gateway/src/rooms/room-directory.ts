import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource, IsNull } from 'typeorm';
import { LiveroomError, RedisKeys } from '#contracts';
import { RoomEntity, RoomModeratorEntity } from '#persistence';
import { REDIS } from '#redis';

export interface RoomMeta {
  id: string;
  title: string;
  hostId: string;
  live: boolean;
  slowModeSec: number;
  createdAt: string;
  /** Guests on a co-host seat, in the order they took it. */
  cohosts: string[];
}

/**
 * Rooms: PostgreSQL is the source of truth, Redis holds the hot copy every app reads (the room
 * log checks `live` there when it sequences an event). Cache fills use HSETNX so that a fill racing
 * with an end can never bring a room back to life.
 */
@Injectable()
export class RoomDirectory {
  constructor(
    private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async create(hostId: string, title: string): Promise<RoomEntity> {
    const room = await this.db.getRepository(RoomEntity).save({ id: `r_${randomBytes(9).toString('base64url')}`, title, hostId, endedAt: null });
    await this.redis.hset(this.keys.roomMeta(room.id), this.metaFields(room));
    return room;
  }

  async find(roomId: string): Promise<RoomMeta | null> {
    const [cached, cohosts] = await this.readMeta(roomId);
    if (cached.hostId !== undefined) return parseMeta(roomId, cached, cohosts);
    const room = await this.db.getRepository(RoomEntity).findOneBy({ id: roomId });
    if (!room) return null;
    const mods = await this.db.getRepository(RoomModeratorEntity).findBy({ roomId });
    const fill = this.redis.multi();
    for (const [field, value] of Object.entries(this.metaFields(room))) fill.hsetnx(this.keys.roomMeta(roomId), field, value);
    if (mods.length > 0) fill.sadd(this.keys.roomModerators(roomId), ...mods.map((m) => m.userId));
    await fill.exec();
    const [filled, seats] = await this.readMeta(roomId);
    return parseMeta(roomId, filled, seats);
  }

  /**
   * Two plain commands, not a MULTI: auto-pipelining writes them together with the other requests'
   * (a MULTI is a write of its own), and a snapshot of meta and seats need not be atomic.
   */
  private readMeta(roomId: string): Promise<[Record<string, string>, string[]]> {
    return Promise.all([this.redis.hgetall(this.keys.roomMeta(roomId)), this.redis.zrange(this.keys.cohostSeats(roomId), 0, -1)]);
  }

  async require(roomId: string): Promise<RoomMeta> {
    const room = await this.find(roomId);
    if (!room) throw new LiveroomError('ROOM_NOT_FOUND', `room ${roomId} does not exist`);
    return room;
  }

  async addModerator(roomId: string, userId: string): Promise<void> {
    await this.db.getRepository(RoomModeratorEntity).upsert({ roomId, userId }, ['roomId', 'userId']);
    await this.redis.sadd(this.keys.roomModerators(roomId), userId);
  }

  async isModerator(roomId: string, userId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.roomModerators(roomId), userId)) === 1;
  }

  async isBanned(roomId: string, userId: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.roomBanned(roomId), userId)) === 1;
  }

  /** Marks the room ended in PostgreSQL and Redis. Idempotent. */
  async markEnded(roomId: string): Promise<void> {
    await this.db.getRepository(RoomEntity).update({ id: roomId, endedAt: IsNull() }, { endedAt: new Date() });
    await this.redis.hset(this.keys.roomMeta(roomId), 'live', '0');
  }

  private metaFields(room: RoomEntity): Record<string, string> {
    return {
      title: room.title,
      hostId: room.hostId,
      live: room.endedAt ? '0' : '1',
      slowModeSec: '0',
      createdAt: room.createdAt.toISOString(),
    };
  }
}

function parseMeta(id: string, f: Record<string, string>, cohosts: string[]): RoomMeta {
  return {
    id,
    title: f.title ?? '',
    hostId: f.hostId ?? '',
    live: f.live === '1',
    slowModeSec: Number(f.slowModeSec ?? 0),
    createdAt: f.createdAt ?? '',
    cohosts,
  };
}
