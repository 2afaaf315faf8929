import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  type Actor,
  COHOST_EVENTS,
  type CohostSession,
  type CohostSignalRelay,
  type CohostUpdate,
  LiveroomError,
  RedisKeys,
} from '#contracts';
import { REDIS, type UserNotifier } from '#redis';
import { COHOST_CONFIG, type CohostConfig } from '../config.js';
import { CohostTimers } from '../timers/cohost-timers.js';
import { type PartyOp, SessionStore, type SystemOp } from './session-store.js';

export const USER_NOTIFIER = Symbol('USER_NOTIFIER');

/** Ids embed the room (keys are found without a lookup) and the creation time (the sweep's age check). */
export function newSessionId(roomId: string, now = Date.now()): string {
  return `${roomId}~${now.toString(36).padStart(9, '0')}${randomBytes(9).toString('base64url')}`;
}

export function sessionCreatedAt(sessionId: string): number {
  return parseInt(sessionId.slice(sessionId.lastIndexOf('~') + 1, sessionId.lastIndexOf('~') + 10), 36);
}

/** Co-host sessions (PROTOCOL §5): who may do what is decided atomically by the store's scripts. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly store: SessionStore,
    private readonly timers: CohostTimers,
    @Inject(USER_NOTIFIER) private readonly notifier: UserNotifier,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    @Inject(COHOST_CONFIG) private readonly config: CohostConfig,
  ) {}

  request(actor: Actor, roomId: string): Promise<CohostSession> {
    return this.open(roomId, 'request', actor.userId, '');
  }

  invite(actor: Actor, roomId: string, guestId: string): Promise<CohostSession> {
    return this.open(roomId, 'invite', actor.userId, guestId);
  }

  async act(actor: Actor, sessionId: string, op: PartyOp): Promise<CohostSession> {
    const { session, changed } = await this.store.transition(sessionId, op, actor.userId);
    if (changed) await this.announce(session);
    return session;
  }

  /** Timers and the sweep; returns whether anything changed. */
  async system(sessionId: string, op: SystemOp, offlineSince = 0): Promise<boolean> {
    const { session, changed } = await this.store.transition(sessionId, op, '', offlineSince);
    if (!changed) return false;
    if (op === 'offline') await this.timers.disconnectGrace(sessionId, offlineSince, this.config.COHOST_DISCONNECT_GRACE_MS);
    await this.announce(session);
    return true;
  }

  async signal(actor: Actor, sessionId: string, data: unknown): Promise<void> {
    const session = await this.store.get(sessionId);
    if (!session) throw new LiveroomError('SESSION_NOT_FOUND', 'no such co-host session');
    const peer = actor.userId === session.hostId ? session.guestId : actor.userId === session.guestId ? session.hostId : null;
    if (peer === null) throw new LiveroomError('FORBIDDEN', 'not a party to this co-host session');
    if (session.state !== 'active') throw new LiveroomError('INVALID_STATE', `signaling needs an active session; this one is ${session.state}`);
    const relay: CohostSignalRelay = { sessionId, from: actor.userId, data };
    await this.notifier.toUsers([peer], COHOST_EVENTS.signal, relay);
  }

  private async open(roomId: string, kind: 'invite' | 'request', actorId: string, targetId: string): Promise<CohostSession> {
    const now = Date.now();
    const sessionId = newSessionId(roomId, now);
    // Timer and sweep index first: a crash right after the script must not leave a session that
    // never times out. Both are harmless for a session the script then refuses to create.
    await Promise.all([
      this.timers.pendingTimeout(sessionId, this.config.COHOST_PENDING_TTL_MS),
      this.redis.sadd(this.keys.cohostOpenSessions(), sessionId),
    ]);
    const session = await this.store.create(sessionId, roomId, kind, actorId, targetId, now);
    await this.announce(session);
    return session;
  }

  private async announce(session: CohostSession): Promise<void> {
    if (session.state === 'ended') await this.redis.srem(this.keys.cohostOpenSessions(), session.id);
    const update: CohostUpdate = { session };
    await this.notifier.toUsers([session.hostId, session.guestId], COHOST_EVENTS.update, update);
  }
}
