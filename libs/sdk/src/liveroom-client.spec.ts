import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { Server as SocketIoServer } from 'socket.io';
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
