import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { type Actor, RedisKeys } from '#contracts';
import { cleanRedis } from '#testing';
import type { BarrageConfig } from '../config.js';
import { AdmissionService, type BarrageDraft } from './admission.service.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keys = new RedisKeys(`lrtest:${randomUUID()}:`);
const redis = new Redis(REDIS_URL);
const config = {
  BARRAGE_RATE_PER_SEC: 1,
  BARRAGE_BURST: 3,
  BARRAGE_ROOM_RATE_PER_SEC: 1,
  BARRAGE_ROOM_BURST: 5,
  BARRAGE_REPEAT_WINDOW_SEC: 30,
  BARRAGE_DEDUPE_SEC: 300,
} as BarrageConfig;
const admission = new AdmissionService(redis, keys, config);
const actor = (userId: string, roles: string[] = []): Actor => ({ userId, name: userId, roles });
let n = 0;
const draftOf = (who: Actor, text: string): BarrageDraft => ({ type: 'barrage', id: randomUUID(), userId: who.userId, name: who.name, text });
/** Admits into a live room (made live here unless `live` is false). */
const admit = async (who: Actor, roomId: string, text = `text ${n++}`, live = true) => {
  if (live) await redis.hset(keys.roomMeta(roomId), 'live', '1');
  return admission.admitAndAppend(who, roomId, text, `k${n++}`, draftOf(who, text));
};
const passed = { duplicate: false };

afterAll(async () => {
  await cleanRedis(keys.prefix);
  redis.disconnect();
});

describe('AdmissionService (real Redis)', () => {
  it('applies the per-user bucket, then the per-room bucket across users', async () => {
    for (let i = 0; i < 3; i++) await expect(admit(actor('a'), 'r1')).resolves.toMatchObject(passed);
    await expect(admit(actor('a'), 'r1')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    await expect(admit(actor('b'), 'r1')).resolves.toMatchObject(passed);
    await expect(admit(actor('b'), 'r1')).resolves.toMatchObject(passed);
    // The room's burst of 5 is spent (3 + 2): a third user is refused too.
    await expect(admit(actor('c'), 'r1')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(admit(actor('c'), 'r2')).resolves.toMatchObject(passed);
  });

  it('refuses the same normalized text within the window, without spending a token', async () => {
    await expect(admit(actor('d'), 'r3', 'Buy NOW')).resolves.toMatchObject(passed);
    await expect(admit(actor('d'), 'r3', 'b u y   n o w !')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(admit(actor('e'), 'r3', 'buy now')).resolves.toMatchObject(passed);
    // d spent one token of three: two more distinct messages pass.
    await expect(admit(actor('d'), 'r3')).resolves.toMatchObject(passed);
    await expect(admit(actor('d'), 'r3')).resolves.toMatchObject(passed);
  });

  it('answers MUTED with the time left, and slow mode spares host, moderators and admins', async () => {
    await redis.set(keys.roomMute('r4', 'f'), '1', 'PX', 60_000);
    const muted = await admit(actor('f'), 'r4').catch((e: unknown) => e);
    expect(muted).toMatchObject({ code: 'MUTED' });
    expect((muted as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
    await redis.hset(keys.roomMeta('r5'), { hostId: 'host', slowModeSec: '20' });
    await redis.sadd(keys.roomModerators('r5'), 'mod');
    await expect(admit(actor('g'), 'r5')).resolves.toMatchObject(passed);
    const slow = await admit(actor('g'), 'r5').catch((e: unknown) => e);
    expect(slow).toMatchObject({ code: 'SLOW_MODE' });
    expect((slow as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(15_000);
    for (const [i, exempt] of [actor('host'), actor('mod'), actor('root', ['admin'])].entries()) {
      // A room each, so the room's own rate limit stays out of the way.
      const room = `r5-${i}`;
      await redis.hset(keys.roomMeta(room), { hostId: 'host', slowModeSec: '20' });
      await redis.sadd(keys.roomModerators(room), 'mod');
      await expect(admit(exempt, room)).resolves.toMatchObject(passed);
      await expect(admit(exempt, room)).resolves.toMatchObject(passed);
    }
  });

  it('answers a resent clientMsgId from dedupe before any other check', async () => {
    const event = { seq: 7, ts: 1, type: 'barrage', id: 'x', userId: 'h', name: 'h', text: 't' };
    await redis.set(keys.roomDedupe('r6', 'dup-key'), JSON.stringify(event));
    await redis.set(keys.roomMute('r6', 'h'), '1', 'PX', 60_000);
    await expect(admission.admitAndAppend(actor('h'), 'r6', 't', 'dup-key', draftOf(actor('h'), 't'))).resolves.toEqual({ event, duplicate: true });
  });

  it('sequences an admitted message into the room log, once per dedupe key', async () => {
    await redis.hset(keys.roomMeta('r7'), 'live', '1');
    const first = await admission.admitAndAppend(actor('i'), 'r7', 'hi', 'once', draftOf(actor('i'), 'hi'));
    expect(first).toMatchObject({ duplicate: false, event: { seq: 1, type: 'barrage', userId: 'i', text: 'hi', ts: expect.any(Number) } });
    const again = await admission.admitAndAppend(actor('i'), 'r7', 'hi', 'once', draftOf(actor('i'), 'hi'));
    expect(again).toEqual({ event: first.event, duplicate: true });
    const log = await redis.xrange(keys.roomLog('r7'), '-', '+');
    expect(log.map(([id]) => id)).toEqual(['1-0']);
    expect(await redis.lrange(keys.roomRecentBarrage('r7'), 0, -1)).toHaveLength(1);
  });

  it('refuses a room that is not live before spending anything', async () => {
    await expect(admit(actor('j'), 'r8', 'a', false)).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    await redis.hset(keys.roomMeta('r8'), 'live', '0');
    await expect(admit(actor('j'), 'r8', 'a', false)).rejects.toMatchObject({ code: 'ROOM_ENDED' });
    expect(await redis.exists(keys.barrageRate('r8', 'j'), keys.roomSeq('r8'))).toBe(0);
    // The whole burst of 3 is still there once the room is live, the same text included.
    for (const text of ['a', 'b', 'c']) await expect(admit(actor('j'), 'r8', text)).resolves.toMatchObject(passed);
  });

  it('refuses a blocked message with BLOCKED however often it comes, spends nothing and appends nothing', async () => {
    await redis.hset(keys.roomMeta('r9'), 'live', '1');
    for (let i = 0; i < 6; i++) {
      await expect(admission.admitAndAppend(actor('l'), 'r9', `bad ${i}`, `b${i}`, null)).rejects.toMatchObject({ code: 'BLOCKED' });
    }
    expect(await redis.exists(keys.roomSeq('r9'), keys.roomLog('r9'), keys.barrageRate('r9', 'l'))).toBe(0);
    // The whole burst of 3 is still there.
    for (let i = 0; i < 3; i++) await expect(admit(actor('l'), 'r9')).resolves.toMatchObject(passed);
  });

  it('does not confuse texts that normalize to nothing (emoji, punctuation) with each other', async () => {
    await expect(admit(actor('m'), 'r10', '👍')).resolves.toMatchObject(passed);
    await expect(admit(actor('m'), 'r10', '🎉')).resolves.toMatchObject(passed);
    await expect(admit(actor('m'), 'r10', '👍')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('judges no repeats when the window is 0 (the default)', async () => {
    const noRepeats = new AdmissionService(redis, keys, { ...config, BARRAGE_REPEAT_WINDOW_SEC: 0 });
    await redis.hset(keys.roomMeta('r11'), 'live', '1');
    for (let i = 0; i < 3; i++) {
      await expect(noRepeats.admitAndAppend(actor('o'), 'r11', '666', `six${i}`, draftOf(actor('o'), '666'))).resolves.toMatchObject(passed);
    }
    expect((await redis.keys(`${keys.roomRecentTexts('r11', 'o')}*`)).length).toBe(0);
  });
});
