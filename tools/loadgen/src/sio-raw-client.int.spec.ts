/** Verifies the raw client against a real in-process socket.io server. */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { RawSioClient, SioConnectError } from './sio-raw-client.js';

describe('RawSioClient against socket.io', () => {
  let http: HttpServer;
  let io: Server;
  let url: string;

  beforeAll(async () => {
    http = createServer();
    io = new Server(http, { pingInterval: 100, pingTimeout: 200 });
    io.use((socket, next) => {
      const token: unknown = socket.handshake.auth?.token;
      if (token === 'bad') return next(new Error('UNAUTHORIZED'));
      socket.data.token = token;
      next();
    });
    io.on('connection', (socket) => {
      socket.on('room:join', (payload: { roomId: string }, ack: (r: unknown) => void) => {
        void socket.join(payload.roomId);
        ack({ ok: true, room: { id: payload.roomId, seq: 41 }, token: socket.data.token });
        socket.emit('room:events', { roomId: payload.roomId, events: [{ seq: 42, type: 'barrage', text: 'hi' }] });
      });
      socket.on('fire', (n: number) => {
        for (let i = 0; i < n; i++) io.to('r1').emit('room:events', { roomId: 'r1', events: [{ seq: 100 + i }] });
      });
      socket.on('noreply', () => undefined);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await io.close();
  });

  it('connects with auth, gets acks and events, survives pings', async () => {
    const client = await RawSioClient.connect(url, { auth: { token: 't1' }, connectTimeoutMs: 2000 });
    expect(client.sid).toMatch(/.+/);
    const parsed: unknown[][] = [];
    const raw: string[] = [];
    client.on('room:events', (args) => parsed.push(args));
    const ack = await client.emitWithAck('room:join', { roomId: 'r1' }, 2000);
    expect(ack).toEqual([{ ok: true, room: { id: 'r1', seq: 41 }, token: 't1' }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(parsed).toEqual([[{ roomId: 'r1', events: [{ seq: 42, type: 'barrage', text: 'hi' }] }]]);

    client.onRaw('room:events', (frame) => raw.push(frame));
    client.emit('fire', 3);
    // several ping cycles (interval 100 ms, timeout 200 ms): the client must answer pongs to stay connected
    await new Promise((r) => setTimeout(r, 700));
    expect(client.connected).toBe(true);
    expect(raw).toEqual([100, 101, 102].map((s) => `42["room:events",{"roomId":"r1","events":[{"seq":${s}}]}]`));
    expect(io.sockets.sockets.size).toBe(1);
    await expect(client.emitWithAck('noreply', {}, 100)).rejects.toThrow('ack timeout');
    client.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(io.sockets.sockets.size).toBe(0);
  });

  it('hands undecoded bytes to a raw bytes handler, and skips events nobody listens for', async () => {
    const client = await RawSioClient.connect(url, { auth: { token: 't2' }, connectTimeoutMs: 2000 });
    const bytes: string[] = [];
    const unused: unknown[] = [];
    client.on('room:other', (args) => unused.push(args));
    await client.emitWithAck('room:join', { roomId: 'r1' }, 2000);
    client.onRawBytes('room:events', (buf, start, end) => bytes.push(buf.toString('utf8', start, end)));
    client.emit('fire', 2);
    // An ack round trip after the fire: by then both broadcasts have arrived (one connection, in order).
    // (Each join's own room:events, seq 42, follows its ack: it may or may not be in yet.)
    await client.emitWithAck('room:join', { roomId: 'r1' }, 2000);
    expect(bytes.filter((b) => !b.includes('"seq":42'))).toEqual([100, 101].map((s) => `42["room:events",{"roomId":"r1","events":[{"seq":${s}}]}]`));
    expect([unused, client.parseErrors]).toEqual([[], 0]);
    client.close();
  });

  it('reports a refused connection as SioConnectError UNAUTHORIZED', async () => {
    await expect(RawSioClient.connect(url, { auth: { token: 'bad' }, connectTimeoutMs: 2000 })).rejects.toEqual(
      new SioConnectError('UNAUTHORIZED'),
    );
  });

  it('times out connecting to a dead port', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    await expect(RawSioClient.connect(`http://127.0.0.1:${port}`, { connectTimeoutMs: 500 })).rejects.toBeInstanceOf(
      SioConnectError,
    );
  });
});
