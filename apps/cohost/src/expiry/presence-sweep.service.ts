import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { GATEWAY_HEARTBEAT_TTL_MS, RedisKeys } from '#contracts';
import { REDIS } from '#redis';
import { COHOST_CONFIG, type CohostConfig } from '../config.js';
import type { SystemOp } from '../sessions/session-store.js';
import { sessionCreatedAt, SessionsService } from '../sessions/sessions.service.js';

/** A session id in the index with no session after this long was never created (a refused create). */
const ORPHAN_AFTER_MS = 60_000;
/** A timer this late is taken as lost and the sweep acts in its place. */
const LATE_TIMER_MS = 2_000;
const SCAN_BATCH = 500;

interface OpenSession {
  id: string;
  fields: Record<string, string>;
  /** Gateway instances holding a socket of the guest. */
  presence: string[];
  roomLive: string | null;
  guestBanned: boolean;
}

/**
 * Runs on one replica every COHOST_SWEEP_MS (a BullMQ job scheduler) and reconciles every open
 * session with the world: guests whose sockets are all gone (on live gateways) start the grace
 * period, guests who came back end it, banned guests are kicked, ended rooms end their sessions,
 * and a timer that was lost (crash between scheduling steps) is made up for.
 */
@Injectable()
export class PresenceSweepService {
  private readonly logger = new Logger('PresenceSweep');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly sessions: SessionsService,
    @Inject(COHOST_CONFIG) private readonly config: CohostConfig,
  ) {}

  async sweep(): Promise<void> {
    const now = Date.now();
    const liveGateways = new Set(await this.redis.zrangebyscore(this.keys.gateways(), now - GATEWAY_HEARTBEAT_TTL_MS, '+inf'));
    let cursor = '0';
    do {
      const [next, ids] = await this.redis.sscan(this.keys.cohostOpenSessions(), cursor, 'COUNT', SCAN_BATCH);
      cursor = next;
      if (ids.length > 0) await this.reconcile(ids, liveGateways, now);
    } while (cursor !== '0');
  }

  private async reconcile(ids: string[], liveGateways: Set<string>, now: number): Promise<void> {
    const open = await this.load(ids, now);
    for (const session of open) {
      const action = this.decide(session, liveGateways, now);
      if (!action) continue;
      try {
        await this.sessions.system(session.id, action.op, action.offlineSince);
      } catch (error) {
        this.logger.warn(`sweep ${action.op} of ${session.id} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private decide(s: OpenSession, liveGateways: Set<string>, now: number): { op: SystemOp; offlineSince?: number } | null {
    const f = s.fields;
    if (s.roomLive !== null && s.roomLive !== '1') return { op: 'room_ended' };
    if (s.guestBanned) return { op: 'kick' };
    if (f.state === 'pending') return now > Number(f.expiresAt) + LATE_TIMER_MS ? { op: 'timeout' } : null;
    const online = s.presence.some((instance) => liveGateways.has(instance));
    const offlineSince = f.offlineSince === undefined ? null : Number(f.offlineSince);
    if (online) return offlineSince === null ? null : { op: 'online' };
    if (offlineSince === null) return { op: 'offline', offlineSince: now };
    const due = offlineSince + this.config.COHOST_DISCONNECT_GRACE_MS + LATE_TIMER_MS;
    return now > due ? { op: 'disconnect', offlineSince } : null;
  }

  /** The open sessions among `ids` with what decide() needs; drops ended and orphaned ids from the index. */
  private async load(ids: string[], now: number): Promise<OpenSession[]> {
    const read = this.redis.pipeline();
    for (const id of ids) read.hgetall(this.keys.cohostSession(id.slice(0, id.lastIndexOf('~')), id));
    const sessions = ((await read.exec()) ?? []).map(([, v]) => v as Record<string, string>);
    const stale: string[] = [];
    const open: { id: string; fields: Record<string, string> }[] = [];
    ids.forEach((id, i) => {
      const fields = sessions[i] ?? {};
      if (fields.id === undefined) {
        if (now - sessionCreatedAt(id) > ORPHAN_AFTER_MS) stale.push(id);
      } else if (fields.state === 'ended') stale.push(id);
      else open.push({ id, fields });
    });
    if (stale.length > 0) await this.redis.srem(this.keys.cohostOpenSessions(), ...stale);
    if (open.length === 0) return [];
    const facts = this.redis.pipeline();
    for (const { fields } of open) {
      const roomId = fields.roomId ?? '';
      const guestId = fields.guestId ?? '';
      facts.hkeys(this.keys.userPresence(guestId)).hget(this.keys.roomMeta(roomId), 'live').sismember(this.keys.roomBanned(roomId), guestId);
    }
    const replies = ((await facts.exec()) ?? []).map(([error, v]) => {
      if (error) throw error;
      return v;
    });
    return open.map((s, i) => ({
      ...s,
      presence: replies[i * 3] as string[],
      roomLive: replies[i * 3 + 1] as string | null,
      guestBanned: replies[i * 3 + 2] === 1,
    }));
  }
}
