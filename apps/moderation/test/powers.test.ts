import { DEFAULT_MUTE_SECONDS, MODERATION_PATTERNS, type ModAction } from '#contracts';
import type { AuditRow } from '../src/audit/audit.service.js';
import { actor, codeOf, Moderation } from './harness.js';

const m = new Moderation();
const act = (who: ReturnType<typeof actor>, action: ModAction) => m.call<{ seq?: number }>(MODERATION_PATTERNS.act, { actor: who, act: action });

const host = actor('host');
const mod = actor('mod');
const admin = actor('root', ['admin']);
const stranger = actor('stranger');

beforeAll(async () => {
  await m.start();
});

afterAll(async () => {
  await m.stop();
});

async function audit(roomId: string): Promise<AuditRow[]> {
  return (await m.db.query(`SELECT * FROM moderation_audit WHERE room_id = $1 ORDER BY id`, [roomId])) as AuditRow[];
}

describe('permissions', () => {
  it.each([
    ['the host', host],
    ['a room moderator', mod],
    ['an admin', admin],
  ])('%s may mute', async (_, who) => {
    const roomId = await m.createRoom('host', { moderators: ['mod'] });
    await expect(act(who, { action: 'mute', roomId, userId: 'viewer', seconds: 30 })).resolves.toEqual({});
    expect(await m.redis.exists(m.keys.roomMute(roomId, 'viewer'))).toBe(1);
  });

  it('refuses strangers, anyone acting on the host, and self-targeting', async () => {
    const roomId = await m.createRoom('host', { moderators: ['mod'] });
    expect(await codeOf(act(stranger, { action: 'mute', roomId, userId: 'viewer' }))).toBe('FORBIDDEN');
    expect(await codeOf(act(stranger, { action: 'slowmode', roomId, seconds: 5 }))).toBe('FORBIDDEN');
    for (const who of [host, mod, admin]) {
      expect(await codeOf(act(who, { action: 'ban', roomId, userId: 'host' }))).toBe('FORBIDDEN');
      expect(await codeOf(act(who, { action: 'mute', roomId, userId: 'host' }))).toBe('FORBIDDEN');
    }
    expect(await codeOf(act(mod, { action: 'mute', roomId, userId: 'mod' }))).toBe('INVALID_ARGUMENT');
    expect(await m.redis.exists(m.keys.roomMute(roomId, 'viewer'), m.keys.roomMute(roomId, 'host'))).toBe(0);
    expect(await audit(roomId)).toEqual([]);
  });

  it('answers ROOM_NOT_FOUND for an unknown room and INVALID_ARGUMENT for bad payloads', async () => {
    expect(await codeOf(act(admin, { action: 'mute', roomId: 'nope', userId: 'viewer' }))).toBe('ROOM_NOT_FOUND');
    const roomId = await m.createRoom('host');
    expect(await codeOf(m.call(MODERATION_PATTERNS.act, { actor: host, act: { action: 'mute', roomId, userId: 'v', seconds: 0 } }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(m.call(MODERATION_PATTERNS.act, { actor: host, act: { action: 'explode', roomId } }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(m.call(MODERATION_PATTERNS.act, { act: { action: 'unmute', roomId, userId: 'v' } }))).toBe('INVALID_ARGUMENT');
  });

  it('reads host and moderators from PostgreSQL when Redis has no copy, and refills the meta', async () => {
    const roomId = await m.createRoom('host', { moderators: ['mod'], redis: false });
    await expect(act(mod, { action: 'slowmode', roomId, seconds: 7 })).resolves.toEqual({ seq: 1 });
    expect(await m.redis.hgetall(m.keys.roomMeta(roomId))).toMatchObject({ hostId: 'host', live: '1', slowModeSec: '7' });
    expect(await m.redis.sismember(m.keys.roomModerators(roomId), 'mod')).toBe(1);
    expect(await codeOf(act(stranger, { action: 'unmute', roomId, userId: 'viewer' }))).toBe('FORBIDDEN');
    expect(await codeOf(act(mod, { action: 'mute', roomId, userId: 'host' }))).toBe('FORBIDDEN');
  });
});

describe('actions', () => {
  it('mutes with the given TTL or the default, and unmutes', async () => {
    const roomId = await m.createRoom('host');
    await act(host, { action: 'mute', roomId, userId: 'a', seconds: 60 });
    await act(host, { action: 'mute', roomId, userId: 'b' });
    const ttlA = await m.redis.pttl(m.keys.roomMute(roomId, 'a'));
    const ttlB = await m.redis.pttl(m.keys.roomMute(roomId, 'b'));
    expect(ttlA).toBeGreaterThan(55_000);
    expect(ttlA).toBeLessThanOrEqual(60_000);
    expect(ttlB).toBeGreaterThan((DEFAULT_MUTE_SECONDS - 5) * 1000);
    await expect(act(host, { action: 'unmute', roomId, userId: 'a' })).resolves.toEqual({});
    expect(await m.redis.exists(m.keys.roomMute(roomId, 'a'))).toBe(0);
    const rows = await audit(roomId);
    expect(rows.map((r) => [r.action, r.actor_id, r.target_user_id, r.seconds])).toEqual([
      ['mute', 'host', 'a', 60],
      ['mute', 'host', 'b', DEFAULT_MUTE_SECONDS],
      ['unmute', 'host', 'a', null],
    ]);
    expect(rows[0]!.details).toMatchObject({ standing: 'host' });
    expect(rows[0]!.created_at).toBeInstanceOf(Date);
    expect((await m.roomLog().history(roomId, 0)).events).toEqual([]);
  });

  it('bans: Redis set, PostgreSQL record, room event; unban removes both', async () => {
    const roomId = await m.createRoom('host', { moderators: ['mod'] });
    const { seq } = await act(mod, { action: 'ban', roomId, userId: 'troll' });
    expect(seq).toBe(1);
    expect(await m.redis.sismember(m.keys.roomBanned(roomId), 'troll')).toBe(1);
    expect(await m.db.query(`SELECT user_id, banned_by FROM room_bans WHERE room_id = $1`, [roomId])).toEqual([{ user_id: 'troll', banned_by: 'mod' }]);
    const history = await m.roomLog().history(roomId, 0);
    expect(history.events.map((e) => e.event)).toEqual([expect.objectContaining({ seq: 1, type: 'moderation', action: 'ban', userId: 'troll' })]);

    await expect(act(admin, { action: 'unban', roomId, userId: 'troll' })).resolves.toEqual({});
    expect(await m.redis.sismember(m.keys.roomBanned(roomId), 'troll')).toBe(0);
    expect(await m.db.query(`SELECT * FROM room_bans WHERE room_id = $1`, [roomId])).toEqual([]);
    const rows = await audit(roomId);
    expect(rows.map((r) => [r.action, r.actor_id, r.target_user_id])).toEqual([
      ['ban', 'mod', 'troll'],
      ['unban', 'root', 'troll'],
    ]);
    expect(rows[0]!.details).toMatchObject({ standing: 'moderator', eventSeq: 1 });
    expect(rows[1]!.details).toMatchObject({ standing: 'admin', actorRoles: ['admin'] });
  });

  it('bans in an ended room without a room event', async () => {
    const roomId = await m.createRoom('host');
    await m.redis.hset(m.keys.roomMeta(roomId), 'live', '0');
    await expect(act(host, { action: 'ban', roomId, userId: 'troll' })).resolves.toEqual({});
    expect(await m.redis.sismember(m.keys.roomBanned(roomId), 'troll')).toBe(1);
    expect(await m.roomLog().currentSeq(roomId)).toBe(0);
  });

  it('restores bans of open rooms into Redis from PostgreSQL', async () => {
    const { BanSync } = await import('../src/powers/ban-sync.service.js');
    const roomId = await m.createRoom('host');
    await act(host, { action: 'ban', roomId, userId: 'troll' });
    await m.redis.del(m.keys.roomBanned(roomId));
    expect(await m.app.get(BanSync).restore()).toBeGreaterThanOrEqual(1);
    expect(await m.redis.sismember(m.keys.roomBanned(roomId), 'troll')).toBe(1);
  });

  it('deletes a past message; a seq ahead of the room is INVALID_ARGUMENT', async () => {
    const roomId = await m.createRoom('host');
    await m.roomLog().append(roomId, { type: 'barrage', id: 'b1', userId: 'u', name: 'u', text: 'spam' });
    expect(await codeOf(act(host, { action: 'delete', roomId, seq: 2 }))).toBe('INVALID_ARGUMENT');
    await expect(act(host, { action: 'delete', roomId, seq: 1 })).resolves.toEqual({ seq: 2 });
    const events = (await m.roomLog().history(roomId, 0)).events.map((e) => e.event);
    expect(events[1]).toMatchObject({ seq: 2, type: 'moderation', action: 'delete', targetSeq: 1 });
    const rows = await audit(roomId);
    expect(rows.map((r) => [r.action, r.target_seq, r.target_user_id])).toEqual([['delete', '1', null]]);
  });

  it('sets slow mode in the meta and announces it; an ended room answers ROOM_ENDED', async () => {
    const roomId = await m.createRoom('host');
    await expect(act(host, { action: 'slowmode', roomId, seconds: 30 })).resolves.toEqual({ seq: 1 });
    expect(await m.redis.hget(m.keys.roomMeta(roomId), 'slowModeSec')).toBe('30');
    await expect(act(host, { action: 'slowmode', roomId, seconds: 0 })).resolves.toEqual({ seq: 2 });
    expect(await m.redis.hget(m.keys.roomMeta(roomId), 'slowModeSec')).toBe('0');
    const events = (await m.roomLog().history(roomId, 0)).events.map((e) => e.event);
    expect(events).toEqual([
      expect.objectContaining({ seq: 1, type: 'moderation', action: 'slowmode', seconds: 30 }),
      expect.objectContaining({ seq: 2, type: 'moderation', action: 'slowmode', seconds: 0 }),
    ]);
    expect((await audit(roomId)).map((r) => [r.action, r.seconds])).toEqual([
      ['slowmode', 30],
      ['slowmode', 0],
    ]);
    await m.redis.hset(m.keys.roomMeta(roomId), 'live', '0');
    expect(await codeOf(act(host, { action: 'slowmode', roomId, seconds: 10 }))).toBe('ROOM_ENDED');
    expect(await codeOf(act(host, { action: 'delete', roomId, seq: 1 }))).toBe('ROOM_ENDED');
    expect(await m.redis.hget(m.keys.roomMeta(roomId), 'slowModeSec')).toBe('0');
  });
});
