import { connect as tcpConnect, createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { connect, createRoom, StreamRecorder, TestSystem, tokenFor } from '#testing';
import { LiveroomClient, type RoomEvent } from '../src/index.js';

/** sendGift retries a gift whose ack was lost with the same idempotencyKey: the wallet is charged once. */
const system = new TestSystem({ gateways: 1, barrages: 1 });
const closers: (() => void)[] = [];
// Registered before useInTests(): clients and the proxy close before the system stops.
afterAll(() => closers.forEach((close) => close()));
const sockets = system.useInTests();

/**
 * A TCP proxy in front of a gateway that loses one gift:send ack: the first time the gateway answers
 * with a balance (only gift:send acks carry one), the proxy drops that answer and cuts the connection,
 * like a network failure right after the server charged. Later traffic passes through untouched.
 */
class AckLosingProxy {
  connections = 0;
  readonly lostAck: Promise<{ ok: true; txId: string; balance: number }>;
  private loseAck!: (ack: { ok: true; txId: string; balance: number }) => void;
  private cut = false;
  private readonly open = new Set<TcpSocket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    this.lostAck = new Promise((resolve) => (this.loseAck = resolve));
  }

  static async start(target: string): Promise<AckLosingProxy> {
    const { port: targetPort } = new URL(target);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new AckLosingProxy(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    server.on('connection', (client) => proxy.relay(client, tcpConnect(Number(targetPort), '127.0.0.1')));
    return proxy;
  }

  close(): void {
    for (const socket of this.open) socket.destroy();
    this.server.close();
  }

  private relay(client: TcpSocket, upstream: TcpSocket): void {
    this.connections++;
    for (const socket of [client, upstream]) {
      this.open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    // Server -> client WebSocket frames are not masked: the ack's JSON is readable on the wire.
    let seen = '';
    upstream.on('data', (chunk: Buffer) => {
      if (!this.cut) {
        seen = (seen + chunk.toString('latin1')).slice(-8192);
        const ack = /\[\{"ok":true,[^[\]]*"balance":[^[\]]*\}\]/.exec(seen);
        if (ack) {
          this.cut = true;
          this.loseAck(JSON.parse(ack[0])[0]);
          client.destroy();
          return;
        }
      }
      client.write(chunk);
    });
  }
}

async function http<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const res = await fetch(`${system.gateways[0]!.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Reads until `ok` holds (for state with no event to wait on), at most timeoutMs. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('retries a gift whose ack was lost with the same idempotencyKey: one charge, one gift event with its txId', async () => {
  const gateway = system.gateways[0]!.url;
  const admin = await tokenFor('root', { roles: ['admin'] });
  const gifter = await tokenFor('gifter', { name: 'Gifter' });
  const [gift] = (await http<{ id: string; price: number }[]>('GET', '/v1/gifts')).sort((a, b) => a.price - b.price);
  expect(await http('POST', '/v1/admin/wallets/gifter/credits', admin, { amount: 1000, idempotencyKey: 'gift-retry-topup-1' })).toMatchObject({ balance: 1000 });

  const room = await createRoom(gateway, await tokenFor('host'));
  const watcher = await connect(gateway);
  sockets.push(watcher);
  const watched = new StreamRecorder(watcher, room.id);
  await watched.join();

  const proxy = await AckLosingProxy.start(gateway);
  closers.push(() => proxy.close());
  const client = new LiveroomClient({ urls: [proxy.url], token: gifter, ackTimeoutMs: 3000, reconnectJitterMs: 0 });
  closers.push(() => client.close());
  const seenByGifter: RoomEvent[] = [];
  let gifterSawEvents: () => void = () => undefined;
  const gifterSawSome = new Promise<void>((resolve) => (gifterSawEvents = resolve));
  await client.join(room.id, {
    onEvents: (events) => {
      seenByGifter.push(...events);
      gifterSawEvents();
    },
  });

  const result = await client.sendGift(room.id, gift!.id, 2);
  // The first attempt was charged and its ack lost with the connection; the retry, on a new
  // connection, got that same result back.
  const lost = await proxy.lostAck;
  expect(proxy.connections).toBe(2);
  expect(result).toMatchObject({ txId: lost.txId, balance: 1000 - 2 * gift!.price });
  expect(lost.balance).toBe(result.balance);
  expect(await http('GET', '/v1/wallet', gifter)).toEqual({ userId: 'gifter', balance: 1000 - 2 * gift!.price });

  // Once every gift is announced, the room holds exactly one gift event: this txId.
  await watched.until(1);
  const check = await eventually(
    () => http<{ balanced: boolean; undispatchedOutbox: number }>('GET', '/v1/admin/ledger/check', admin),
    (c) => c.undispatchedOutbox === 0,
  );
  expect(check).toMatchObject({ balanced: true, undispatchedOutbox: 0 });
  expect(await http('GET', `/v1/rooms/${room.id}`)).toMatchObject({ seq: 1 });
  const expected = [expect.objectContaining({ seq: 1, type: 'gift', txId: result.txId, userId: 'gifter', giftId: gift!.id, count: 2 })];
  expect(watched.events).toEqual(expected);
  // The gifter's own stream (resumed on the new connection) shows it once too.
  await gifterSawSome;
  expect(seenByGifter).toEqual(expected);
});
