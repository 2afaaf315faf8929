import type { Server, Socket } from 'socket.io';

/*
 * What Socket.IO, engine.io, ws and Node's HTTP server leave on every connection that nothing reads
 * after the handshake, trimmed once per connection. Per-connection memory is what decides how many
 * viewers a gateway holds (BENCHMARKS.md, "Connection density").
 */

/** The parts of an upgrade request (IncomingMessage, plus engine.io's field) dropped after the handshake. */
export interface UpgradeRequest {
  headers: Record<string, unknown>;
  rawHeaders: string[];
  websocket?: unknown;
  socket?: { rawListeners(event: 'close'): unknown[]; removeListener(event: 'close', listener: unknown): void } | null;
}

/**
 * Engine.IO's WebSocketResponse (server.js, `socket.once("close", () => this.emit("close"))`) keeps a
 * listener on the TCP socket whose closure holds that response and the upgrade request for the life of
 * the connection; it only re-emits 'close' on the response, which nothing listens to after the
 * handshake. Removing it frees the request (~0.6 KB per connection).
 */
export function dropUpgradeResponse(request: UpgradeRequest): void {
  const socket = request.socket;
  if (!socket) return;
  for (const wrapper of socket.rawListeners('close')) {
    const listener = (wrapper as { listener?: unknown }).listener;
    if (typeof listener === 'function' && listener.toString() === '() => this.emit("close")') socket.removeListener('close', wrapper);
  }
}

/** The parts of an engine.io socket's websocket transport that outlive the handshake. */
interface EngineWebSocket {
  listeners(event: 'error'): unknown[];
  removeListener(event: 'error', listener: (...args: unknown[]) => void): void;
}

/**
 * For a connection that starts on websocket, engine.io (server.js, onWebSocket) leaves its
 * `onUpgradeError` listener on the ws for the life of the connection (it removes it only when a polling
 * session upgrades); the transport has its own error listener. Dropping it saves a closure and a
 * listener array per connection (~0.1 KB).
 */
export function dropUpgradeErrorListener(ws: EngineWebSocket | undefined): void {
  for (const listener of ws?.listeners('error') ?? []) {
    if (typeof listener === 'function' && listener.name === 'onUpgradeError') ws?.removeListener('error', listener as (...args: unknown[]) => void);
  }
}

type ListenerMap = Record<string | symbol, unknown>;

/**
 * A listener table V8 keeps as a fast object: instances of a plain constructor whose prototype has
 * no prototype (no inherited keys such as `toString`, as EventEmitter requires). Node's own
 * EventEmitter used this (`EventHandlers`) before it switched to `{ __proto__: null }`, which V8
 * stores as a hash table: ~330 bytes for a websocket's handful of events instead of ~70 (heap snapshots).
 */
const ListenerTable = function ListenerTable(): void {} as unknown as { new (): ListenerMap; prototype: object };
ListenerTable.prototype = Object.create(null) as object;

interface Emitter {
  _events?: unknown;
}

/**
 * Moves an EventEmitter's listeners into a ListenerTable. Only null-prototype tables are moved:
 * Node's streams (the TCP socket, ws's receiver) already pre-shape theirs. Listeners added later
 * extend the fast object; removing an event's last listener turns it back into a hash table (the
 * default's size), so nothing is lost either way.
 */
export function compactListeners(emitter: Emitter | undefined | null): void {
  const events = emitter?._events;
  if (!emitter || typeof events !== 'object' || events === null || Object.getPrototypeOf(events) !== null) return;
  const table = new ListenerTable();
  for (const key of Reflect.ownKeys(events)) table[key] = (events as ListenerMap)[key];
  emitter._events = table;
}

/** Engine.IO's websocket transport and the ws socket under it, as far as this file touches them. */
interface EngineTransport extends Emitter {
  name?: string;
  socket?: Emitter & EngineWebSocket;
}

interface EngineSocket extends Emitter {
  transport?: EngineTransport;
  once(event: 'upgrade', listener: (transport: EngineTransport) => void): unknown;
}

function trimTransport(transport: EngineTransport | undefined): void {
  if (transport?.name !== 'websocket') return;
  const ws = transport.socket;
  dropUpgradeErrorListener(ws);
  compactListeners(transport);
  compactListeners(ws);
}

/** Trims every connection of the server once it is connected (and its websocket, once it has one). */
export function trimConnections(server: Server): void {
  // Engine.IO keeps each session's first HTTP request (headers, socket, parser state) for the life of
  // the connection; nothing here reads it after the handshake (Socket.IO docs, "Memory usage").
  // A websocket upgrade's request is also reachable from engine.io's upgrade response (a 'close'
  // listener on the TCP socket): that listener goes, and the headers are emptied either way.
  server.engine.on('connection', (raw: { request: UpgradeRequest | null }) => {
    const request = raw.request;
    raw.request = null;
    if (request) {
      dropUpgradeResponse(request);
      request.headers = {};
      request.rawHeaders = [];
      request.websocket = undefined;
    }
  });
  // Registered before Nest binds its handlers: the listeners they add extend the compacted tables.
  server.on('connection', (socket: Socket) => {
    const conn = socket.conn as unknown as EngineSocket;
    compactListeners(socket as unknown as Emitter);
    compactListeners(conn);
    if (conn.transport?.name === 'websocket') {
      trimTransport(conn.transport);
      return;
    }
    // A polling session: its websocket transport once it upgrades (its own table stays a fast object:
    // the upgrade removes listeners only from events that keep others).
    conn.once('upgrade', trimTransport);
  });
}
