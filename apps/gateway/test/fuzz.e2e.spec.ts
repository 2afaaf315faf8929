import type { Socket } from 'socket.io-client';
import { ERROR_CODES } from '#contracts';
import { connect, createRoom, StreamRecorder, TestSystem, tokenFor } from '#testing';

/** Thousands of malformed payloads at every client event: each gets one ack, nothing crashes. */
const system = new TestSystem({ gateways: 1, barrages: 1 });
const EVENTS = ['room:join', 'room:leave', 'barrage:send', 'like:send'];

/** Small seeded PRNG so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

function randomValue(rand: () => number, roomId: string, depth = 0): unknown {
  const pick = Math.floor(rand() * 16);
  switch (pick) {
    case 0: return null;
    case 1: return Math.floor(rand() * 1e9) - 5e8;
    case 2: return rand() * 1e300;
    case 3: return 'x'.repeat(Math.floor(rand() * 15000));
    case 4: return '';
    case 5: return true;
    case 6: return [1, 'a', null];
    case 7: return JSON.parse('{"__proto__": {"polluted": true}, "roomId": "r"}');
    case 8: return { roomId: roomId, text: rand() > 0.5 ? 'ok' : 5, clientMsgId: String(rand()), extra: 'key' };
    case 9: return { roomId: { $gt: '' } };
    case 10: return { roomId, sinceSeq: rand() > 0.5 ? -1 : 1.5 };
    case 11: return { roomId, count: rand() > 0.5 ? 0 : 'many' };
    case 12: return { roomId: '../../etc/passwd', text: '\u0000\u200b', clientMsgId: 'c' };
    case 13: return depth < 3 ? { roomId, nested: randomValue(rand, roomId, depth + 1) } : {};
    case 14: return { constructor: { prototype: { polluted: true } }, roomId };
    default: return { roomId, text: '🙂'.repeat(Math.floor(rand() * 300)), clientMsgId: 'x'.repeat(Math.floor(rand() * 80)) };
  }
}

let socket: Socket;
afterAll(async () => {
  socket?.disconnect();
  await system.stop();
});

it('acks every random payload on every event and keeps serving', async () => {
  await system.start();
  const url = system.gateways[0]!.url;
  const room = await createRoom(url, await tokenFor('host'));
  socket = await connect(url, await tokenFor('fuzzer'));
  await socket.emitWithAck('room:join', { roomId: room.id });
  const rand = rng(20261125);
  const codes = new Set<string>(ERROR_CODES);
  let acked = 0;
  for (let batch = 0; batch < 20; batch++) {
    const acks = await Promise.all(
      Array.from({ length: 200 }, () => {
        const event = EVENTS[Math.floor(rand() * EVENTS.length)]!;
        return socket.timeout(5000).emitWithAck(event, randomValue(rand, room.id));
      }),
    );
    for (const ack of acks) {
      expect(typeof ack.ok).toBe('boolean');
      if (!ack.ok) expect(codes.has(ack.error.code)).toBe(true);
      acked++;
    }
    // Also events without an ack callback, and with several arguments.
    socket.emit('barrage:send', randomValue(rand, room.id));
    socket.emit('room:join', 1, 2, 3);
  }
  expect(acked).toBe(4000);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();

  // Still serving: a new client joins, sends and receives.
  const probe = await connect(url, await tokenFor('probe'));
  const rec = new StreamRecorder(probe, room.id);
  await rec.join();
  const ack = await probe.emitWithAck('barrage:send', { roomId: room.id, text: 'still alive', clientMsgId: 'alive' });
  expect(ack).toMatchObject({ ok: true });
  await rec.until(ack.seq);
  expect(rec.events.at(-1)).toMatchObject({ text: 'still alive' });
  probe.disconnect();
  expect(system.gateways[0]!.process.exitCode).toBeNull();
});
