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
