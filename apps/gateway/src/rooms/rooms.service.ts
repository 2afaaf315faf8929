import { Injectable } from '@nestjs/common';
import { type CreatedRoom, LiveroomError, type RoomInfo } from '#contracts';
import { RoomLog } from '#room-log';
import { type Caller, isAdmin, requireUser } from '../auth/jwt-verifier.js';
import { RoomDirectory, type RoomMeta } from './room-directory.js';
import { RoomStatsService } from './room-stats.service.js';

export const ROOM_ROLES = ['host', 'admin', 'moderator', 'viewer', 'anonymous'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

@Injectable()
export class RoomsService {
  constructor(
    private readonly directory: RoomDirectory,
    private readonly roomLog: RoomLog,
    private readonly stats: RoomStatsService,
  ) {}

  async create(caller: Caller, title: string): Promise<CreatedRoom> {
    const host = requireUser(caller);
    const room = await this.directory.create(host.userId, title);
    return { id: room.id, title: room.title, hostId: room.hostId, createdAt: room.createdAt.toISOString() };
  }

  async info(roomId: string): Promise<RoomInfo> {
    const meta = await this.directory.require(roomId);
    const [seq, stats] = await Promise.all([this.roomLog.currentSeq(roomId), this.stats.roomStats(roomId)]);
    return toInfo(meta, seq, stats);
  }

  /**
   * The caller's standing in the room, so a client can show moderation controls to those who may use
   * them (the moderation service decides each request on its own; this only informs the UI).
   */
  async role(caller: Caller, roomId: string): Promise<{ roomId: string; role: RoomRole }> {
    const room = await this.directory.require(roomId);
    if (!caller) return { roomId, role: 'anonymous' };
    if (room.hostId === caller.userId) return { roomId, role: 'host' };
    if (isAdmin(caller)) return { roomId, role: 'admin' };
    return { roomId, role: (await this.directory.isModerator(roomId, caller.userId)) ? 'moderator' : 'viewer' };
  }

  async addModerator(caller: Caller, roomId: string, userId: string): Promise<void> {
    await this.requireHostOrAdmin(caller, roomId);
    await this.directory.addModerator(roomId, userId);
  }

  /** Ends the room: stored first, then the `room/ended` event (once) that makes every gateway kick. */
  async end(caller: Caller, roomId: string): Promise<void> {
    await this.requireHostOrAdmin(caller, roomId);
    await this.directory.markEnded(roomId);
    await this.roomLog.append(roomId, { type: 'room', action: 'ended' }, { dedupeKey: 'room-ended', dedupeTtlSec: 7 * 86400 });
  }

  private async requireHostOrAdmin(caller: Caller, roomId: string): Promise<RoomMeta> {
    const user = requireUser(caller);
    const room = await this.directory.require(roomId);
    if (room.hostId !== user.userId && !isAdmin(caller)) throw new LiveroomError('FORBIDDEN', 'only the host or an admin may do this');
    return room;
  }
}

export function toInfo(meta: RoomMeta, seq: number, stats: { viewers: number; likes: number }): RoomInfo {
  return {
    id: meta.id,
    title: meta.title,
    hostId: meta.hostId,
    live: meta.live,
    seq,
    viewers: stats.viewers,
    likes: stats.likes,
    slowModeSec: meta.slowModeSec,
    cohosts: meta.cohosts,
  };
}
