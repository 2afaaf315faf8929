import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { RedisKeys } from '#contracts';
import { RoomLog } from './room-log.js';
import { RoomLogFollower } from './room-log-follower.js';
import type { RawRoomEvent } from './raw-event.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keys = new RedisKeys(`lrtest:${randomUUID()}:`);
const redis = new Redis(REDIS_URL);
const barrage = (text: string) => ({ type: 'barrage' as const, id: randomUUID(), userId: 'u1', name: 'u1', text });

afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}*`);
  if (found.length > 0) await redis.del(...found);
  redis.disconnect();
});

describe('RoomLog (real Redis)', () => {
  it('assigns contiguous seqs across concurrent producers', async () => {
    const producers = Array.from({ length: 4 }, () => new RoomLog(new Redis(REDIS_URL), keys));
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) => producers[i % 4]!.append('r1', barrage(`m${i}`))),
    );
    const seqs = results.map((r) => r.event.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    const history = await producers[0]!.history('r1', 0);
    expect(history.resync).toBe(false);
    expect(history.events.map((e) => e.seq)).toEqual(seqs);
    expect(JSON.parse(history.events[0]!.json)).toMatchObject({ seq: 1, type: 'barrage' });
    await Promise.all(producers.map((p) => (p as unknown as { redis: Redis }).redis.quit()));
  });

  it('dedupes on the dedupe key and returns the first event', async () => {
    const log = new RoomLog(redis, keys);
    const first = await log.append('r2', barrage('hello'), { dedupeKey: 'u1:c1' });
    const again = await log.append('r2', barrage('hello again'), { dedupeKey: 'u1:c1' });
    expect(again.duplicate).toBe(true);
    expect(again.event).toEqual(first.event);
    expect(await log.currentSeq('r2')).toBe(1);
  });

  it('refuses appends to rooms that are not live when asked', async () => {
    const log = new RoomLog(redis, keys);
    await expect(log.append('r3', barrage('x'), { requireLive: true })).rejects.toMatchObject({ code: 'ROOM_NOT_FOUND' });
    await redis.hset(keys.roomMeta('r3'), 'live', '0');
    await expect(log.append('r3', barrage('x'), { requireLive: true })).rejects.toMatchObject({ code: 'ROOM_ENDED' });
    await redis.hset(keys.roomMeta('r3'), 'live', '1');
    await expect(log.append('r3', barrage('x'), { requireLive: true })).resolves.toMatchObject({ duplicate: false });
  });

  it('appends many events of a room in order, deduping each on its own key', async () => {
    const log = new RoomLog(redis, keys);
    const sub = new Redis(REDIS_URL);
    const messages: string[] = [];
    sub.on('message', (_channel: string, message: string) => messages.push(message));
    await sub.subscribe(keys.roomChannel('m1'));
    await log.append('m1', barrage('single'), { dedupeKey: 'k0' });
    const results = await log.appendMany(
      'm1',
      [
        { draft: barrage('a'), dedupeKey: 'k1' },
        { draft: barrage('dup of single'), dedupeKey: 'k0' },
        { draft: barrage('line\nbreak') },
        { draft: barrage('dup within the call'), dedupeKey: 'k1' },
        { draft: { type: 'room', action: 'ended' } },
      ],
      { dedupeTtlSec: 60 },
    );
    expect(results.map((r) => [r.event.seq, r.duplicate])).toEqual([[2, false], [1, true], [3, false], [2, true], [4, false]]);
    expect(results[2]!.event).toMatchObject({ type: 'barrage', text: 'line\nbreak' });
    expect(await redis.ttl(keys.roomDedupe('m1', 'k1'))).toBeGreaterThan(0);
    expect((await log.history('m1', 0)).events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect((await log.recentBarrage('m1')).events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await log.appendMany('m1', [])).toEqual([]);
    // A bad TTL is refused before the script runs: nothing half-written.
    await expect(log.appendMany('m1', [{ draft: barrage('x'), dedupeKey: 'k9' }], { dedupeTtlSec: 0 })).rejects.toThrow(RangeError);
    expect(await log.currentSeq('m1')).toBe(4);
    // One message for the single append, one for the whole batch (its new events only).
    while (messages.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(messages[1]!.split('\n').map((m) => JSON.parse(m).seq)).toEqual([2, 3, 4]);
    sub.disconnect();
  });

  it('keeps at least 1,000 events and asks for resync beyond history', async () => {
    const log = new RoomLog(redis, keys, { historySize: 1000, recentSize: 50 });
    for (let i = 0; i < 1300; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => log.append('r4', barrage(`m${i + j}`))));
    }
    const recent = await log.history('r4', 300);
    expect(recent.resync).toBe(false);
    expect(recent.events).toHaveLength(1000);
    expect((await log.history('r4', 5)).resync).toBe(true);
    expect((await log.history('r4', 5000)).resync).toBe(true);
    expect((await log.history('r4', 1300)).events).toHaveLength(0);
    const snapshot = await log.recentBarrage('r4');
    expect(snapshot.seq).toBe(1300);
    expect(snapshot.events).toHaveLength(50);
    expect(snapshot.events.at(-1)!.seq).toBe(1300);
  });
});

describe('RoomLogFollower (real Redis)', () => {
  it('starts exactly after the base it returns, even while the room is busy', async () => {
    const log = new RoomLog(redis, keys);
    const sub = new Redis(REDIS_URL);
    const follower = new RoomLogFollower(sub, log, keys);
    const got: number[] = [];
    const burst = Promise.all(Array.from({ length: 300 }, (_, i) => log.append('f0', barrage(`x${i}`))));
    const base = await follower.follow('f0', (events) => got.push(...events.map((e) => e.seq)));
    await burst;
    await log.append('f0', barrage('last'));
    while (got.at(-1) !== 301) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(Array.from({ length: 301 - base }, (_, i) => base + 1 + i));
    await follower.unfollow('f0');
    sub.disconnect();
  });

  it('delivers every event in order, filling pub/sub holes from history', async () => {
    const log = new RoomLog(redis, keys);
    await log.append('f1', barrage('before follow'));
    const sub = new Redis(REDIS_URL);
    const follower = new RoomLogFollower(sub, log, keys);
    const got: RawRoomEvent[] = [];
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((r) => (resolveDone = r));
    const base = await follower.follow('f1', (events) => {
      got.push(...events);
      if (got.at(-1)?.seq === 202) resolveDone();
    });
    expect(base).toBe(1);
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append('f1', barrage(`a${i}`))));
    // A lost announcement: the event is sequenced and stored but never published.
    const seq = await redis.incr(keys.roomSeq('f1'));
    await redis.xadd(keys.roomLog('f1'), `${seq}-0`, 'e', JSON.stringify({ seq, ts: Date.now(), ...barrage('lost') }));
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append('f1', barrage(`b${i}`))));
    await done;
    expect(got.map((e) => e.seq)).toEqual(Array.from({ length: 201 }, (_, i) => i + 2));
    await follower.unfollow('f1');
    sub.disconnect();
  });

  it('takes batches published as one message, in order, and repairs a hole before one', async () => {
    const log = new RoomLog(redis, keys);
    const sub = new Redis(REDIS_URL);
    const follower = new RoomLogFollower(sub, log, keys);
    const calls: number[][] = [];
    const got = () => calls.flat();
    const base = await follower.follow('f2', (events) => calls.push(events.map((e) => e.seq)));
    expect(base).toBe(0);
    await log.appendMany('f2', [{ draft: barrage('a') }, { draft: barrage('b') }, { draft: barrage('c') }]);
    // A lost batch: sequenced and stored, never published.
    for (const text of ['lost 1', 'lost 2']) {
      const seq = await redis.incr(keys.roomSeq('f2'));
      await redis.xadd(keys.roomLog('f2'), `${seq}-0`, 'e', JSON.stringify({ seq, ts: Date.now(), ...barrage(text) }));
    }
    await log.appendMany('f2', [{ draft: barrage('d') }, { draft: barrage('e') }]);
    while (got().length < 7) await new Promise((r) => setTimeout(r, 5));
    expect(got()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // A batch in order reaches the listener as one call.
    expect(calls[0]).toEqual([1, 2, 3]);
    await follower.unfollow('f2');
    sub.disconnect();
  });
});
