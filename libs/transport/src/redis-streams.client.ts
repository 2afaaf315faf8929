import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ClientProxy, type MsPattern, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { LiveroomError, type WireError } from '#contracts';
import { createRedis, quietQuit } from '#redis';
import { ConnectionEvents } from './connection-events.js';
import { decodeReply, encodeMessage } from './stream-message.js';
import { startOutgoing } from './trace-context.js';
import type { ConnectionRole, RedisStreamsEvents, RedisStreamsStatus } from './transport-options.js';
import { validateOptions } from './transport-options.js';

/** Entries a request stream may hold (approximately) before the oldest are trimmed. */
const MAX_STREAM_LENGTH = 100_000;

export interface RedisStreamsClientOptions {
  redisUrl: string;
  /** Same prefix as the servers' (`RedisKeys.transportPrefix()`), e.g. `lr:rpc:`. */
  prefix: string;
  /** Target service: requests go to stream `${prefix}${service}`. */
  service: string;
  /** How long a request may wait for its reply (default 4000 ms); also its deadline server-side. */
  timeoutMs?: number;
}

type Pending = { callback: (packet: WritePacket) => void; timer: NodeJS.Timeout };
/**
 * Nest client for RedisStreamsServer. Requests are XADDed to the service's stream and answered on
 * this client's own pub/sub reply channel. Every failure reaches the caller as a WireError
 * (`request(...)` and `firstValueFrom(client.send(...))` reject with one, ready for `LiveroomError.from`):
 * no replica answering in time, Redis unreachable and client shutdown are all UNAVAILABLE.
 */
export class RedisStreamsClient extends ClientProxy<RedisStreamsEvents, RedisStreamsStatus> {
  private readonly logger = new Logger(RedisStreamsClient.name);
  private readonly events = new ConnectionEvents(this.logger, (status) => this._status$.next(status));
  readonly clientId = randomUUID();
  readonly stream: string;
  readonly replyChannel: string;
  private readonly timeoutMs: number;
  private cmd: Redis | null = null;
  private sub: Redis | null = null;
  private connecting: Promise<void> | null = null;
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: RedisStreamsClientOptions) {
    super();
    this.stream = `${options.prefix}${options.service}`;
    this.replyChannel = `${options.prefix}reply:${this.clientId}`;
    this.timeoutMs = options.timeoutMs ?? 4000;
    validateOptions({ timeoutMs: this.timeoutMs });
  }

  /** Idempotent. Rejects with an UNAVAILABLE LiveroomError if Redis cannot be reached (next call retries). */
  connect(): Promise<void> {
    this.connecting ??= this.openConnections().catch((error: unknown) => {
      this.connecting = null;
      this.dropConnections();
      throw new LiveroomError('UNAVAILABLE', `redis unreachable: ${describe(error)}`, 1000);
    });
    return this.connecting;
  }

  private async openConnections(): Promise<void> {
    // No offline queue and no retries on the command connection: while Redis is down, XADD fails
    // at once and the caller gets UNAVAILABLE instead of waiting for its timeout.
    const cmd = createRedis(this.options.redisUrl, `${this.options.service}-client:cmd`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      // Bounds commands stuck on a half-dead socket. Not shorter than a request's own timeout:
      // a burst of XADDs on a busy Redis may legitimately take a while.
      commandTimeout: this.timeoutMs,
      disconnectTimeout: 200, // ioredis keeps a timer this long after disconnecting a dead socket
      // The XADDs of all requests made in one event-loop turn leave in one write.
      enableAutoPipelining: true,
    });
    const sub = createRedis(this.options.redisUrl, `${this.options.service}-client:sub`, {
      lazyConnect: true,
      connectTimeout: 1000,
      disconnectTimeout: 200,
    });
    this.cmd = cmd;
    this.sub = sub;
    this.events.bind(cmd, 'cmd');
    this.events.bind(sub, 'sub');
    sub.on('message', (channel: string, raw: string) => this.onReply(channel, raw));
    await Promise.all([cmd.connect(), sub.connect()]);
    // Replies are only published once a request is in the stream, and requests are only sent
    // after connect() resolved: subscribing here means no reply can be missed.
    await sub.subscribe(this.replyChannel);
    this._status$.next('connected');
  }

  /**
   * One request, its reply as a promise: what `firstValueFrom(send(pattern, data))` gives (rejects with
   * the WireError), without the RxJS pipeline `send` builds for every call. For the gateway's hot path.
   * A handler that returns nothing resolves `undefined` here, where `send()` completes empty.
   */
  async request(pattern: MsPattern, data: unknown): Promise<unknown> {
    await this.connect(); // the settled promise once connected; while connecting, wait as send() does
    return new Promise<unknown>((resolve, reject) => {
      this.publish(this.createPacket(pattern, data), ({ err, response }) => (err ? reject(err) : resolve(response)));
    });
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const id = randomUUID();
    const pattern = this.normalizePattern(packet.pattern);
    const traced = startOutgoing(this.stream, pattern, 'request', packet.metadata);
    let fields: string[];
    try {
      fields = encodeMessage({
        kind: 'request',
        id,
        pattern,
        data: packet.data,
        replyTo: this.replyChannel,
        deadline: Date.now() + this.timeoutMs,
        headers: traced.headers,
      });
    } catch (error) {
      // Data that cannot be encoded (a BigInt, a cycle): refused before anything waits for a reply.
      traced.end({ code: 'INTERNAL', message: describe(error) });
      throw error;
    }
    const fail = (err: WireError): void => {
      const entry = this.pending.get(id);
      if (!entry) return;
      clearTimeout(entry.timer);
      this.pending.delete(id);
      entry.callback({ err, isDisposed: true });
    };
    const timer = setTimeout(
      () => fail(unavailable(`service ${this.options.service} did not answer in time`)),
      this.timeoutMs,
    );
    const settle = !traced.active
      ? callback
      : (reply: WritePacket): void => {
          traced.end(reply.err === undefined || reply.err === null ? undefined : LiveroomError.from(reply.err).toWire());
          callback(reply);
        };
    this.pending.set(id, { callback: settle, timer });
    this.xadd(fields).catch((error: unknown) =>
      fail(unavailable(`service ${this.options.service} unreachable: ${describe(error)}`)),
    );
    // Teardown (unsubscribe, or after the reply): forget the request, a late reply is ignored.
    return () => {
      const entry = this.pending.get(id);
      if (entry) clearTimeout(entry.timer);
      this.pending.delete(id);
      traced.end();
    };
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const pattern = this.normalizePattern(packet.pattern);
    const traced = startOutgoing(this.stream, pattern, 'event', packet.metadata);
    const fields = encodeMessage({ kind: 'event', pattern, data: packet.data, headers: traced.headers });
    try {
      await this.xadd(fields);
    } catch (error) {
      const err = unavailable(`service ${this.options.service} unreachable: ${describe(error)}`);
      traced.end(err);
      throw err;
    }
    traced.end();
    return undefined as T;
  }

  private async xadd(fields: string[]): Promise<void> {
    const cmd = this.cmd;
    if (!cmd) throw new Error('client is closed');
    // A safety cap, far above any backlog seen in practice: while no replica reads the stream it
    // must not grow until Redis runs out of memory. Requests that old have expired anyway.
    await cmd.xadd(this.stream, 'MAXLEN', '~', MAX_STREAM_LENGTH, '*', ...fields);
  }

  private onReply(channel: string, raw: string): void {
    if (channel !== this.replyChannel) return;
    const reply = decodeReply(raw);
    if (!reply) {
      this.logger.warn(`ignoring malformed reply on ${channel}`);
      return;
    }
    const entry = this.pending.get(reply.id);
    if (!entry) return; // timed out or torn down already
    clearTimeout(entry.timer);
    this.pending.delete(reply.id);
    entry.callback(reply.err ? { err: reply.err, isDisposed: true } : { response: reply.response, isDisposed: true });
  }

  /** Quits both connections; requests still waiting fail with UNAVAILABLE. */
  async close(): Promise<void> {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const { callback, timer } of waiting) {
      clearTimeout(timer);
      callback({ err: unavailable('client closed'), isDisposed: true });
    }
    const connections = [this.cmd, this.sub];
    this.cmd = this.sub = null;
    this.events.unbindAll();
    this.connecting = null;
    await Promise.all(connections.map((c) => c && quietQuit(c)));
    this._status$.next('disconnected');
  }

  override on<EventKey extends keyof RedisStreamsEvents = keyof RedisStreamsEvents, EventCallback extends RedisStreamsEvents[EventKey] = RedisStreamsEvents[EventKey]>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    this.events.add(event, callback as unknown as (role: ConnectionRole, ...args: unknown[]) => void);
  }

  /** `[commandConnection, subscriberConnection]`. */
  unwrap<T>(): T {
    if (!this.cmd || !this.sub) throw new Error('Not connected: call connect() first.');
    return [this.cmd, this.sub] as T;
  }

  private dropConnections(): void {
    for (const c of [this.cmd, this.sub]) c?.disconnect();
    this.cmd = this.sub = null;
    this.events.unbindAll();
  }
}

function unavailable(message: string): WireError {
  return { code: 'UNAVAILABLE', message, retryAfterMs: 1000 };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
