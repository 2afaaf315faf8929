import type { Socket } from 'socket.io-client';
import { connect, continuityProblems, createRoom, StreamRecorder, TestSystem, tokenFor } from '#testing';

/** The client contract (PROTOCOL.md §1-4, §7 rooms) through a real gateway + barrage, stock socket.io-client. */
const system = new TestSystem({ gateways: 1, barrages: 1 });
let url: string;
let hostToken: string;
const sockets = system.useInTests();

async function client(token?: string): Promise<Socket> {
  const socket = await connect(url, token);
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  url = system.gateways[0]!.url;
  hostToken = await tokenFor('host-1', { name: 'Host' });
});

describe('connecting (§1)', () => {
  it('refuses a present but invalid or expired token with UNAUTHORIZED', async () => {
    await expect(connect(url, 'not-a-jwt')).rejects.toThrow('UNAUTHORIZED');
    await expect(connect(url, await tokenFor('u', { expiresIn: '-10s' }))).rejects.toThrow('UNAUTHORIZED');
  });

  it('lets anonymous viewers join and read, but not write', async () => {
    const room = await createRoom(url, hostToken);
    const anon = await client();
    const join = await anon.emitWithAck('room:join', { roomId: room.id });
    expect(join).toMatchObject({ ok: true, room: { id: room.id, hostId: 'host-1', live: true, seq: 0, recent: [] } });
    const send = await anon.emitWithAck('barrage:send', { roomId: room.id, text: 'hi', clientMsgId: 'a1' });
    expect(send).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await anon.emitWithAck('like:send', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    // Every write, whatever it carries and whether or not the room was joined: UNAUTHORIZED first.
    const other = await createRoom(url, hostToken);
    const writes: [string, unknown][] = [
      ['barrage:send', { roomId: other.id, text: 'hi', clientMsgId: 'a2' }],
      ['barrage:send', { nonsense: true }],
      ['like:send', { roomId: other.id }],
      ['gift:send', { roomId: other.id, giftId: 'heart', count: 1, idempotencyKey: 'anon-gift-1' }],
      ['mod:mute', { roomId: other.id, userId: 'x' }],
      ['mod:slowmode', 'not an object'],
      ['cohost:request', { roomId: other.id }],
      ['cohost:signal', { sessionId: 'nope', data: {} }],
    ];
    for (const [event, payload] of writes) {
      expect([event, await anon.emitWithAck(event, payload)]).toMatchObject([event, { ok: false, error: { code: 'UNAUTHORIZED' } }]);
    }
  });

  it('honours exp on an open connection: once the token has expired, writes answer UNAUTHORIZED', async () => {
    const room = await createRoom(url, hostToken);
    const soon = await client(await tokenFor('short-lived', { expiresIn: '2s' }));
    expect(await soon.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });
    expect(await soon.emitWithAck('barrage:send', { roomId: room.id, text: 'before', clientMsgId: 'e1' })).toMatchObject({ ok: true });
    // exp has one-second granularity: wait until it has certainly passed (nothing announces it).
    await new Promise((r) => setTimeout(r, 2100));
    const closed = new Promise<string>((resolve) => soon.once('disconnect', resolve));
    expect(await soon.emitWithAck('barrage:send', { roomId: room.id, text: 'after', clientMsgId: 'e2' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    // ...and the connection is closed, so that a client reconnects with a new token.
    expect(await closed).toBe('io server disconnect');
  });

  it('works over long-polling too', async () => {
    const room = await createRoom(url, hostToken);
    const polling = await connect(url, await tokenFor('poller'), ['polling']);
    sockets.push(polling);
    const rec = new StreamRecorder(polling, room.id);
    await polling.emitWithAck('room:join', { roomId: room.id });
    const ack = await polling.emitWithAck('barrage:send', { roomId: room.id, text: 'via polling', clientMsgId: 'p1' });
    expect(ack).toMatchObject({ ok: true, seq: 1 });
    await rec.until(1);
    expect(rec.events[0]).toMatchObject({ seq: 1, type: 'barrage', text: 'via polling', userId: 'poller' });
  });

  it('closes the connection on a payload over 16 KiB', async () => {
    const socket = await client(await tokenFor('big'));
    const closed = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    socket.emit('barrage:send', { roomId: 'r', text: 'x'.repeat(20_000), clientMsgId: 'c' });
    expect(await closed).toMatch(/transport close|transport error/);
  });
});

describe('rooms and the event stream (§3)', () => {
  it('sends barrage to every viewer in order, with the ack and event as PROTOCOL says', async () => {
    const room = await createRoom(url, hostToken, 'stream');
    const alice = await client(await tokenFor('alice', { name: 'Alice' }));
    const bob = await client(await tokenFor('bob'));
    const recA = new StreamRecorder(alice, room.id);
    const recB = new StreamRecorder(bob, room.id);
    await alice.emitWithAck('room:join', { roomId: room.id });
    await bob.emitWithAck('room:join', { roomId: room.id });
    const ack = await alice.emitWithAck('barrage:send', { roomId: room.id, text: '  hello  ', clientMsgId: 'm1', color: '#FF0000', mode: 'top' });
    expect(ack).toEqual({ ok: true, seq: 1, id: expect.any(String) });
    await Promise.all([recA.until(1), recB.until(1)]);
    expect(recB.events[0]).toEqual({
      seq: 1,
      ts: expect.any(Number),
      type: 'barrage',
      id: ack.id,
      userId: 'alice',
      name: 'Alice',
      text: 'hello',
      color: '#ff0000',
      mode: 'top',
    });
    expect(Math.abs((recB.events[0]!.ts as number) - Date.now())).toBeLessThan(10_000);
  });

  it('makes clientMsgId idempotent: the first ack again, nothing new broadcast', async () => {
    const room = await createRoom(url, hostToken);
    const s = await client(await tokenFor('idem'));
    const rec = new StreamRecorder(s, room.id);
    await s.emitWithAck('room:join', { roomId: room.id });
    const first = await s.emitWithAck('barrage:send', { roomId: room.id, text: 'once', clientMsgId: 'same' });
    const again = await s.emitWithAck('barrage:send', { roomId: room.id, text: 'once', clientMsgId: 'same' });
    expect(again).toEqual(first);
    const marker = await s.emitWithAck('barrage:send', { roomId: room.id, text: 'marker', clientMsgId: 'other' });
    await rec.until(marker.seq);
    expect(rec.events.map((e) => e.text)).toEqual(['once', 'marker']);
  });

  it('rate-limits a user at the burst with RATE_LIMITED and retryAfterMs', async () => {
    const room = await createRoom(url, hostToken);
    const s = await client(await tokenFor('spammer'));
    await s.emitWithAck('room:join', { roomId: room.id });
    const acks = await Promise.all(
      Array.from({ length: 15 }, (_, i) => s.emitWithAck('barrage:send', { roomId: room.id, text: `m${i}`, clientMsgId: `c${i}` })),
    );
    const limited = acks.filter((a) => !a.ok);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(10);
    expect(acks.filter((a) => a.ok).length).toBeLessThan(13);
    expect(limited[0]).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) } });
    expect(limited[0].error.retryAfterMs).toBeGreaterThan(0);
  });

  it('answers NOT_IN_ROOM, ROOM_NOT_FOUND and INVALID_ARGUMENT', async () => {
    const room = await createRoom(url, hostToken);
    const s = await client(await tokenFor('carol'));
    expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: 'x', clientMsgId: 'c' })).toMatchObject({ error: { code: 'NOT_IN_ROOM' } });
    expect(await s.emitWithAck('room:join', { roomId: 'r_nope' })).toMatchObject({ error: { code: 'ROOM_NOT_FOUND' } });
    expect(await s.emitWithAck('room:join', { roomId: room.id, extra: 1 })).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    await s.emitWithAck('room:join', { roomId: room.id });
    for (const bad of [
      { roomId: room.id, text: '   ', clientMsgId: 'c' },
      { roomId: room.id, text: 'x'.repeat(201), clientMsgId: 'c' },
      { roomId: room.id, text: 'x', clientMsgId: '' },
      { roomId: room.id, text: 'x', clientMsgId: 'c', color: 'red' },
      { roomId: room.id, text: 'x', clientMsgId: 'c', mode: 'sideways' },
      'just a string',
      null,
    ]) {
      expect(await s.emitWithAck('barrage:send', bad)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    }
    expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: '😀'.repeat(200), clientMsgId: 'emoji' })).toMatchObject({ ok: true });
    // 1-200 characters after trimming: blanks around a text do not count, however many.
    const padded = await s.emitWithAck('barrage:send', { roomId: room.id, text: `${' '.repeat(900)}${'y'.repeat(200)}${'\n'.repeat(900)}`, clientMsgId: 'padded' });
    expect(padded).toMatchObject({ ok: true });
  });

  it('answers a join right after a send with that event in the snapshot, in recent and in missed', async () => {
    const room = await createRoom(url, hostToken);
    const sender = await client(await tokenFor('fast-sender'));
    // Connected beforehand, so that each join follows the last ack by well under one 50 ms tick.
    const [first, second] = [await client(), await client()];
    await sender.emitWithAck('room:join', { roomId: room.id });
    for (let i = 1; i <= 3; i++) await sender.emitWithAck('barrage:send', { roomId: room.id, text: `q${i}`, clientMsgId: `q${i}` });
    const snap = await first.emitWithAck('room:join', { roomId: room.id });
    expect(snap.room.seq).toBe(3);
    expect(snap.room.recent.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3]);
    for (let i = 4; i <= 6; i++) await sender.emitWithAck('barrage:send', { roomId: room.id, text: `q${i}`, clientMsgId: `q${i}` });
    const resumed = await second.emitWithAck('room:join', { roomId: room.id, sinceSeq: 3 });
    expect(resumed.missed.map((e: { seq: number }) => e.seq)).toEqual([4, 5, 6]);
    expect(resumed.room.seq).toBe(6);
  });

  it('gives missed events after sinceSeq, and resync when history does not reach back', async () => {
    const room = await createRoom(url, hostToken);
    const sender = await client(await tokenFor('dave'));
    await sender.emitWithAck('room:join', { roomId: room.id });
    for (let i = 1; i <= 5; i++) await sender.emitWithAck('barrage:send', { roomId: room.id, text: `m${i}`, clientMsgId: `c${i}` });
    const late = await client(await tokenFor('erin'));
    const rejoin = await late.emitWithAck('room:join', { roomId: room.id, sinceSeq: 2 });
    expect(rejoin.ok).toBe(true);
    expect(rejoin.missed.map((e: { seq: number }) => e.seq)).toEqual([3, 4, 5]);
    expect(rejoin.room.seq).toBe(5);
    const fresh = await client();
    const snap = await fresh.emitWithAck('room:join', { roomId: room.id });
    expect(snap.room.recent.map((e: { text: string }) => e.text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(snap.missed).toBeUndefined();
    const ahead = await fresh.emitWithAck('room:join', { roomId: room.id, sinceSeq: 999 });
    expect(ahead).toMatchObject({ ok: true, resync: true, room: { seq: 5 } });
  });

  it('re-joins without duplicates, lets a later join or a leave replace a join in flight, and caps rooms per connection', async () => {
    const room = await createRoom(url, hostToken);
    const s = await client(await tokenFor('rejoiner'));
    const rec = new StreamRecorder(s, room.id);
    await rec.join();
    for (let i = 1; i <= 3; i++) await s.emitWithAck('barrage:send', { roomId: room.id, text: `r${i}`, clientMsgId: `r${i}` });
    await rec.until(3);
    const again = await s.emitWithAck('room:join', { roomId: room.id, sinceSeq: 1 });
    expect(again.missed.map((e: { seq: number }) => e.seq)).toEqual([2, 3]);
    const next = await s.emitWithAck('barrage:send', { roomId: room.id, text: 'r4', clientMsgId: 'r4' });
    await rec.until(next.seq);
    // Frames after the re-join continue at 4: the re-join did not leave the socket in twice.
    expect(rec.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    const [first, second] = await Promise.all([
      s.emitWithAck('room:join', { roomId: room.id }),
      s.emitWithAck('room:join', { roomId: room.id }),
    ]);
    expect(first).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(second).toMatchObject({ ok: true, room: { seq: 4 } });
    const [joining, left] = await Promise.all([s.emitWithAck('room:join', { roomId: room.id }), s.emitWithAck('room:leave', { roomId: room.id })]);
    expect(left).toEqual({ ok: true });
    expect(joining).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
    expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: 'x', clientMsgId: 'x' })).toMatchObject({ error: { code: 'NOT_IN_ROOM' } });

    const many = await Promise.all(Array.from({ length: 21 }, () => createRoom(url, hostToken)));
    const acks = [];
    for (const r of many) acks.push(await s.emitWithAck('room:join', { roomId: r.id }));
    expect(acks.filter((a) => a.ok)).toHaveLength(20);
    expect(acks[20]).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('aggregates likes into room:stats and serves room info over HTTP', async () => {
    const room = await createRoom(url, hostToken);
    const fan = await client(await tokenFor('fan'));
    await fan.emitWithAck('room:join', { roomId: room.id });
    const stats = new Promise<{ likes: number; viewers: number }>((resolve) =>
      fan.on('room:stats', (s: { roomId: string; likes: number; viewers: number }) => s.roomId === room.id && s.likes > 0 && resolve(s)),
    );
    for (let i = 0; i < 5; i++) expect(await fan.emitWithAck('like:send', { roomId: room.id, count: 10 })).toEqual({ ok: true });
    // 50 likes in one second from one user: 20 are counted.
    expect(await stats).toMatchObject({ likes: 20, viewers: 1 });
    expect(await fan.emitWithAck('like:send', { roomId: room.id, count: 101 })).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    const info = await (await fetch(`${url}/v1/rooms/${room.id}`)).json();
    expect(info).toEqual({ id: room.id, title: 'test room', hostId: 'host-1', live: true, seq: 0, viewers: 1, likes: 20, slowModeSec: 0, cohosts: [] });
  });

  it('ends a room: room/ended event, room:kicked for every viewer, later joins ROOM_ENDED', async () => {
    const room = await createRoom(url, hostToken);
    const viewer = await client(await tokenFor('viewer'));
    const rec = new StreamRecorder(viewer, room.id);
    await viewer.emitWithAck('room:join', { roomId: room.id });
    const kicked = new Promise((resolve) => viewer.once('room:kicked', resolve));
    const stranger = await tokenFor('stranger');
    const forbidden = await fetch(`${url}/v1/rooms/${room.id}/end`, { method: 'POST', headers: { authorization: `Bearer ${stranger}` } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const ended = await fetch(`${url}/v1/rooms/${room.id}/end`, { method: 'POST', headers: { authorization: `Bearer ${hostToken}` } });
    expect(ended.status).toBe(204);
    expect(await kicked).toEqual({ roomId: room.id, reason: 'ended' });
    expect(rec.events).toEqual([expect.objectContaining({ seq: 1, type: 'room', action: 'ended' })]);
    expect(await viewer.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ error: { code: 'ROOM_ENDED' } });
    const again = await fetch(`${url}/v1/rooms/${room.id}/end`, { method: 'POST', headers: { authorization: `Bearer ${hostToken}` } });
    expect(again.status).toBe(204);
    expect(((await (await fetch(`${url}/v1/rooms/${room.id}`)).json()) as { seq: number }).seq).toBe(1);
  });
});

describe('HTTP API (§7)', () => {
  it('creates rooms, adds moderators (host or admin only) and maps errors', async () => {
    const noAuth = await fetch(`${url}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"x"}' });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    const badToken = await fetch(`${url}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer nope' }, body: '{"title":"x"}' });
    expect(badToken.status).toBe(401);
    const bad = await fetch(`${url}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hostToken}` }, body: '{"title":""}' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    const malformed = await fetch(`${url}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hostToken}` }, body: '{"title":' });
    expect(malformed.status).toBe(400);
    const room = await createRoom(url, hostToken, 'mods');
    expect(room).toMatchObject({ title: 'mods', hostId: 'host-1', createdAt: expect.any(String) });
    // The auth scheme is case-insensitive.
    const lower = await fetch(`${url}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `bearer ${hostToken}` }, body: '{"title":"lower"}' });
    expect(lower.status).toBe(201);
    const addMod = (token: string) =>
      fetch(`${url}/v1/rooms/${room.id}/moderators`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{"userId":"mod-1"}' });
    expect((await addMod(await tokenFor('someone'))).status).toBe(403);
    expect((await addMod(hostToken)).status).toBe(204);
    expect((await addMod(await tokenFor('root', { roles: ['admin'] }))).status).toBe(204);
    expect((await fetch(`${url}/v1/rooms/r_missing`)).status).toBe(404);
  });

  it('serves /healthz, /readyz and /metrics with liveroom_gateway_connections', async () => {
    await client();
    // An unknown route, on the gateway and on a service's HTTP port: the same error shape (§7).
    for (const base of [url, system.barrages[0]!.url]) {
      const missing = await fetch(`${base}/no/such/route`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: { code: 'ROOM_NOT_FOUND', message: expect.any(String) } });
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toMatchObject({ ready: true, checks: { redis: 'ok', postgres: 'ok' } });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const match = /^liveroom_gateway_connections (\d+)/m.exec(metrics);
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${system.barrages[0]!.url}/readyz`)).status).toBe(200);
  });
});

describe('continuity helper', () => {
  it('flags gaps and duplicates', () => {
    expect(continuityProblems([3, 4, 5], 2)).toEqual([]);
    expect(continuityProblems([3, 5], 2)).toEqual(['expected 4, got 5']);
    expect(continuityProblems([3, 3], 2)).toEqual(['expected 4, got 3']);
  });
});

describe('a backend service is down (§2)', () => {
  it('still acks barrage:send within 5 s, with UNAVAILABLE and retryAfterMs', async () => {
    const room = await createRoom(url, hostToken);
    const s = await client(await tokenFor('patient'));
    await s.emitWithAck('room:join', { roomId: room.id });
    await system.kill(system.barrages[0]!);
    const started = Date.now();
    const ack = await s.timeout(5000).emitWithAck('barrage:send', { roomId: room.id, text: 'anyone?', clientMsgId: 'down-1' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(ack).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) } });
    // The gateway itself keeps serving.
    expect(await s.emitWithAck('like:send', { roomId: room.id })).toEqual({ ok: true });
  });
});
