import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { type Actor, LiveroomError, RedisKeys } from '#contracts';
import { REDIS } from '#redis';

export interface RoomFacts {
  id: string;
  hostId: string;
  live: boolean;
}

/** Why an actor may moderate a room. */
export type Standing = 'host' | 'moderator' | 'admin';

interface RoomRow {
  id: string;
  title: string;
  host_id: string;
  created_at: Date;
  ended_at: Date | null;
}

/**
 * Who runs a room. Redis (meta hash, moderators set) is the hot copy; PostgreSQL (the gateway's
 * `rooms` and `room_moderators`) is the source of truth, read when the hot copy is missing.
 */
@Injectable()
export class RoomAuthority {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly db: DataSource,
  ) {}

  /** The room's host and state; ROOM_NOT_FOUND when neither Redis nor PostgreSQL knows it. */
  async room(roomId: string): Promise<RoomFacts> {
    const [hostId, live] = await this.redis.hmget(this.keys.roomMeta(roomId), 'hostId', 'live');
    if (hostId) return { id: roomId, hostId, live: live === '1' };
    const [row] = (await this.db.query(`SELECT id, title, host_id, created_at, ended_at FROM rooms WHERE id = $1`, [roomId])) as RoomRow[];
    if (!row) throw new LiveroomError('ROOM_NOT_FOUND', `room ${roomId} does not exist`);
    await this.fillMeta(row);
    return { id: roomId, hostId: row.host_id, live: row.ended_at === null };
  }

  /** The actor's standing in the room, or FORBIDDEN. */
  async standing(room: RoomFacts, actor: Actor): Promise<Standing> {
    if (actor.userId === room.hostId) return 'host';
    if (actor.roles.includes('admin')) return 'admin';
    if (await this.isModerator(room.id, actor.userId)) return 'moderator';
    throw new LiveroomError('FORBIDDEN', 'only the host, the room moderators and admins may moderate this room');
  }

  /** Redis first; a miss is checked against PostgreSQL (the set may be missing or behind for an old room). */
  async isModerator(roomId: string, userId: string): Promise<boolean> {
    if ((await this.redis.sismember(this.keys.roomModerators(roomId), userId)) === 1) return true;
    const rows = (await this.db.query(`SELECT 1 FROM room_moderators WHERE room_id = $1 AND user_id = $2`, [roomId, userId])) as unknown[];
    if (rows.length === 0) return false;
    await this.redis.sadd(this.keys.roomModerators(roomId), userId);
    return true;
  }

  /** Same fields as the gateway's fill, with HSETNX: a fill racing with an end never revives a room. */
  private async fillMeta(row: RoomRow): Promise<void> {
    const key = this.keys.roomMeta(row.id);
    const fields: Record<string, string> = {
      title: row.title,
      hostId: row.host_id,
      live: row.ended_at ? '0' : '1',
      slowModeSec: '0',
      createdAt: new Date(row.created_at).toISOString(),
    };
    const fill = this.redis.multi();
    for (const [field, value] of Object.entries(fields)) fill.hsetnx(key, field, value);
    await fill.exec();
  }
}
