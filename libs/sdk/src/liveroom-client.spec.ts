import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { Server as SocketIoServer, type Socket as ServerSocket } from 'socket.io';
import { rankGateways } from './gateway-picker.js';
import { LiveroomClient } from './liveroom-client.js';
import { LiveroomRequestError } from './types.js';

/** A local port with nothing listening: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

it('rejects a request with UNAVAILABLE when no gateway is reachable, instead of waiting forever', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const client = new LiveroomClient({ urls: [url], ackTimeoutMs: 200 });
  try {
    const failure = await client.sendBarrage('r1', 'hello').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(LiveroomRequestError);
    expect((failure as LiveroomRequestError).code).toBe('UNAVAILABLE');
  } finally {
    client.close();
  }
}, 20_000);

it('close() ends a connection attempt that is still retrying', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`;
  const client = new LiveroomClient({ urls: [url] });
  const attempt = client.connect();
  client.close();
  await expect(attempt).rejects.toThrow('client closed');
  expect(client.url).toBeNull();
});

describe('after a lost connection', () => {
  let servers: SocketIoServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    servers = [];
  });

  /** Two bare Socket.IO servers standing in for gateways; returns their URLs, best-ranked first. */
  async function gateways(): Promise<{ first: SocketIoServer; urls: [string, string] }> {
    const byUrl = new Map<string, SocketIoServer>();
    for (let i = 0; i < 2; i++) {
      const http = createHttpServer();
      const io = new SocketIoServer(http);
      servers.push(io);
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      byUrl.set(`http://127.0.0.1:${(http.address() as { port: number }).port}`, io);
    }
    const urls = rankGateways([...byUrl.keys()], 'room-1') as [string, string];
    return { first: byUrl.get(urls[0]) as SocketIoServer, urls };
  }

  async function reconnectAfter(cut: (first: SocketIoServer) => void): Promise<{ urls: [string, string]; before: string; after: string }> {
    const { first, urls } = await gateways();
    const client = new LiveroomClient({ urls: [...urls].reverse(), affinityKey: 'room-1', reconnectJitterMs: 0 });
    try {
      await client.connect();
      const before = client.url as string;
      const reconnected = new Promise<string>((resolve) => client.on('connected', (url) => resolve(url as string)));
      cut(first);
      return { urls, before, after: await reconnected };
    } finally {
      client.close();
    }
  }

  it('tries the other gateway first when the connection died (the node is likely down)', async () => {
    const { urls, before, after } = await reconnectAfter((first) => {
      for (const socket of first.of('/').sockets.values()) socket.conn.close(); // 'transport close' at the client
    });
    expect(before).toBe(urls[0]);
    expect(after).toBe(urls[1]);
  });

  it('comes back to the same gateway when that gateway closed the connection itself', async () => {
    const { urls, before, after } = await reconnectAfter((first) => {
      for (const socket of first.of('/').sockets.values()) socket.disconnect(true); // 'io server disconnect'
    });
    expect(before).toBe(urls[0]);
    expect(after).toBe(urls[0]);
  });
});

/** Bare Socket.IO servers standing in for gateways, closed after each test. */
class FakeGateways {
  private readonly servers: SocketIoServer[] = [];
  /** Every handshake any of them saw, in order (the URL it reached). */
  readonly attempts: string[] = [];
  /** Gateways whose handshakes are refused (connect_error 'UNAVAILABLE'), as a draining gateway does. */
  readonly refusing = new Set<string>();

  /** n gateways; returns them ranked for `key`, best first. */
  async start(n: number, key: string): Promise<{ url: string; io: SocketIoServer }[]> {
    const started: { url: string; io: SocketIoServer }[] = [];
    for (let i = 0; i < n; i++) {
      const http = createHttpServer();
      const io = new SocketIoServer(http);
      this.servers.push(io);
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
      io.use((_socket, next) => {
        this.attempts.push(url);
        next(this.refusing.has(url) ? new Error('UNAVAILABLE') : undefined);
      });
      started.push({ url, io });
    }
    const ranked = rankGateways(started.map((g) => g.url), key);
    return ranked.map((url) => started.find((g) => g.url === url)!);
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/** The URL of the client's next connection. */
function nextConnection(client: LiveroomClient): Promise<string> {
  return new Promise((resolve) => {
    const off = client.on('connected', (url) => (off(), resolve(url as string)));
  });
}

describe('after server:drain', () => {
  let fakes: FakeGateways;
  const realNow = Date.now;
  beforeEach(() => (fakes = new FakeGateways()));
  afterEach(async () => {
    Date.now = realNow;
    await fakes.close();
  });
  /** Moves the clock the SDK reads (Date.now) forward; timers and sockets are unaffected. */
  const clockAhead = (ms: number) => (Date.now = () => realNow() + ms);

  /** What a draining gateway does: server:drain to each client, then a server-side disconnect. */
  const drain = (io: SocketIoServer) => {
    for (const socket of io.of('/').sockets.values()) {
      socket.emit('server:drain', { reconnectInMs: 1000 });
      socket.disconnect(true);
    }
  };
  /** A server-side close without a drain: on its own it leaves the gateway first choice. */
  const closeAll = (io: SocketIoServer) => {
    for (const socket of io.of('/').sockets.values()) socket.disconnect(true);
  };

  it('prefers the other gateways for 30 s, although the drained one ranks first', async () => {
    const [a, b] = await fakes.start(2, 'room-1');
    const client = new LiveroomClient({ urls: [b!.url, a!.url], affinityKey: 'room-1', reconnectJitterMs: 0 });
    try {
      await client.connect();
      expect(client.url).toBe(a!.url);

      let moved = nextConnection(client);
      drain(a!.io);
      expect(await moved).toBe(b!.url);

      // 29 s later B closes the connection itself: A is still avoided.
      clockAhead(29_000);
      moved = nextConnection(client);
      closeAll(b!.io);
      expect(await moved).toBe(b!.url);

      // After 30 s A is the first choice again.
      clockAhead(31_000);
      moved = nextConnection(client);
      closeAll(b!.io);
      expect(await moved).toBe(a!.url);

      // A was not even tried while it was avoided.
      expect(fakes.attempts).toEqual([a!.url, b!.url, b!.url, a!.url]);
    } finally {
      client.close();
    }
  }, 10_000);

  it('tries the drained gateway last, and still uses it when every other gateway refuses', async () => {
    const [a, b, c] = await fakes.start(3, 'room-1');
    const client = new LiveroomClient({ urls: [c!.url, b!.url, a!.url], affinityKey: 'room-1', reconnectJitterMs: 0 });
    try {
      await client.connect();
      expect(client.url).toBe(a!.url);
      fakes.refusing.add(b!.url).add(c!.url);

      const moved = nextConnection(client);
      drain(a!.io);
      expect(await moved).toBe(a!.url);
      expect(fakes.attempts).toEqual([a!.url, b!.url, c!.url, a!.url]);
    } finally {
      client.close();
    }
  }, 10_000);
});

describe('sendGift retries', () => {
  let fakes: FakeGateways;
  beforeEach(() => (fakes = new FakeGateways()));
  afterEach(() => fakes.close());

  const okAck = { ok: true, txId: 'tx-1', balance: 90 };
  type Ack = (answer: unknown) => void;
  // How the first attempt fails, each time after the server may have charged (it received the request).
  it.each<[string, (socket: ServerSocket, ack: Ack) => void]>([
    ['the connection drops before the ack', (socket) => socket.conn.close()],
    ['the ack never comes', () => undefined],
    ['the server answers UNAVAILABLE', (_socket, ack) => ack({ ok: false, error: { code: 'UNAVAILABLE', message: 'down', retryAfterMs: 10 } })],
  ])('sends the same idempotencyKey on every attempt when %s', async (_how, failFirst) => {
    const [gateway] = await fakes.start(1, 'room-1');
    const received: unknown[] = [];
    gateway!.io.on('connection', (socket) =>
      socket.on('gift:send', (payload: unknown, ack: Ack) => {
        received.push(payload);
        if (received.length === 1) failFirst(socket, ack);
        else ack(okAck);
      }),
    );
    const client = new LiveroomClient({ urls: [gateway!.url], ackTimeoutMs: 300, reconnectJitterMs: 0 });
    try {
      const result = await client.sendGift('room-1', 'rose', 2);
      expect(result).toMatchObject({ txId: 'tx-1', balance: 90 });
      expect(received).toHaveLength(2);
      expect(received[0]).toEqual({ roomId: 'room-1', giftId: 'rose', count: 2, idempotencyKey: expect.stringMatching(/^.{8,128}$/) });
      expect(received[1]).toEqual(received[0]);
    } finally {
      client.close();
    }
  }, 10_000);
});

describe('a write retried on a new connection', () => {
  let fakes: FakeGateways;
  beforeEach(() => (fakes = new FakeGateways()));
  afterEach(() => fakes.close());

  it('waits for the room to be rejoined there, instead of failing with NOT_IN_ROOM', async () => {
    const [gateway] = await fakes.start(1, 'room-1');
    const emptyRoom = { id: 'room-1', title: '', hostId: 'h', live: true, seq: 0, viewers: 0, likes: 0, slowModeSec: 0, cohosts: [], recent: [] };
    let gifts = 0;
    // Like the gateway: a join takes a while (Redis reads), and writes need the room joined.
    gateway!.io.on('connection', (socket) => {
      let joined = false;
      socket.on('room:join', (_payload: unknown, ack: (answer: unknown) => void) =>
        setTimeout(() => {
          joined = true;
          ack({ ok: true, room: emptyRoom, missed: [] });
        }, 300),
      );
      socket.on('gift:send', (_payload: unknown, ack: (answer: unknown) => void) => {
        if (!joined) return ack({ ok: false, error: { code: 'NOT_IN_ROOM', message: 'join first' } });
        if (++gifts === 1) return socket.conn.close(); // the first attempt's ack is lost with the connection
        ack({ ok: true, txId: 'tx-1', balance: 90 });
      });
    });
    const client = new LiveroomClient({ urls: [gateway!.url], ackTimeoutMs: 2000, reconnectJitterMs: 0 });
    try {
      await client.join('room-1', {});
      await expect(client.sendGift('room-1', 'rose')).resolves.toMatchObject({ txId: 'tx-1' });
      expect(gifts).toBe(2);
    } finally {
      client.close();
    }
  }, 10_000);
});
