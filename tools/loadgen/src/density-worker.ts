/**
 * Connection-density client process (forked by density.ts): opens `count` authenticated Socket.IO
 * connections spread over the given gateways and source addresses, joins a share of them to rooms,
 * reports, then holds them until told to close.
 */
import { SignJWT } from 'jose';
import { RawSioClient } from './sio-raw-client.js';

export interface DensityTask {
  index: number;
  urls: string[];
  count: number;
  /** Source addresses to cycle through (each gives ~28k ephemeral ports). */
  localAddresses: string[];
  rooms: string[];
  /** Share of connections that also join a room. */
  joinedShare: number;
  jwtSecret: string;
  inFlight: number;
}

export interface DensityReport {
  index: number;
  connected: number;
  joined: number;
  failed: number;
  errors: Record<string, number>;
  seconds: number;
}

const clients: RawSioClient[] = [];

async function run(task: DensityTask): Promise<DensityReport> {
  const key = new TextEncoder().encode(task.jwtSecret);
  const started = Date.now();
  const errors: Record<string, number> = {};
  let next = 0;
  let joined = 0;
  let failed = 0;
  const one = async (i: number): Promise<void> => {
    const userId = `dn${task.index}-${i}`;
    const token = await new SignJWT({ name: userId }).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setExpirationTime('2h').sign(key);
    try {
      const client = await RawSioClient.connect(task.urls[i % task.urls.length] as string, {
        auth: { token },
        localAddress: task.localAddresses[i % task.localAddresses.length],
        connectTimeoutMs: 30_000,
      });
      clients.push(client);
      if (i % Math.round(1 / task.joinedShare) === 0) {
        const [ack] = (await client.emitWithAck('room:join', { roomId: task.rooms[i % task.rooms.length] }, 30_000)) as [{ ok: boolean }];
        if (ack.ok) joined++;
        else errors.join = (errors.join ?? 0) + 1;
      }
    } catch (error) {
      failed++;
      const reason = error instanceof Error ? error.message.slice(0, 60) : 'unknown';
      errors[reason] = (errors[reason] ?? 0) + 1;
    }
  };
  const lane = async (): Promise<void> => {
    while (next < task.count) await one(next++);
  };
  const progress = setInterval(() => process.send?.({ progress: clients.length, index: task.index }), 2000);
  await Promise.all(Array.from({ length: task.inFlight }, lane));
  clearInterval(progress);
  return { index: task.index, connected: clients.filter((c) => c.connected).length, joined, failed, errors, seconds: (Date.now() - started) / 1000 };
}

process.on('message', (msg: { task?: DensityTask; close?: true; check?: true }) => {
  if (msg.task) void run(msg.task).then((report) => process.send?.({ report }));
  if (msg.check) process.send?.({ alive: clients.filter((c) => c.connected).length });
  if (msg.close) {
    for (const c of clients) c.close();
    setTimeout(() => process.exit(0), 200);
  }
});
