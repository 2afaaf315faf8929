import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { LiveroomError, RedisKeys, roomOfSession } from '#contracts';
import { RoomLog } from '#room-log';
import { cohostConfigSchema } from '../config.js';
import { SessionStore } from './session-store.js';
import { newSessionId, sessionCreatedAt } from './sessions.service.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keys = new RedisKeys(`lrtest:${randomUUID()}:`);
const redis = new Redis(REDIS_URL);
const config = cohostConfigSchema.parse({ COHOST_MAX_SEATS: '2', COHOST_PENDING_TTL_MS: '1000', COHOST_DISCONNECT_GRACE_MS: '1000' });
const store = new SessionStore(redis, keys, config);
const log = new RoomLog(redis, keys);

async function liveRoom(roomId: string, hostId = 'host'): Promise<void> {
  await redis.hset(keys.roomMeta(roomId), { hostId, live: '1' });
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'ok';
  } catch (error) {
    return error instanceof LiveroomError ? error.code : String(error);
  }
}

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}*`);
  if (found.length > 0) await redis.del(...found);
  redis.disconnect();
});

describe('session ids', () => {
  it('carry the room and the creation time', () => {
    const id = newSessionId('room:a.b-1', 1_700_000_000_123);
    expect(roomOfSession(id)).toBe('room:a.b-1');
    expect(sessionCreatedAt(id)).toBe(1_700_000_000_123);
  });
});

describe('SessionStore (real Redis)', () => {
  it('gives at most COHOST_MAX_SEATS seats however many accepts race, and sequences one event per seat', async () => {
    await liveRoom('seats');
    const ids = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const id = newSessionId('seats');
        await store.create(id, 'seats', 'request', `g${i}`, '', Date.now());
        return id;
      }),
    );
    const outcomes = await Promise.all(ids.map((id) => codeOf(store.transition(id, 'accept', 'host'))));
    expect(outcomes.filter((c) => c === 'ok')).toHaveLength(2);
    expect(outcomes.filter((c) => c === 'SEAT_LIMIT')).toHaveLength(6);
    expect(await store.seats('seats')).toHaveLength(2);
    const history = await log.history('seats', 0);
    expect(history.events.map((e) => e.event)).toEqual([
      expect.objectContaining({ seq: 1, type: 'cohost', action: 'joined', seats: [expect.any(String)] }),
      expect.objectContaining({ seq: 2, type: 'cohost', action: 'joined', seats: expect.arrayContaining([expect.any(String), expect.any(String)]) }),
    ]);
  });

  it('a timer that fires early or for another absence changes nothing', async () => {
    await liveRoom('timers');
    const id = newSessionId('timers');
    const created = await store.create(id, 'timers', 'invite', 'host', 'g1', Date.now());
    // The pending timeout only applies once expiresAt has passed.
    expect((await store.transition(id, 'timeout')).changed).toBe(Date.now() >= created.expiresAt!);
    await store.transition(id, 'accept', 'g1');
    const offline = await store.transition(id, 'offline', '', 1000);
    expect(offline.changed).toBe(true);
    expect(offline.session.expiresAt).toBe(1000 + config.COHOST_DISCONNECT_GRACE_MS);
    // A second offline keeps the first absence; a grace timer of another absence is stale.
    expect((await store.transition(id, 'offline', '', 2000)).changed).toBe(false);
    expect((await store.transition(id, 'disconnect', '', 2000)).changed).toBe(false);
    expect((await store.transition(id, 'online')).session.expiresAt).toBeUndefined();
    expect((await store.transition(id, 'disconnect', '', 1000)).changed).toBe(false);
    expect((await store.transition(id, 'timeout')).changed).toBe(false);
    const ended = await store.transition(id, 'kick');
    expect(ended.session).toMatchObject({ state: 'ended', endReason: 'kicked' });
    expect((await store.transition(id, 'room_ended')).changed).toBe(false);
    expect(await redis.ttl(keys.cohostSession('timers', id))).toBeGreaterThan(0);
  });

  it('frees the guest for a new session once the old one ends', async () => {
    await liveRoom('again');
    const first = newSessionId('again');
    await store.create(first, 'again', 'invite', 'host', 'g1', Date.now());
    expect(await codeOf(store.create(newSessionId('again'), 'again', 'request', 'g1', '', Date.now()))).toBe('INVALID_STATE');
    await store.transition(first, 'reject', 'g1');
    expect(await codeOf(store.create(newSessionId('again'), 'again', 'request', 'g1', '', Date.now()))).toBe('ok');
  });
});
