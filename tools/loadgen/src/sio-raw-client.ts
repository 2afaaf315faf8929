/**
 * A minimal Socket.IO v5 (Engine.IO v4) client over a lean WebSocket (lean-ws.ts).
 *
 * Why: 2,000 socket.io-client instances receiving tens of thousands of frames per second on a 2-core
 * box would make the load generator the bottleneck. This client only does what the loadgen needs:
 * websocket transport only, default or named namespace, text packets (no binary attachments),
 * CONNECT with auth, EVENT with/without ack id, ACK, answering server pings. Packets: sio-packets.ts.
 */
import { LeanWebSocket } from './lean-ws.js';
import {
  EIO_OPEN,
  EIO_CLOSE,
  EIO_PING,
  EIO_MESSAGE,
  SIO_CONNECT,
  SIO_DISCONNECT,
  SIO_EVENT,
  SIO_ACK,
  SIO_CONNECT_ERROR,
  type SioPacket,
  encodeConnect,
  encodeEvent,
  parseEioOpen,
  parseSioPacket,
  peekEventName,
  peekEventNameBytes,
  nspPrefix,
} from './sio-packets.js';

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
/** Receives the undecoded frame, bytes buf[start, end), only valid during the call. */
type RawBytesHandler = (buf: Buffer, start: number, end: number) => void;

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
  private readonly rawBytesHandlers = new Map<string, RawBytesHandler>();
  private readonly pending = new Map<number, PendingAck>();
  private nextId = 0;
  private pingWatchdog: NodeJS.Timeout | undefined;
  private pingBudgetMs = 60_000;
  private closed = false;
  private closeListeners: Array<(reason: string) => void> = [];
  sid = '';
  /** Frames that could not be parsed (should stay 0). */
  parseErrors = 0;

  private ws: LeanWebSocket | undefined;

  private constructor(private readonly nsp: string) {}

  static connect(baseUrl: string, opts: RawSioClientOptions = {}): Promise<RawSioClient> {
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    const nsp = opts.nsp ?? '/';
    return new Promise<RawSioClient>((resolve, reject) => {
      let settled = false;
      const client = new RawSioClient(nsp);
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.shutdown(err.message);
        reject(err);
      };
      const timer = setTimeout(() => fail(new SioConnectError('connect timeout')), timeoutMs);
      const onText = (frame: string): void => {
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
      };
      try {
        client.ws = new LeanWebSocket(
          toWsUrl(baseUrl, opts.path),
          {
            open: () => undefined,
            message: (buf, start, end) => {
              if (!(settled && client.takesBytes(buf, start, end))) onText(buf.toString('utf8', start, end));
            },
            binary: () => client.parseErrors++,
            close: (reason) => {
              if (!settled) fail(new SioConnectError(`ws closed during connect (${reason})`));
              client.shutdown(`ws closed (${reason})`);
            },
          },
          opts.localAddress ? { localAddress: opts.localAddress } : {},
        );
      } catch (e) {
        fail(new SioConnectError(`ws error: ${(e as Error).message}`));
      }
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

  /** Raw bytes handler: the undecoded frame, for the hottest events (decoded once per distinct frame). */
  onRawBytes(event: string, handler: RawBytesHandler): this {
    this.rawBytesHandlers.set(event, handler);
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
    this.ws?.send(frame);
  }

  private armWatchdog(): void {
    if (this.pingWatchdog) this.pingWatchdog.refresh();
    else {
      this.pingWatchdog = setTimeout(() => this.shutdown('ping timeout'), this.pingBudgetMs);
      this.pingWatchdog.unref();
    }
  }

  /**
   * Handles an event message on its undecoded bytes when it can: given to a raw bytes handler, or
   * skipped when nobody here listens for it (most loadgen sockets only count). False: decode it.
   */
  private takesBytes(buf: Buffer, start: number, end: number): boolean {
    const name = peekEventNameBytes(buf, start, end);
    if (name === undefined) return false;
    const bytesHandler = this.rawBytesHandlers.get(name);
    if (bytesHandler) {
      bytesHandler(buf, start, end);
      return true;
    }
    return !this.rawHandlers.has(name) && !this.handlers.has(name);
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
    this.ws?.terminate();
    const ls = this.closeListeners;
    this.closeListeners = [];
    for (const l of ls) l(reason);
  }
}
