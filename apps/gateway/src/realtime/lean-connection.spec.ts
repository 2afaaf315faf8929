import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { compactListeners, dropUpgradeErrorListener, dropUpgradeResponse, trimConnections } from './lean-connection.js';

/** What engine.io's WebSocketResponse constructor does to an upgraded TCP socket (engine.io build/server.js). */
const ENGINE_SOURCE = 'socket.once("close", () => this.emit("close"));';

it('matches the listener engine.io adds (an engine.io upgrade must keep dropUpgradeResponse in sync)', () => {
  const engineMain = createRequire(import.meta.url).resolve('engine.io');
  expect(readFileSync(join(dirname(engineMain), 'server.js'), 'utf8')).toContain(ENGINE_SOURCE);
});

it("removes only engine.io's upgrade-response listener from the TCP socket", () => {
  const socket = new EventEmitter();
  const response = new EventEmitter();
  // Compiled from engine.io's own source text, bound to the response as in its constructor.
  new Function('socket', ENGINE_SOURCE).call(response, socket);
  const wsListener = (): void => undefined;
  socket.on('close', wsListener);
  let responseClosed = false;
  response.on('close', () => (responseClosed = true));

  dropUpgradeResponse({ headers: {}, rawHeaders: [], socket });
  expect(socket.listeners('close')).toEqual([wsListener]);
  socket.emit('close');
  expect(responseClosed).toBe(false);
});

it("matches the listener engine.io leaves on a websocket that connected directly (keep dropUpgradeErrorListener in sync)", () => {
  const engineMain = createRequire(import.meta.url).resolve('engine.io');
  const source = readFileSync(join(dirname(engineMain), 'server.js'), 'utf8');
  expect(source).toContain('websocket.on("error", onUpgradeError);');
  expect(source).toContain('function onUpgradeError()');
});

it("removes only engine.io's onUpgradeError listener from the websocket", () => {
  const ws = new EventEmitter();
  function onUpgradeError(): void {}
  const transportOnError = (): void => undefined;
  ws.on('error', onUpgradeError);
  ws.on('error', transportOnError);
  dropUpgradeErrorListener(ws);
  expect(ws.listeners('error')).toEqual([transportOnError]);
  dropUpgradeErrorListener(undefined);
});

describe('compactListeners', () => {
  it('keeps every listener working in a table without inherited keys', () => {
    const emitter = new EventEmitter();
    const calls: string[] = [];
    emitter.on('message', (m: string) => calls.push(`a:${m}`));
    emitter.on('message', (m: string) => calls.push(`b:${m}`));
    emitter.once('close', () => calls.push('close'));
    const error = (): void => undefined;
    emitter.on('error', error);
    compactListeners(emitter as never);

    const table = (emitter as unknown as { _events: object })._events;
    expect(Object.getPrototypeOf(table)).not.toBeNull();
    expect(Object.getPrototypeOf(Object.getPrototypeOf(table))).toBeNull();
    expect('toString' in table).toBe(false);
    expect('constructor' in table).toBe(false);
    expect(emitter.emit('toString')).toBe(false);

    emitter.emit('message', 'x');
    emitter.emit('close');
    emitter.emit('close');
    emitter.removeListener('error', error);
    emitter.on('drain', () => calls.push('drain'));
    emitter.emit('drain');
    expect(calls).toEqual(['a:x', 'b:x', 'close', 'drain']);
    expect(emitter.listenerCount('message')).toBe(2);
    expect(emitter.listenerCount('error')).toBe(0);
    expect(emitter.eventNames()).toEqual(['message', 'drain']);
  });

  it("leaves streams' pre-shaped tables and non-emitters alone", () => {
    const tcp = new Socket();
    const before = (tcp as unknown as { _events: object })._events;
    compactListeners(tcp as never);
    expect((tcp as unknown as { _events: object })._events).toBe(before);
    compactListeners(undefined);
    compactListeners({} as never);
  });
});

describe('trimConnections on a real Socket.IO server', () => {
  let io: Server;
  let port: number;
  const clients: ClientSocket[] = [];

  beforeAll(async () => {
    const http = createServer();
    io = new Server(http);
    trimConnections(io);
    io.on('connection', (socket) => {
      socket.on('echo', (value: unknown, ack: (v: unknown) => void) => ack(value));
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    port = (http.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await io.close();
  });

  const isListenerTable = (events: unknown): boolean =>
    Object.getPrototypeOf(events) !== null && Object.getPrototypeOf(Object.getPrototypeOf(events)) === null;

  async function connected(transports: ('websocket' | 'polling')[]): Promise<{ client: ClientSocket; server: ServerSocket }> {
    const serverSide = new Promise<ServerSocket>((resolve) => io.once('connection', resolve));
    const client = ioClient(`http://127.0.0.1:${port}`, { transports, reconnection: false });
    clients.push(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('connect_error', reject);
    });
    return { client, server: await serverSide };
  }

  interface Internals {
    _events: unknown;
    conn: { _events: unknown; transport: { name: string; _events: unknown; socket: { _events: unknown } } };
  }

  it('compacts the websocket connection and it still carries events both ways, and its close', async () => {
    const { client, server } = await connected(['websocket']);
    const s = server as unknown as Internals;
    expect(isListenerTable(s._events)).toBe(true);
    expect(isListenerTable(s.conn._events)).toBe(true);
    expect(isListenerTable(s.conn.transport._events)).toBe(true);
    expect(isListenerTable(s.conn.transport.socket._events)).toBe(true);

    await expect(client.timeout(2000).emitWithAck('echo', { n: 1 })).resolves.toEqual({ n: 1 });
    const toClient = new Promise((resolve) => client.once('note', resolve));
    server.emit('note', 'hi');
    await expect(toClient).resolves.toBe('hi');
    const closed = new Promise((resolve) => server.once('disconnect', resolve));
    client.disconnect();
    await expect(closed).resolves.toBe('client namespace disconnect');
  });

  it('compacts a polling session once it upgrades to websocket', async () => {
    const { client, server } = await connected(['polling', 'websocket']);
    const s = server as unknown as Internals;
    if (s.conn.transport.name !== 'websocket') await new Promise((resolve) => (server.conn as unknown as EventEmitter).once('upgrade', resolve));
    expect(isListenerTable(s.conn._events)).toBe(true);
    expect(isListenerTable(s.conn.transport._events)).toBe(true);
    await expect(client.timeout(2000).emitWithAck('echo', 'after upgrade')).resolves.toBe('after upgrade');
    const closed = new Promise((resolve) => server.once('disconnect', resolve));
    client.disconnect();
    await expect(closed).resolves.toBe('client namespace disconnect');
  });
});
