import { io, type Socket } from 'socket.io-client';
import { backoffMs, rankGateways } from './gateway-picker.js';
import { CohostApi, ModerationApi, type RequestSender } from './room-powers.js';
import { RoomStream } from './room-stream.js';
import {
  type Ack,
  type BarrageSendResult,
  type GiftSendResult,
  type LiveroomClientOptions,
  LiveroomRequestError,
  type RoomEvent,
  type RoomHandlers,
  type RoomJoinResult,
  type RoomKickedFrame,
  type RoomStatsFrame,
  type WireError,
} from './types.js';

type Listener = (...args: unknown[]) => void;
const RETRYABLE = new Set(['UNAVAILABLE', 'INTERNAL']);
/** How long a gateway whose connection died is tried after the others. */
const LOST_GATEWAY_AVOID_MS = 10_000;

/**
 * liveroom over Socket.IO: connects to the best-ranked gateway and fails over to the next, rejoins
 * every room with `sinceSeq` after any reconnect (so the application sees each event once, in
 * order), and retries writes with the same clientMsgId / idempotencyKey so a retry never doubles.
 */
export class LiveroomClient implements RequestSender {
  private socket: Socket | null = null;
  private readonly rooms = new Map<string, RoomStream>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;
  private connecting: Promise<void> | null = null;
  /** The connection was lost with rooms joined: the next connection, whoever opens it, resumes them. */
  private resumePending = false;
  /** Gateways to try last, until when: those that announced a drain, and one whose connection just died. */
  private readonly avoidUntil = new Map<string, number>();
  /** Rooms being rejoined on a new connection: their requests wait, or the gateway answers NOT_IN_ROOM. */
  private readonly resuming = new Map<string, Promise<void>>();
  private readonly ackTimeoutMs: number;
  /** Listeners of server events, attached to every socket this client opens. */
  private readonly serverListeners = new Map<string, Set<Listener>>();
  readonly cohost = new CohostApi(this);
  readonly moderation = new ModerationApi(this);

  constructor(private readonly options: LiveroomClientOptions) {
    if (options.urls.length === 0) throw new Error('at least one gateway URL is needed');
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
  }

  /**
   * 'connected' (url), 'disconnected' (reason), 'resumed' (roomId: the room's stream continues after
   * a reconnect, nothing missed), 'error' (Error): for status displays and logs.
   */
  on(event: 'connected' | 'disconnected' | 'resumed' | 'error', listener: Listener): () => void {
    const set = this.listeners.get(event) ?? new Set<Listener>();
    this.listeners.set(event, set.add(listener));
    return () => set.delete(listener);
  }

  /** A server -> client event (e.g. cohost:update), across reconnects and gateway changes. */
  onServer<T>(event: string, listener: (payload: T) => void): () => void {
    // Socket.IO listeners take any arguments; the payload type is the caller's contract.
    const untyped = listener as unknown as Listener;
    const set = this.serverListeners.get(event) ?? new Set<Listener>();
    this.serverListeners.set(event, set.add(untyped));
    this.socket?.on(event, untyped);
    return () => {
      set.delete(untyped);
      this.socket?.off(event, untyped);
    };
  }

  get url(): string | null {
    return this.socket?.connected ? (this.socket.io as unknown as { uri: string }).uri : null;
  }

  /** Resolves once a gateway connection is up: the current one, or a new one (one attempt at a time). */
  connect(): Promise<void> {
    if (this.socket?.connected) return Promise.resolve();
    this.connecting ??= this.connectLoop().finally(() => (this.connecting = null));
    return this.connecting;
  }

  async join(roomId: string, handlers: RoomHandlers): Promise<RoomJoinResult> {
    const stream = new RoomStream(roomId, handlers, (s) => void this.resume(s));
    this.rooms.set(roomId, stream);
    await this.connect();
    return this.rejoin(stream);
  }

  async leave(roomId: string): Promise<void> {
    this.rooms.delete(roomId);
    await this.request('room:leave', { roomId }).catch(() => undefined);
  }

  /** A barrage message; retried with the same clientMsgId, so it is never sent twice. */
  sendBarrage(roomId: string, text: string, extra: { color?: string; mode?: 'scroll' | 'top' | 'bottom' } = {}): Promise<BarrageSendResult> {
    return this.request<BarrageSendResult>('barrage:send', { roomId, text, clientMsgId: randomId(), ...extra });
  }

  /** A paid gift; retried with the same idempotencyKey, so the wallet is charged at most once. */
  sendGift(roomId: string, giftId: string, count = 1, idempotencyKey = randomId()): Promise<GiftSendResult> {
    return this.request<GiftSendResult>('gift:send', { roomId, giftId, count, idempotencyKey });
  }

  async like(roomId: string, count = 1): Promise<void> {
    await this.request('like:send', { roomId, count });
  }

  close(): void {
    this.closed = true;
    this.socket?.disconnect();
    this.socket = null;
  }

  /** Sends a request, retrying retryable failures (same payload: ids make the retry idempotent). */
  async request<T extends object>(event: string, payload: object, attempts = 4): Promise<T> {
    let lastError: WireError = { code: 'UNAVAILABLE', message: 'not connected' };
    for (let attempt = 0; attempt < attempts && !this.closed; attempt++) {
      try {
        if (!this.socket?.connected) await withDeadline(this.connect(), this.ackTimeoutMs, 'no gateway reachable');
        await this.roomResumed(payload);
        const ack = await this.emitWithAck<Ack<T>>(event, payload);
        if (ack.ok) return ack as T;
        lastError = ack.error;
        if (!RETRYABLE.has(ack.error.code)) break;
        await delay(ack.error.retryAfterMs ?? backoffMs(attempt));
      } catch (error) {
        lastError = { code: 'UNAVAILABLE', message: error instanceof Error ? error.message : String(error) };
        await delay(backoffMs(attempt));
      }
    }
    throw new LiveroomRequestError(lastError);
  }

  /** A request about a room that is being rejoined waits for the rejoin (at most ackTimeoutMs). */
  private async roomResumed(payload: object): Promise<void> {
    const roomId = (payload as { roomId?: unknown }).roomId;
    const resumed = typeof roomId === 'string' ? this.resuming.get(roomId) : undefined;
    if (resumed) await withDeadline(resumed, this.ackTimeoutMs, 'room not resumed').catch(() => undefined);
  }

  /** Rejoins until it works, the room is gone for good, or the client moved on (a later reconnect resumes). */
  private async resume(stream: RoomStream): Promise<void> {
    const socket = this.socket;
    for (let attempt = 0; !this.closed && this.socket === socket && this.rooms.get(stream.roomId) === stream; attempt++) {
      try {
        await this.rejoin(stream);
        this.emit('resumed', stream.roomId);
        return;
      } catch (error) {
        this.emit('error', error);
        if (error instanceof LiveroomRequestError && !RETRYABLE.has(error.code)) {
          this.rooms.delete(stream.roomId);
          return;
        }
        await delay(backoffMs(attempt));
      }
    }
  }

  private async rejoin(stream: RoomStream): Promise<RoomJoinResult> {
    const payload = stream.lastSeq === null ? { roomId: stream.roomId } : { roomId: stream.roomId, sinceSeq: stream.lastSeq };
    // The ack is applied in its callback, before any frame that followed it on the wire.
    stream.rejoining = true;
    try {
      const ack = await this.emitWithAck<Ack<RoomJoinResult>>('room:join', payload, (a) => a.ok && stream.applyJoin(a));
      if (!ack.ok) throw new LiveroomRequestError(ack.error);
      return ack;
    } finally {
      stream.rejoining = false;
    }
  }

  private emitWithAck<A>(event: string, payload: object, onAck?: (ack: A) => void): Promise<A> {
    const socket = this.socket;
    if (!socket?.connected) return Promise.reject(new Error('not connected'));
    return new Promise((resolve, reject) => {
      socket.timeout(this.ackTimeoutMs).emit(event, payload, (error: Error | null, ack: A) => {
        if (error) return reject(error);
        onAck?.(ack);
        resolve(ack);
      });
    });
  }

  private async connectLoop(): Promise<void> {
    const now = Date.now();
    const all = rankGateways(this.options.urls, this.options.affinityKey ?? '');
    // Avoided gateways last: still usable if every other one is down.
    const avoided = (u: string): boolean => (this.avoidUntil.get(u) ?? 0) > now;
    const ranked = [...all.filter((u) => !avoided(u)), ...all.filter(avoided)];
    for (let attempt = 0; !this.closed; attempt++) {
      const url = ranked[attempt % ranked.length] as string;
      try {
        const socket = await this.open(url);
        if (this.closed) {
          socket.close();
          break;
        }
        this.socket = socket;
        this.emit('connected', url);
        if (this.resumePending) {
          this.resumePending = false;
          for (const stream of this.rooms.values()) {
            // A throwing 'resumed'/'error' listener must not become an unhandled rejection.
            const resumed: Promise<void> = this.resume(stream)
              .catch(() => undefined)
              .finally(() => {
                if (this.resuming.get(stream.roomId) === resumed) this.resuming.delete(stream.roomId);
              });
            this.resuming.set(stream.roomId, resumed);
          }
        }
        return;
      } catch (error) {
        if (error instanceof Error && error.message === 'UNAUTHORIZED') {
          this.emit('error', error);
          throw new LiveroomRequestError({ code: 'UNAUTHORIZED', message: 'token refused' });
        }
        if (attempt % ranked.length === ranked.length - 1) await delay(backoffMs(Math.floor(attempt / ranked.length)));
      }
    }
    throw new Error('client closed');
  }

  private async open(url: string): Promise<Socket> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    const socket = io(url, {
      auth: token ? { token } : {},
      transports: this.options.transports ?? ['websocket'],
      reconnection: false,
      forceNew: true,
      // Generous: under a reconnect storm, giving up on a handshake the gateway already paid for
      // and starting another elsewhere only adds load.
      timeout: this.options.connectTimeoutMs ?? 20_000,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error: Error) => (socket.close(), reject(error)));
    });
    socket.on('room:events', (frame: { roomId: string; events: RoomEvent[] }) => this.rooms.get(frame.roomId)?.deliver(frame.events));
    socket.on('room:stats', (stats: RoomStatsFrame) => this.rooms.get(stats.roomId)?.handlers.onStats?.(stats));
    socket.on('room:kicked', (kicked: RoomKickedFrame) => {
      const stream = this.rooms.get(kicked.roomId);
      this.rooms.delete(kicked.roomId);
      stream?.handlers.onKicked?.(kicked);
    });
    socket.on('server:drain', (drain: { reconnectInMs?: number }) =>
      this.avoid(url, Math.max(30_000, 2 * (drain?.reconnectInMs ?? 0))),
    );
    socket.once('disconnect', (reason: string) => void this.onDisconnect(socket, reason, url));
    for (const [event, listeners] of this.serverListeners) for (const listener of listeners) socket.on(event, listener);
    return socket;
  }

  /** Another gateway (or the same, back again), then every room resumes where it stopped. */
  private async onDisconnect(socket: Socket, reason: string, url: string): Promise<void> {
    if (this.socket !== socket) return;
    this.socket = null;
    this.emit('disconnected', reason);
    if (this.closed || reason === 'io client disconnect') return;
    // The connection died (not closed by the server): the node is likely down, so try the next one
    // first instead of paying a refused or timed-out attempt on it. A server-side close (too slow, drain)
    // leaves the node a good choice.
    if (reason !== 'io server disconnect') this.avoid(url, LOST_GATEWAY_AVOID_MS);
    this.resumePending = this.rooms.size > 0;
    try {
      await delay(Math.random() * (this.options.reconnectJitterMs ?? 500));
      if (this.closed) return;
      await this.connect();
    } catch (error) {
      this.emit('error', error);
    }
  }

  private avoid(url: string, ms: number): void {
    this.avoidUntil.set(url, Math.max(this.avoidUntil.get(url) ?? 0, Date.now() + ms));
  }

  private emit(event: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(...args);
  }
}

/** Rejects after ms (the work itself goes on: a connection attempt stays useful for the next request). */
function withDeadline<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function randomId(): string {
  return globalThis.crypto.randomUUID();
}
