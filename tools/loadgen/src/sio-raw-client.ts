/**
 * A minimal Socket.IO v5 (Engine.IO v4) client over a plain `ws` WebSocket.
 *
 * Why: 2,000 socket.io-client instances receiving tens of thousands of frames per second on a 2-core
 * box would make the load generator the bottleneck. This client only does what the loadgen needs:
 * websocket transport only, default or named namespace, text packets (no binary attachments),
 * CONNECT with auth, EVENT with/without ack id, ACK, answering server pings.
 *
 * Wire format reminders (https://socket.io/docs/v4/socket-io-protocol/):
 *   engine.io packet = <type digit><data>  (0 open, 1 close, 2 ping, 3 pong, 4 message, 5 upgrade, 6 noop)
 *   socket.io packet (inside engine "4") = <type digit>[<attachments>-][<nsp>,][<ack id>][<json>]
 *     (0 CONNECT, 1 DISCONNECT, 2 EVENT, 3 ACK, 4 CONNECT_ERROR, 5 BINARY_EVENT, 6 BINARY_ACK)
 */
import WebSocket from 'ws';

export const EIO_OPEN = 0;
export const EIO_CLOSE = 1;
export const EIO_PING = 2;
export const EIO_PONG = 3;
export const EIO_MESSAGE = 4;
export const EIO_UPGRADE = 5;
export const EIO_NOOP = 6;

export const SIO_CONNECT = 0;
export const SIO_DISCONNECT = 1;
export const SIO_EVENT = 2;
export const SIO_ACK = 3;
export const SIO_CONNECT_ERROR = 4;
export const SIO_BINARY_EVENT = 5;
export const SIO_BINARY_ACK = 6;

export type SioPacket =
  | { type: typeof SIO_CONNECT; nsp: string; data: unknown }
  | { type: typeof SIO_DISCONNECT; nsp: string }
  | { type: typeof SIO_EVENT; nsp: string; id: number | undefined; name: string; args: unknown[] }
  | { type: typeof SIO_ACK; nsp: string; id: number; args: unknown[] }
  | { type: typeof SIO_CONNECT_ERROR; nsp: string; data: unknown };

export class SioParseError extends Error {}

function nspPrefix(nsp: string): string {
  return nsp === '/' ? '' : `${nsp},`;
}

/** Full engine.io text frame for a socket.io CONNECT (`40{"token":"..."}`). */
export function encodeConnect(auth?: Record<string, unknown>, nsp = '/'): string {
  return `4${SIO_CONNECT}${nspPrefix(nsp)}${auth ? JSON.stringify(auth) : ''}`;
}

/** Full engine.io text frame for a socket.io EVENT (`42<id>["name",...args]`). */
export function encodeEvent(name: string, args: readonly unknown[], id?: number, nsp = '/'): string {
  return `4${SIO_EVENT}${nspPrefix(nsp)}${id ?? ''}${JSON.stringify([name, ...args])}`;
}

/** Full engine.io text frame for a socket.io ACK (`43<id>[...args]`). */
export function encodeAck(id: number, args: readonly unknown[], nsp = '/'): string {
  return `4${SIO_ACK}${nspPrefix(nsp)}${id}${JSON.stringify(args)}`;
}

export interface EioOpen {
  sid: string;
  pingInterval: number;
  pingTimeout: number;
  maxPayload: number;
}

export function parseEioOpen(data: string): EioOpen {
  const v: unknown = JSON.parse(data);
  if (typeof v !== 'object' || v === null) throw new SioParseError('bad open packet');
  const o = v as Record<string, unknown>;
  if (typeof o.sid !== 'string' || typeof o.pingInterval !== 'number' || typeof o.pingTimeout !== 'number') {
    throw new SioParseError('bad open packet');
  }
  return {
    sid: o.sid,
    pingInterval: o.pingInterval,
    pingTimeout: o.pingTimeout,
    maxPayload: typeof o.maxPayload === 'number' ? o.maxPayload : 1e6,
  };
}

/**
 * Parses a socket.io packet. `frame` is the full engine.io text frame starting with "4" (message).
 * Throws SioParseError on malformed input; binary packets are rejected (not supported).
 */
export function parseSioPacket(frame: string): SioPacket {
  if (frame.charCodeAt(0) !== 0x34 /* '4' */) throw new SioParseError('not an engine.io message');
  const type = frame.charCodeAt(1) - 0x30;
  if (!(type >= 0 && type <= 6)) throw new SioParseError(`bad socket.io packet type in ${frame.slice(0, 16)}`);
  if (type === SIO_BINARY_EVENT || type === SIO_BINARY_ACK) throw new SioParseError('binary packets unsupported');
  let i = 2;
  let nsp = '/';
  if (frame.charCodeAt(i) === 0x2f /* '/' */) {
    const comma = frame.indexOf(',', i);
    const end = comma === -1 ? frame.length : comma;
    nsp = frame.slice(i, end);
    i = comma === -1 ? frame.length : comma + 1;
  }
  let id: number | undefined;
  const idStart = i;
  while (i < frame.length) {
    const c = frame.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  if (i > idStart) id = Number(frame.slice(idStart, i));
  const json = frame.slice(i);
  let data: unknown;
  if (json.length > 0) {
    try {
      data = JSON.parse(json);
    } catch {
      throw new SioParseError('bad json payload');
    }
  }
  switch (type) {
    case SIO_CONNECT:
      return { type, nsp, data };
    case SIO_DISCONNECT:
      return { type, nsp };
    case SIO_CONNECT_ERROR:
      return { type, nsp, data };
    case SIO_EVENT: {
      if (!Array.isArray(data) || data.length === 0 || typeof data[0] !== 'string') {
        throw new SioParseError('bad event payload');
      }
      return { type, nsp, id, name: data[0], args: data.slice(1) };
    }
    case SIO_ACK: {
      if (id === undefined || !Array.isArray(data)) throw new SioParseError('bad ack payload');
      return { type, nsp, id, args: data };
    }
    default:
      throw new SioParseError('unsupported packet');
  }
}

/**
 * Cheap event-name extraction for an EVENT frame without ack id in the default namespace
 * (`42["name",...]`) — lets the client skip JSON.parse for events nobody listens to.
 * Returns undefined when the frame is anything else.
 */
export function peekEventName(frame: string): string | undefined {
  if (frame.charCodeAt(0) !== 0x34 || frame.charCodeAt(1) !== 0x32 || frame.charCodeAt(2) !== 0x5b /* [ */) {
    return undefined;
  }
  if (frame.charCodeAt(3) !== 0x22 /* " */) return undefined;
  const end = frame.indexOf('"', 4);
  if (end === -1) return undefined;
  const name = frame.slice(4, end);
  return name.includes('\\') ? undefined : name;
}

/** The same as peekEventName on the undecoded bytes of a message (only short ASCII names). */
export function peekEventNameBytes(frame: Buffer): string | undefined {
  if (frame[0] !== 0x34 || frame[1] !== 0x32 || frame[2] !== 0x5b || frame[3] !== 0x22) return undefined;
  const end = frame.indexOf(0x22, 4);
  if (end === -1 || end > 68) return undefined;
  const name = frame.toString('latin1', 4, end);
  return name.includes('\\') ? undefined : name;
}

export interface RawSioClientOptions {
  /** Sent as the CONNECT auth payload (`{ token }`). */
  auth?: Record<string, unknown>;
  nsp?: string;
  path?: string;
  /** Bound on ws open + engine open + socket.io CONNECT. */
  connectTimeoutMs?: number;
  /** Source address (e.g. 127.0.1.7): spreads many clients past one address's ephemeral ports. */
  localAddress?: string;
}

export class SioConnectError extends Error {
  constructor(
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export class AckTimeoutError extends Error {}
export class DisconnectedError extends Error {}

type EventHandler = (args: unknown[]) => void;
/** Receives the raw engine.io frame text (`42["name",...]`); parsing is up to the handler. */
type RawEventHandler = (frame: string) => void;

interface PendingAck {
  resolve: (args: unknown[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export function toWsUrl(baseUrl: string, path = '/socket.io'): string {
  const u = new URL(baseUrl);
  u.protocol = u.protocol === 'https:' || u.protocol === 'wss:' ? 'wss:' : 'ws:';
  u.pathname = `${path.replace(/\/$/, '')}/`;
  u.search = '?EIO=4&transport=websocket';
  return u.toString();
}

export class RawSioClient {
  private readonly handlers = new Map<string, EventHandler>();
  private readonly rawHandlers = new Map<string, RawEventHandler>();
  private readonly pending = new Map<number, PendingAck>();
  private nextId = 0;
  private pingWatchdog: NodeJS.Timeout | undefined;
  private pingBudgetMs = 60_000;
  private closed = false;
  private closeListeners: Array<(reason: string) => void> = [];
  sid = '';
  /** Frames that could not be parsed (should stay 0). */
  parseErrors = 0;

  private constructor(
    private readonly ws: WebSocket,
    private readonly nsp: string,
  ) {}

  static connect(baseUrl: string, opts: RawSioClientOptions = {}): Promise<RawSioClient> {
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    const nsp = opts.nsp ?? '/';
    return new Promise<RawSioClient>((resolve, reject) => {
      let settled = false;
      const ws = new WebSocket(toWsUrl(baseUrl, opts.path), {
        perMessageDeflate: false,
        handshakeTimeout: timeoutMs,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      });
      const client = new RawSioClient(ws, nsp);
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.shutdown(err.message);
        reject(err);
      };
      const timer = setTimeout(() => fail(new SioConnectError('connect timeout')), timeoutMs);
      ws.on('error', (err) => fail(new SioConnectError(`ws error: ${err.message}`)));
      ws.on('close', (code) => {
        if (!settled) fail(new SioConnectError(`ws closed during connect (${code})`));
        client.shutdown(`ws closed (${code})`);
      });
      ws.on('message', (raw, isBinary) => {
        if (isBinary) {
          client.parseErrors++;
          return;
        }
        // A viewer with no handler for an event skips it undecoded: most loadgen sockets only count.
        if (settled && Buffer.isBuffer(raw) && client.ignores(raw)) return;
        const frame = raw.toString();
        const t = frame.charCodeAt(0) - 0x30;
        if (t === EIO_MESSAGE) {
          if (settled) {
            client.onMessage(frame);
            return;
          }
          let p: SioPacket;
          try {
            p = parseSioPacket(frame);
          } catch (e) {
            fail(new SioConnectError(`bad packet during connect: ${(e as Error).message}`));
            return;
          }
          if (p.type === SIO_CONNECT && p.nsp === nsp) {
            const d = p.data as { sid?: unknown } | undefined;
            client.sid = typeof d?.sid === 'string' ? d.sid : '';
            settled = true;
            clearTimeout(timer);
            resolve(client);
          } else if (p.type === SIO_CONNECT_ERROR) {
            const d = p.data as { message?: unknown } | undefined;
            fail(new SioConnectError(typeof d?.message === 'string' ? d.message : 'connect_error', p.data));
          }
          return;
        }
        if (t === EIO_PING) {
          client.sendRaw('3');
          client.armWatchdog();
          return;
        }
        if (t === EIO_OPEN) {
          try {
            const open = parseEioOpen(frame.slice(1));
            client.pingBudgetMs = open.pingInterval + open.pingTimeout;
            client.armWatchdog();
            client.sendRaw(encodeConnect(opts.auth, nsp));
          } catch (e) {
            fail(new SioConnectError((e as Error).message));
          }
          return;
        }
        if (t === EIO_CLOSE) {
          fail(new SioConnectError('server closed'));
          client.shutdown('server close packet');
        }
        // pong / noop / upgrade: ignore
      });
    });
  }

  get connected(): boolean {
    return !this.closed;
  }

  /** Parsed handler for an event. */
  on(event: string, handler: EventHandler): this {
    this.handlers.set(event, handler);
    return this;
  }

  /** Raw handler: receives the untouched frame text; used for hot events to allow caching parses. */
  onRaw(event: string, handler: RawEventHandler): this {
    this.rawHandlers.set(event, handler);
    return this;
  }

  onClose(listener: (reason: string) => void): this {
    if (this.closed) listener('already closed');
    else this.closeListeners.push(listener);
    return this;
  }

  emit(event: string, ...args: unknown[]): void {
    this.sendRaw(encodeEvent(event, args, undefined, this.nsp));
  }

  emitWithAck(event: string, payload: unknown, timeoutMs: number): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new DisconnectedError('not connected'));
    const id = this.nextId++;
    return new Promise<unknown[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AckTimeoutError(`ack timeout for ${event}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.sendRaw(encodeEvent(event, [payload], id, this.nsp));
    });
  }

  close(): void {
    if (!this.closed) {
      try {
        this.sendRaw(`4${SIO_DISCONNECT}${nspPrefix(this.nsp)}`);
      } catch {
        /* ignore */
      }
    }
    this.shutdown('client close');
  }

  /** Hard close without the goodbye packet (fast teardown of thousands of sockets). */
  terminate(): void {
    this.shutdown('client terminate');
  }

  private sendRaw(frame: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  private armWatchdog(): void {
    if (this.pingWatchdog) this.pingWatchdog.refresh();
    else {
      this.pingWatchdog = setTimeout(() => this.shutdown('ping timeout'), this.pingBudgetMs);
      this.pingWatchdog.unref();
    }
  }

  /** An event message nobody here listens for (so it need not be decoded). */
  ignores(raw: Buffer): boolean {
    const name = peekEventNameBytes(raw);
    return name !== undefined && !this.rawHandlers.has(name) && !this.handlers.has(name);
  }

  private onMessage(frame: string): void {
    const name = peekEventName(frame);
    if (name !== undefined) {
      const raw = this.rawHandlers.get(name);
      if (raw) {
        raw(frame);
        return;
      }
      if (!this.handlers.has(name)) return; // nobody listens: skip JSON.parse
    }
    let p: SioPacket;
    try {
      p = parseSioPacket(frame);
    } catch {
      this.parseErrors++;
      return;
    }
    if (p.nsp !== this.nsp) return;
    if (p.type === SIO_EVENT) {
      this.handlers.get(p.name)?.(p.args);
    } else if (p.type === SIO_ACK) {
      const pend = this.pending.get(p.id);
      if (pend) {
        this.pending.delete(p.id);
        clearTimeout(pend.timer);
        pend.resolve(p.args);
      }
    } else if (p.type === SIO_DISCONNECT) {
      this.shutdown('server disconnect');
    }
  }

  private shutdown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.pingWatchdog) clearTimeout(this.pingWatchdog);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new DisconnectedError(`disconnected: ${reason}`));
    }
    this.pending.clear();
    try {
      this.ws.terminate();
    } catch {
      /* ignore */
    }
    const ls = this.closeListeners;
    this.closeListeners = [];
    for (const l of ls) l(reason);
  }
}
