import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it, jest } from '@jest/globals';
import { Server, type Socket } from 'socket.io';
import { io, type Socket as ClientSocket } from 'socket.io-client';
import * as ws from 'ws';
import { eventPacket, FrameWriter } from './frame-writer.js';

/** A real Socket.IO server (websocket and polling clients), written to the way the fan-out does. */
const http = createServer();
const server = new Server(http, { perMessageDeflate: false });
const serverSockets: Socket[] = [];
server.on('connection', (s) => serverSockets.push(s));
const clients: ClientSocket[] = [];
const frameBuilder = (ws as unknown as { Sender: { frame: (...args: unknown[]) => unknown } }).Sender;

async function connectClients(count: number, transports: ('websocket' | 'polling')[]): Promise<ClientSocket[]> {
  const port = (http.address() as AddressInfo).port;
  const made = Array.from({ length: count }, () => io(`http://127.0.0.1:${port}`, { transports, forceNew: true, reconnection: false }));
  await Promise.all(made.map((c) => new Promise((resolve) => c.once('connect', () => resolve(c)))));
  clients.push(...made);
  return made;
}

const received = (c: ClientSocket): Promise<unknown> => new Promise((resolve) => c.once('room:events', resolve));

beforeAll(async () => {
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server.close();
});

it('builds one websocket frame for all websocket sockets and delivers the same packet to each', async () => {
  const sockets = await connectClients(5, ['websocket']);
  const frames = jest.spyOn(frameBuilder, 'frame');
  const payload = { roomId: 'r1', events: [{ seq: 1, type: 'barrage', text: '弹幕 ✓' }] };
  const arrivals = sockets.map(received);
  const stats = new FrameWriter(1 << 20).write(serverSockets.slice(-5), eventPacket('room:events', JSON.stringify(payload)));
  expect(await Promise.all(arrivals)).toEqual(sockets.map(() => payload));
  expect(frames).toHaveBeenCalledTimes(1);
  expect(stats).toEqual({ written: 5, dropped: 0, bytes: Buffer.byteLength(eventPacket('room:events', JSON.stringify(payload))) });
  frames.mockRestore();
});

it('writes through engine.io for a polling socket, and behind packets engine.io still holds', async () => {
  const [polling] = await connectClients(1, ['polling']);
  const [busy] = await connectClients(1, ['websocket']);
  const [pollingServer, busyServer] = serverSockets.slice(-2) as [Socket, Socket];
  // Something queued in engine.io for `busy`: the frame must come after it, not overtake it.
  const order: string[] = [];
  busy!.onAny((event: string) => order.push(event));
  busyServer.emit('first');
  busyServer.emit('second');
  // The first went to the transport; the second waits in engine.io until that write completes.
  expect((busyServer.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length).toBeGreaterThan(0);
  const arrivals = [received(polling!), received(busy!)];
  const stats = new FrameWriter(1 << 20).write([pollingServer, busyServer], eventPacket('room:events', '{"roomId":"r2","events":[]}'));
  expect(await Promise.all(arrivals)).toEqual([{ roomId: 'r2', events: [] }, { roomId: 'r2', events: [] }]);
  expect(order).toEqual(['first', 'second', 'room:events']);
  expect(stats.written).toBe(2);
});

it('cuts a socket with more than the cap waiting, and tells the metric', async () => {
  const [slow] = await connectClients(1, ['websocket']);
  const slowServer = serverSockets.at(-1) as Socket;
  const transport = (slowServer.conn as unknown as { transport: { socket: { _socket: object } } }).transport;
  // As if the kernel buffer were full: writableLength is what the writer checks.
  Object.defineProperty(transport.socket._socket, 'writableLength', { get: () => 2048, configurable: true });
  const cut = jest.fn();
  const gone = new Promise<string>((resolve) => slow!.once('disconnect', resolve));
  const stats = new FrameWriter(1024, cut).write([slowServer], eventPacket('room:events', '{"roomId":"r3","events":[]}'));
  expect(stats).toMatchObject({ written: 0, dropped: 1 });
  expect(cut).toHaveBeenCalledTimes(1);
  expect(await gone).toBe('io server disconnect');
});
