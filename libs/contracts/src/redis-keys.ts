/**
 * Redis key names shared by the apps. Every key of a room carries the room id as a hash tag
 * (`{roomId}`) so that one room's keys live in one Redis Cluster slot and a Lua script may touch them
 * together. The prefix isolates deployments and test runs.
 */
/** A gateway whose heartbeat is older than this is gone (its counts and presence no longer count). */
export const GATEWAY_HEARTBEAT_TTL_MS = 5000;

export class RedisKeys {
  constructor(readonly prefix: string) {}

  private room(roomId: string, part: string): string {
    return `${this.prefix}room:{${roomId}}:${part}`;
  }

  roomMeta(roomId: string): string {
    return this.room(roomId, 'meta');
  }
  roomSeq(roomId: string): string {
    return this.room(roomId, 'seq');
  }
  roomLog(roomId: string): string {
    return this.room(roomId, 'log');
  }
  roomRecentBarrage(roomId: string): string {
    return this.room(roomId, 'recent');
  }
  roomLikes(roomId: string): string {
    return this.room(roomId, 'likes');
  }
  roomModerators(roomId: string): string {
    return this.room(roomId, 'mods');
  }
  roomDedupe(roomId: string, dedupeKey: string): string {
    return this.room(roomId, `dedupe:${dedupeKey}`);
  }
  /** Sorted set userId -> coins given in the room (gift leaderboard). */
  roomLeaderboard(roomId: string): string {
    return this.room(roomId, 'leaderboard');
  }
  /** Hash userId -> display name for the leaderboard. */
  roomLeaderboardNames(roomId: string): string {
    return this.room(roomId, 'leaderboard:names');
  }
  /** Marker that a gift's txId was counted into the leaderboard (makes the update idempotent). */
  leaderboardApplied(roomId: string, txId: string): string {
    return this.room(roomId, `leaderboard:tx:${txId}`);
  }
  /** Per-user, per-second like counter (cap shared by every gateway). */
  likeWindow(roomId: string, userId: string, second: number): string {
    return this.room(roomId, `likes:${userId}:${second}`);
  }
  /** Present (with a TTL) while a user is muted in a room. */
  roomMute(roomId: string, userId: string): string {
    return this.room(roomId, `mute:${userId}`);
  }
  /** Set of users banned from a room. */
  roomBanned(roomId: string): string {
    return this.room(roomId, 'banned');
  }
  /** Present while a user must wait out the room's slow mode. */
  roomSlowMode(roomId: string, userId: string): string {
    return this.room(roomId, `slow:${userId}`);
  }
  /** A user's recent normalized texts in a room (repeat detection, 30 s). */
  roomRecentTexts(roomId: string, userId: string): string {
    return this.room(roomId, `texts:${userId}`);
  }
  /** Token bucket of a whole room (per-room barrage rate limit). */
  roomRate(roomId: string): string {
    return this.room(roomId, 'rate');
  }
  /** Version of the moderation dictionary in force; announced on moderationChanged(). */
  moderationVersion(): string {
    return `${this.prefix}moderation:terms:version`;
  }
  /** Pub/sub channel on which a new dictionary version is announced. */
  moderationChanged(): string {
    return `${this.prefix}moderation:terms:changed`;
  }
  /** Token bucket of one user in one room (barrage rate limit). */
  barrageRate(roomId: string, userId: string): string {
    return this.room(roomId, `rate:${userId}`);
  }
  /** Pub/sub channel on which the room log announces each appended event. */
  roomChannel(roomId: string): string {
    return this.room(roomId, 'events');
  }
  /** Per-gateway hash roomId -> local viewer count, with a TTL renewed by the gateway's heartbeat. */
  gatewayViewers(gatewayId: string): string {
    return `${this.prefix}gw:${gatewayId}:viewers`;
  }
  /** Sorted set of live gateways, scored by their last heartbeat (epoch ms). */
  gateways(): string {
    return `${this.prefix}gateways`;
  }
  /** Hash of one co-host session (PROTOCOL §5). */
  cohostSession(roomId: string, sessionId: string): string {
    return this.room(roomId, `cohost:session:${sessionId}`);
  }
  /** Hash guestId -> sessionId of the room's open (pending or active) sessions: one per guest. */
  cohostOpen(roomId: string): string {
    return this.room(roomId, 'cohost:open');
  }
  /** Sorted set of the guests on a seat, scored by when they took it. */
  cohostSeats(roomId: string): string {
    return this.room(roomId, 'cohost:seats');
  }
  /** Set of every open session id (the presence sweep walks it). */
  cohostOpenSessions(): string {
    return `${this.prefix}cohost:open`;
  }
  /** Hash gatewayId -> open sockets of one user on that gateway. */
  userPresence(userId: string): string {
    return `${this.prefix}user:{${userId}}:presence`;
  }
  /** Prefix of BullMQ's keys. */
  queuePrefix(): string {
    return `${this.prefix}bull`;
  }
  /** Key prefix of the Redis Streams transport (request streams, consumer liveness, reply channels). */
  transportPrefix(): string {
    return `${this.prefix}rpc:`;
  }
  /** Prefix the Socket.IO Redis adapter uses for its channels. */
  socketIoPrefix(): string {
    return `${this.prefix}socket.io`;
  }
}
