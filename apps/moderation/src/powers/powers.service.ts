import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { type Actor, DEFAULT_MUTE_SECONDS, LiveroomError, type ModAction, RedisKeys, type RoomEventDraft } from '#contracts';
import { REDIS } from '#redis';
import { RoomLog } from '#room-log';
import { AuditService } from '../audit/audit.service.js';
import { inTransaction } from '#persistence';
import { type RoomFacts, RoomAuthority, type Standing } from './room-authority.js';

export interface ActResult {
  seq?: number;
}

type TargetAction = Extract<ModAction, { userId: string }>;

/** mod:mute / unmute / ban / unban / delete / slowmode (PROTOCOL §6). */
@Injectable()
export class PowersService {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly db: DataSource,
    private readonly roomLog: RoomLog,
    private readonly authority: RoomAuthority,
    private readonly audit: AuditService,
  ) {}

  async act(actor: Actor, act: ModAction): Promise<ActResult> {
    const room = await this.authority.room(act.roomId);
    const standing = await this.authority.standing(room, actor);
    if ('userId' in act) checkTarget(room, actor, act);
    const result = await this.apply(room, actor, act);
    await this.audit.record({
      roomId: room.id,
      actorId: actor.userId,
      action: act.action,
      targetUserId: 'userId' in act ? act.userId : undefined,
      targetSeq: act.action === 'delete' ? act.seq : undefined,
      seconds: secondsOf(act),
      details: auditDetails(actor, standing, result),
    });
    return result;
  }

  private async apply(room: RoomFacts, actor: Actor, act: ModAction): Promise<ActResult> {
    switch (act.action) {
      case 'mute':
        await this.redis.set(this.keys.roomMute(room.id, act.userId), actor.userId, 'PX', (act.seconds ?? DEFAULT_MUTE_SECONDS) * 1000);
        return {};
      case 'unmute':
        await this.redis.del(this.keys.roomMute(room.id, act.userId));
        return {};
      case 'ban':
        return this.ban(room, actor, act.userId);
      case 'unban':
        await this.redis.srem(this.keys.roomBanned(room.id), act.userId);
        await this.db.query(`DELETE FROM room_bans WHERE room_id = $1 AND user_id = $2`, [room.id, act.userId]);
        return {};
      case 'delete':
        return this.deleteMessage(room, act.seq);
      case 'slowmode':
        return this.slowMode(room, act.seconds);
    }
  }

  /**
   * The ban is recorded (PostgreSQL, then the Redis set the gateways check on join) before the room
   * event that makes the gateways kick the user's sockets, so a rejoin after the kick is refused.
   * In an ended room the ban is still recorded, without a room event (nobody is left to kick).
   */
  private async ban(room: RoomFacts, actor: Actor, userId: string): Promise<ActResult> {
    await inTransaction(this.db, (q) =>
      q.query(`INSERT INTO room_bans (room_id, user_id, banned_by) VALUES ($1, $2, $3) ON CONFLICT (room_id, user_id) DO NOTHING`, [
        room.id,
        userId,
        actor.userId,
      ]),
    );
    await this.redis.sadd(this.keys.roomBanned(room.id), userId);
    try {
      return await this.append(room.id, { type: 'moderation', action: 'ban', userId });
    } catch (error) {
      if (error instanceof LiveroomError && error.code === 'ROOM_ENDED') return {};
      throw error;
    }
  }

  private async deleteMessage(room: RoomFacts, targetSeq: number): Promise<ActResult> {
    const current = await this.roomLog.currentSeq(room.id);
    if (targetSeq > current) throw new LiveroomError('INVALID_ARGUMENT', `seq ${targetSeq} is ahead of the room (latest ${current})`);
    return this.append(room.id, { type: 'moderation', action: 'delete', targetSeq });
  }

  private async slowMode(room: RoomFacts, seconds: number): Promise<ActResult> {
    if (!room.live) throw new LiveroomError('ROOM_ENDED', `room ${room.id} has ended`);
    await this.redis.hset(this.keys.roomMeta(room.id), 'slowModeSec', String(seconds));
    return this.append(room.id, { type: 'moderation', action: 'slowmode', seconds });
  }

  /** Moderation events need a live room (ROOM_ENDED otherwise). */
  private async append(roomId: string, draft: RoomEventDraft): Promise<ActResult> {
    const { event } = await this.roomLog.append(roomId, draft, { requireLive: true });
    return { seq: event.seq };
  }
}

/** Nobody acts on the host (FORBIDDEN), nor on themselves (INVALID_ARGUMENT). */
function checkTarget(room: RoomFacts, actor: Actor, act: TargetAction): void {
  if (act.userId === room.hostId) throw new LiveroomError('FORBIDDEN', 'nobody can act on the host');
  if (act.userId === actor.userId) throw new LiveroomError('INVALID_ARGUMENT', 'you cannot act on yourself');
}

function secondsOf(act: ModAction): number | undefined {
  if (act.action === 'mute') return act.seconds ?? DEFAULT_MUTE_SECONDS;
  if (act.action === 'slowmode') return act.seconds;
  return undefined;
}

function auditDetails(actor: Actor, standing: Standing, result: ActResult): Record<string, unknown> {
  const details: Record<string, unknown> = { standing, actorName: actor.name };
  if (actor.roles.length > 0) details.actorRoles = actor.roles;
  if (result.seq !== undefined) details.eventSeq = result.seq;
  return details;
}
