import type { Socket as NetSocket } from 'node:net';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { RedisKeys } from '#contracts';
import { RoomLog } from '#room-log';
import { connect, continuityProblems, createRoom, REDIS_URL, StreamRecorder, TestSystem, tokenFor } from '#testing';

/**
 * PROTOCOL §3 + the scale issue's slow-client rule: a viewer that stops reading is cut once
 * SOCKET_MAX_BUFFERED_BYTES wait for it (the gateway does not buffer without bound), the others
 * are unaffected, and the cut viewer resumes with sinceSeq and misses nothing still in history.
 */
const CAP = 256 * 1024;
const system = new TestSystem({ gateways: 1, barrages: 0, moderation: false, gifting: false, env: { SOCKET_MAX_BUFFERED_BYTES: String(CAP) } });
const sockets: Socket[] = [];
const redis = new Redis(REDIS_URL);

beforeAll(async () => {
  await system.start();
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  redis.disconnect();
  await system.stop();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${system.gateways[0]!.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

it('cuts a viewer that stops reading, keeps the others going, and the cut viewer resumes gap-free', async () => {
  const url = system.gateways[0]!.url;
  const room = await createRoom(url, await tokenFor('host'));
  const fast = await connect(url, await tokenFor('fast'));
  const slow = await connect(url, await tokenFor('slow'));
  sockets.push(fast, slow);
  const fastStream = new StreamRecorder(fast, room.id);
  const slowStream = new StreamRecorder(slow, room.id);
  await fastStream.join();
  await slowStream.join();
  // The slow viewer's process stops reading its socket: the kernel buffers fill, then the gateway's.
  const transport = slow.io.engine.transport as unknown as { ws: { _socket: NetSocket } };
  transport.ws._socket.pause();

  // 1,200 events of ~8 KB (~10 MB) straight into the room log: far more than socket buffers hold.
  const log = new RoomLog(redis, new RedisKeys(system.keyPrefix));
  const text = 'x'.repeat(8000);
  let last = 0;
  for (let i = 0; i < 1200; i++) last = (await log.append(room.id, { type: 'barrage', id: `f${i}`, userId: 'flood', name: 'flood', text })).event.seq;

  await fastStream.until(last, 60_000);
  expect(continuityProblems(fastStream.events.map((e) => e.seq), fastStream.from)).toEqual([]);
  expect(fastStream.events).toHaveLength(last);
  while ((await metric('liveroom_gateway_slow_disconnects_total')) < 1) await new Promise((r) => setTimeout(r, 100));
  expect(await metric('liveroom_gateway_connections')).toBe(1);

  // Reading again, the slow viewer drains what reached it, sees the cut and resumes where it stopped.
  const cut = new Promise<void>((resolve) => slow.once('disconnect', () => resolve()));
  transport.ws._socket.resume();
  await cut;
  const seen = slowStream.lastSeq;
  expect(seen).toBeLessThan(last);
  const again = await connect(url, await tokenFor('slow'));
  sockets.push(again);
  const resumed = new StreamRecorder(again, room.id);
  const ack = await resumed.join(seen);
  expect(ack.resync).toBeUndefined();
  await resumed.until(last);
  const all = [...slowStream.events, ...resumed.events].map((e) => e.seq);
  expect(continuityProblems(all, 0)).toEqual([]);
  expect(all.at(-1)).toBe(last);
});

it('cuts a long-polling viewer that stops polling once the bytes waiting for it pass the cap', async () => {
  const url = system.gateways[0]!.url;
  const room = await createRoom(url, await tokenFor('host'));
  // A raw Engine.IO long-polling session: handshake, Socket.IO connect, join, then no more polls.
  const poll = (sid?: string, body?: string) =>
    fetch(`${url}/socket.io/?EIO=4&transport=polling${sid ? `&sid=${sid}` : ''}`, body === undefined ? {} : { method: 'POST', body });
  const open = await (await poll()).text();
  const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
  expect(await (await poll(sid, `40${JSON.stringify({ token: await tokenFor('poller') })}`)).text()).toBe('ok');
  expect(await (await poll(sid)).text()).toMatch(/^40/);
  expect(await (await poll(sid, `421["room:join",${JSON.stringify({ roomId: room.id })}]`)).text()).toBe('ok');
  expect(await (await poll(sid)).text()).toMatch(/^431\[\{"ok":true/);
  const cutBefore = await metric('liveroom_gateway_slow_disconnects_total');

  // ~2 MB of events for it, far fewer packets than engine.io's packet cap: only the byte cap cuts it.
  const log = new RoomLog(redis, new RedisKeys(system.keyPrefix));
  const text = 'y'.repeat(8000);
  for (let i = 0; i < 250; i++) await log.append(room.id, { type: 'barrage', id: `p${i}`, userId: 'flood', name: 'flood', text });
  while ((await metric('liveroom_gateway_slow_disconnects_total')) <= cutBefore) await new Promise((r) => setTimeout(r, 100));
  // The session is gone: the next poll is refused.
  expect((await poll(sid)).status).toBe(400);
});
