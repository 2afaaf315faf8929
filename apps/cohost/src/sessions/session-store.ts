import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { type CohostSession, cohostSessionSchema, type ErrorCode, isErrorCode, LiveroomError, RedisKeys, roomOfSession } from '#contracts';
import { defineScript, REDIS, type ScriptArg } from '#redis';
import { DEFAULT_ROOM_LOG_OPTIONS } from '#room-log';
import { COHOST_CONFIG, type CohostConfig } from '../config.js';
import { CREATE_SCRIPT, TRANSITION_SCRIPT } from './session-scripts.lua.js';

export type PartyOp = 'accept' | 'reject' | 'cancel' | 'end';
export type SystemOp = 'timeout' | 'disconnect' | 'kick' | 'room_ended' | 'offline' | 'online';

export interface Transition {
  session: CohostSession;
  /** False when the operation had nothing to do (a timer that fired after the fact). */
  changed: boolean;
}

/** The room log's history length, as the room-log library keeps it (the script appends `cohost` events). */
const HISTORY_MAXLEN = DEFAULT_ROOM_LOG_OPTIONS.historySize;

/** Co-host sessions in Redis: every change is one atomic script (see session-scripts.lua.ts). */
@Injectable()
export class SessionStore {
  private readonly createScript: (...keysThenArgs: ScriptArg[]) => Promise<string[]>;
  private readonly transitionScript: (...keysThenArgs: ScriptArg[]) => Promise<string[]>;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(COHOST_CONFIG) private readonly config: CohostConfig,
  ) {
    this.createScript = defineScript(redis, 'cohostCreate', { numberOfKeys: 4, lua: CREATE_SCRIPT });
    this.transitionScript = defineScript(redis, 'cohostTransition', { numberOfKeys: 8, lua: TRANSITION_SCRIPT });
  }

  async create(sessionId: string, roomId: string, kind: 'invite' | 'request', actorId: string, targetId: string, now: number): Promise<CohostSession> {
    const k = this.keys;
    const reply = await this.createScript(
      k.roomMeta(roomId),
      k.cohostOpen(roomId),
      k.cohostSession(roomId, sessionId),
      k.roomBanned(roomId),
      sessionId,
      roomId,
      kind,
      actorId,
      targetId,
      now,
      this.config.COHOST_PENDING_TTL_MS,
    );
    return parseReply(reply).session;
  }

  async transition(sessionId: string, op: PartyOp | SystemOp, actorId = '', offlineSince = 0): Promise<Transition> {
    const k = this.keys;
    const roomId = roomOfSession(sessionId);
    const reply = await this.transitionScript(
      k.cohostSession(roomId, sessionId),
      k.cohostOpen(roomId),
      k.cohostSeats(roomId),
      k.roomMeta(roomId),
      k.roomBanned(roomId),
      k.roomSeq(roomId),
      k.roomLog(roomId),
      k.roomRecentBarrage(roomId),
      op,
      actorId,
      Date.now(),
      this.config.COHOST_MAX_SEATS,
      k.roomChannel(roomId),
      HISTORY_MAXLEN,
      this.config.COHOST_ENDED_TTL_SEC,
      offlineSince,
      this.config.COHOST_DISCONNECT_GRACE_MS,
      this.config.COHOST_PENDING_TTL_MS,
    );
    return parseReply(reply);
  }

  async get(sessionId: string): Promise<CohostSession | null> {
    const fields = await this.redis.hgetall(this.keys.cohostSession(roomOfSession(sessionId), sessionId));
    return fields.id === undefined ? null : toSession(fields);
  }

  seats(roomId: string): Promise<string[]> {
    return this.redis.zrange(this.keys.cohostSeats(roomId), 0, -1);
  }
}

function parseReply(reply: string[]): Transition {
  const [status, ...rest] = reply;
  if (status === 'ERR') {
    const code: ErrorCode = isErrorCode(rest[0]) ? rest[0] : 'INTERNAL';
    throw new LiveroomError(code, rest[1] ?? 'co-host operation refused');
  }
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < rest.length; i += 2) fields[rest[i] as string] = rest[i + 1] as string;
  return { session: toSession(fields), changed: status === 'OK' };
}

/** The session as PROTOCOL §5 shows it (internal fields such as offlineSince stay inside). */
export function toSession(f: Record<string, string>): CohostSession {
  return cohostSessionSchema.parse({
    id: f.id,
    roomId: f.roomId,
    hostId: f.hostId,
    guestId: f.guestId,
    initiator: f.initiator,
    state: f.state,
    ...(f.endReason ? { endReason: f.endReason } : {}),
    createdAt: Number(f.createdAt),
    ...(f.expiresAt ? { expiresAt: Number(f.expiresAt) } : {}),
  });
}
