import { once } from 'node:events';
import type { Socket } from 'socket.io-client';
import { connect, continuityProblems, createRoom, TestSystem, tokenFor } from '#testing';
import { LiveroomClient } from '../src/index.js';
import { BarragePump, SdkViewer } from './sdk-harness.js';

/** The SDK moves a viewer to another gateway when its gateway dies, and resumes with no loss or duplicate. */
const system = new TestSystem({ gateways: 2, barrages: 1, env: { BARRAGE_RATE_PER_SEC: '1000', BARRAGE_BURST: '1000', GATEWAY_DRAIN_MS: '500' } });
let sender: Socket | null = null;
let viewer: LiveroomClient | null = null;
const manyViewers: SdkViewer[] = [];

// Registered before useInTests() so that, as before, the sender and the SDK client close before the system stops.
afterAll(() => {
  sender?.disconnect();
  viewer?.close();
  for (const v of manyViewers) v.client.close();
});
system.useInTests();

async function followWhileGatewayGoes(how: 'SIGKILL' | 'SIGTERM'): Promise<void> {
  const urls = system.gateways.filter((g) => g.process.exitCode === null && g.process.signalCode === null).map((g) => g.url);
  const room = await createRoom(urls[0]!, await tokenFor('host'));
  viewer = new LiveroomClient({ urls, token: await tokenFor('viewer'), affinityKey: room.id, ackTimeoutMs: 3000 });
  const received: number[] = [];
  let notify: () => void = () => undefined;
  await viewer.join(room.id, {
    onEvents: (events) => {
      received.push(...events.map((e) => e.seq));
      notify();
    },
  });
  const first = viewer.url!;
  const doomed = system.gateways.find((g) => g.url === first)!;
  const survivor = system.gateways.find((g) => g.url !== first && urls.includes(g.url))!;
  const moved = new Promise<string>((resolve) => viewer!.on('connected', (url) => resolve(url as string)));

  sender = await connect(survivor.url, await tokenFor('sender'));
  await sender.emitWithAck('room:join', { roomId: room.id });
  const TOTAL = 150;
  for (let i = 1; i <= TOTAL; i++) {
    const ack = await sender.emitWithAck('barrage:send', { roomId: room.id, text: `m${i}`, clientMsgId: `c${i}` });
    expect(ack).toMatchObject({ ok: true, seq: i });
    if (i === 50 && how === 'SIGKILL') await system.kill(doomed);
    if (i === 50 && how === 'SIGTERM') doomed.process.kill('SIGTERM');
  }
  expect(await moved).not.toBe(doomed.url);
  while (received.at(-1) !== TOTAL) await new Promise<void>((resolve) => (notify = resolve));
  expect(continuityProblems(received, 0)).toEqual([]);
  expect(received).toHaveLength(TOTAL);
  sender.disconnect();
  viewer.close();
  if (how === 'SIGTERM') {
    // Nest closes the app, then re-raises the signal: the process ends by SIGTERM after draining.
    if (doomed.process.exitCode === null && doomed.process.signalCode === null) await once(doomed.process, 'exit');
    expect(doomed.output.join('')).toMatch(/draining 1 connections/);
    expect(doomed.process.exitCode ?? doomed.process.signalCode).toBe('SIGTERM');
  }
}

it('keeps one connection for all its requests', async () => {
  const url = system.gateways[0]!.url;
  const room = await createRoom(url, await tokenFor('host'));
  const client = new LiveroomClient({ urls: [url], token: await tokenFor('chatty') });
  const connections: string[] = [];
  client.on('connected', (u) => connections.push(u as string));
  const received: string[] = [];
  try {
    await client.join(room.id, { onEvents: (events) => received.push(...events.map((e) => (e.type === 'barrage' ? e.text : e.type))) });
    for (const text of ['one', 'two', 'three']) expect(await client.sendBarrage(room.id, text)).toMatchObject({ seq: expect.any(Number) });
    await client.like(room.id, 2);
    expect(connections).toEqual([url]);
  } finally {
    client.close();
  }
});

it('resumes the stream on the other gateway after SIGKILL, every event once and in order', async () => {
  await followWhileGatewayGoes('SIGKILL');
});

it('drains on SIGTERM: clients move to another gateway and resume, and the process exits cleanly', async () => {
  await system.startApp('gateway', 2);
  await followWhileGatewayGoes('SIGTERM');
});

it('after SIGKILL, every SDK client of the gateway resumes on the other one and sees each acked message once, in order', async () => {
  const live = () => system.gateways.filter((g) => g.process.exitCode === null && g.process.signalCode === null);
  if (live().length < 2) await system.startApp('gateway', 3);
  const urls = live().map((g) => g.url);
  expect(urls).toHaveLength(2);
  const room = await createRoom(urls[0]!, await tokenFor('host'));
  const options = async (user: string) => ({ urls, token: await tokenFor(user), affinityKey: room.id, ackTimeoutMs: 3000 });
  for (let i = 0; i < 4; i++) manyViewers.push(await SdkViewer.join(`viewer-${i}`, room.id, await options(`many-viewer-${i}`)));
  // An SDK sender on the same gateway (its in-flight writes are retried elsewhere) and a plain one on the other.
  const sdkSender = await SdkViewer.join('sdk-sender', room.id, await options('sdk-sender'));
  manyViewers.push(sdkSender);
  const doomed = system.gateways.find((g) => g.url === sdkSender.client.url)!;
  const survivor = system.gateways.find((g) => g !== doomed && urls.includes(g.url))!;
  expect(manyViewers.map((v) => v.client.url)).toEqual(manyViewers.map(() => doomed.url));
  sender = await connect(survivor.url, await tokenFor('plain-sender'));
  expect(await sender.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });

  const TOTAL = 200;
  const sdkPump = new BarragePump((text) => sdkSender.client.sendBarrage(room.id, text), { prefix: 'sdk-', total: TOTAL, concurrency: 8, pauseMs: 5 });
  const plainPump = new BarragePump(
    async (text) => {
      const ack = await sender!.timeout(5000).emitWithAck('barrage:send', { roomId: room.id, text, clientMsgId: text });
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
      return ack;
    },
    { prefix: 'plain-', total: TOTAL, concurrency: 8, pauseMs: 5 },
  );
  // Killed while both senders have requests in flight.
  await sdkPump.waitAcked(30);
  await system.kill(doomed);
  expect(sdkPump.acked.size).toBeLessThan(TOTAL);
  await Promise.all([sdkPump.done, plainPump.done]);
  expect([...sdkPump.failures, ...plainPump.failures]).toEqual([]);

  const acked = new Map([...sdkPump.acked, ...plainPump.acked]);
  expect(acked.size).toBe(2 * TOTAL);
  // Nothing was sequenced twice: the room holds exactly the acked messages, each under the seq its ack named.
  const info = (await (await fetch(`${survivor.url}/v1/rooms/${room.id}`)).json()) as { seq: number };
  expect(info.seq).toBe(2 * TOTAL);
  expect(new Set(acked.values()).size).toBe(2 * TOTAL);
  await Promise.all(manyViewers.map((v) => v.until(2 * TOTAL)));
  for (const v of manyViewers) {
    expect(v.connections).toEqual([doomed.url, survivor.url]);
    expect(continuityProblems(v.seqs, 0)).toEqual([]);
    expect(v.seqs).toHaveLength(2 * TOTAL);
    for (const [text, seq] of acked) expect(v.texts.get(seq)).toBe(text);
  }
});
