import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { createRedis, quietQuit } from '#redis';
import { dropLiveness, isNoGroupError, listConsumers, type RawEntry, refreshLiveness } from './consumer-liveness.js';
import { CompletionBatcher } from './completion-batcher.js';
import { ConnectionEvents } from './connection-events.js';
import { PendingReclaimer } from './pending-reclaimer.js';
import { RedisStreamsContext } from './redis-streams.context.js';
import { type HandlerHost, runEventHandler, runRequestHandler } from './run-handler.js';
import { decodeMessage, entriesOf, type ReplyPacket, serializeReply } from './stream-message.js';
import { withIncoming } from './trace-context.js';
import {
  type ConnectionRole,
  REDIS_STREAMS_TRANSPORT,
  type RedisStreamsEvents,
  type RedisStreamsServerOptions,
  type RedisStreamsStatus,
  validateOptions,
} from './transport-options.js';

/**
 * Nest transport strategy reading requests and events from a Redis stream consumer group.
 *
 * Each entry is delivered to exactly one replica (XREADGROUP). After handling, the reply is
 * published and the entry XACKed and XDELed in one MULTI, so the stream only ever holds work
 * that has not been finished. A replica that dies leaves its entries pending; a live replica
 * claims them once the dead one's liveness key has expired (see consumer-liveness.ts).
 *
 * Delivery is AT-LEAST-ONCE: a replica killed after running a handler but before its MULTI
 * reached Redis has its entry handled again by another replica. Handlers must be idempotent
 * (the stream entry id, `RedisStreamsContext#getEntryId()`, is a stable key for that).
 */
export class RedisStreamsServer
  extends Server<RedisStreamsEvents, RedisStreamsStatus>
  implements CustomTransportStrategy
{
  override readonly transportId = REDIS_STREAMS_TRANSPORT;
  // Event handler failures come back to us (we await them before acking) and are logged here.
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(RedisStreamsServer.name);
  private readonly events = new ConnectionEvents(this.logger, (status) => this.running && this._status$.next(status));

  readonly stream: string;
  readonly consumer: string;
  private readonly group: string;
  private readonly concurrency: number;
  private readonly blockMs: number;
  private readonly heartbeatMs: number;
  private readonly deadAfterMs: number;
  private readonly shutdownTimeoutMs: number;

  private cmd: Redis | null = null;
  private reader: Redis | null = null;
  private running = false;
  private readLoop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly inFlightIds = new Set<string>();
  private readonly reclaimer: PendingReclaimer;
  private readonly completions: CompletionBatcher;
  private slotFreed: (() => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private readonly host: HandlerHost = {
    // Our patterns are plain strings: a direct lookup. Nest's getHandlerByPattern first tries
    // JSON.parse(pattern), which throws (and builds a stack trace) for every such message.
    handlerFor: (pattern) => this.messageHandlers.get(pattern) ?? this.getHandlerByPattern(pattern),
    withHooks: (ctx, fn) => this.runWithProcessingHooks(ctx, fn),
  };

  constructor(private readonly options: RedisStreamsServerOptions) {
    super();
    this.stream = `${options.prefix}${options.service}`;
    this.group = options.service;
    this.consumer = options.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.concurrency = options.concurrency ?? 64;
    this.blockMs = options.blockMs ?? 2000;
    this.heartbeatMs = options.heartbeatMs ?? 500;
    this.deadAfterMs = options.deadAfterMs ?? 2000;
    this.shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5000;
    validateOptions({ concurrency: this.concurrency, blockMs: this.blockMs, heartbeatMs: this.heartbeatMs });
    if (this.deadAfterMs <= this.heartbeatMs) throw new Error('deadAfterMs must be greater than heartbeatMs');
    this.completions = new CompletionBatcher(() => this.requireCmd(), this.stream, this.group);
    this.reclaimer = new PendingReclaimer(
      {
        cmd: () => this.requireCmd(),
        running: () => this.running,
        freeSlots: () => this.concurrency - this.inFlight.size,
        isInFlight: (entryId) => this.inFlightIds.has(entryId),
        track: (entry) => this.track(entry),
      },
      this.stream,
      this.group,
      this.consumer,
      this.heartbeatMs,
      this.deadAfterMs,
      options.orphanIdleMs ?? 30_000,
      this.logger,
    );
  }

  async listen(callback: (...optionalParams: unknown[]) => unknown): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private async start(): Promise<void> {
    // Auto-pipelining: the commands of many concurrent handlers leave in one write.
    const cmd = createRedis(this.options.redisUrl, `${this.group}:cmd`, { lazyConnect: true, enableAutoPipelining: true });
    // The blocking read gets its own connection: it would stall every other command otherwise.
    const reader = createRedis(this.options.redisUrl, `${this.group}:reader`, { lazyConnect: true });
    this.cmd = cmd;
    this.reader = reader;
    this.events.bind(cmd, 'cmd');
    this.events.bind(reader, 'reader');
    await Promise.all([cmd.connect(), reader.connect()]);
    // Liveness first: nobody may mistake this consumer for a dead one once it exists in the group.
    await refreshLiveness(cmd, this.stream, this.consumer, this.deadAfterMs);
    await this.ensureGroup();
    this.running = true;
    this.timers = [
      setInterval(() => void this.heartbeat(), this.heartbeatMs),
      setInterval(() => void this.reclaimer.scan(), this.heartbeatMs),
    ];
    this.readLoop = this.runReadLoop();
    this._status$.next('connected');
    this.logger.log(`consumer ${this.consumer} reading ${this.stream} (group ${this.group})`);
  }

  /** Starts at id 0 so requests sent before any replica existed are handled too. */
  private async ensureGroup(): Promise<void> {
    try {
      await this.requireCmd().xgroup('CREATE', this.stream, this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error;
    }
  }

  private async runReadLoop(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let reply: unknown;
      try {
        reply = await this.requireReader().xreadgroup(
          'GROUP', this.group, this.consumer, 'COUNT', free, 'BLOCK', this.blockMs, 'STREAMS', this.stream, '>',
        );
      } catch (error) {
        if (!this.running) break;
        await this.recoverFromReadError(error);
        continue;
      }
      for (const entry of entriesOf(reply)) this.track(entry);
    }
  }

  private async recoverFromReadError(error: unknown): Promise<void> {
    if (isNoGroupError(error)) {
      // The stream (and its group) was deleted under us: recreate it and carry on.
      this.logger.warn(`group ${this.group} on ${this.stream} vanished; recreating it`);
      await this.ensureGroup().catch((e: unknown) => this.logger.error(`cannot recreate group: ${message(e)}`));
    } else {
      this.logger.warn(`XREADGROUP on ${this.stream} failed: ${message(error)}`);
    }
    await delay(250);
  }

  private track(entry: RawEntry): void {
    if (this.inFlightIds.has(entry[0])) return;
    this.inFlightIds.add(entry[0]);
    const task: Promise<void> = this.handleEntry(entry)
      .catch((error: unknown) => this.logger.error(`entry ${entry[0]} on ${this.stream}: ${message(error)}`))
      .finally(() => {
        this.inFlight.delete(task);
        this.inFlightIds.delete(entry[0]);
        const wake = this.slotFreed;
        this.slotFreed = null;
        wake?.();
      });
    this.inFlight.add(task);
  }

  private async handleEntry([entryId, fields]: RawEntry): Promise<void> {
    const decoded = decodeMessage(fields);
    if (!decoded.ok) {
      this.logger.warn(`dropping malformed entry ${entryId} on ${this.stream}: ${decoded.reason}`);
      return this.finish(entryId);
    }
    const msg = decoded.message;
    const ctx = new RedisStreamsContext([this.stream, entryId, msg.pattern, msg.headers]);
    if (msg.kind === 'event') {
      await withIncoming(this.stream, entryId, msg, () => runEventHandler(this.host, msg, ctx, this.logger));
      return this.finish(entryId);
    }
    if (msg.deadline <= Date.now()) {
      // The caller's own timeout has already fired: nobody is waiting for this answer.
      this.logger.warn(`dropping expired request ${msg.id} (${msg.pattern}) ${Date.now() - msg.deadline} ms late`);
      return this.finish(entryId);
    }
    const reply = await withIncoming(this.stream, entryId, msg, () => runRequestHandler(this.host, msg, ctx, this.logger), (r) => r.err);
    return this.finish(entryId, msg.replyTo, reply);
  }

  /** Reply (requests only), then XACK + XDEL, atomically; batched with the other entries finished in this turn. */
  private finish(entryId: string, replyTo?: string, reply?: ReplyPacket): Promise<void> {
    const payload = reply ? serializeReply(reply, this.logger) : undefined;
    return this.completions.finish({ entryId, replyTo, payload });
  }

  private async heartbeat(): Promise<void> {
    if (!this.running) return;
    try {
      await refreshLiveness(this.requireCmd(), this.stream, this.consumer, this.deadAfterMs);
    } catch (error) {
      this.logger.warn(`liveness refresh failed: ${message(error)}`);
    }
  }

  /** Stops reading, lets in-flight handlers finish (bounded), then leaves the group and quits. */
  async close(): Promise<void> {
    if (!this.cmd) return;
    this.running = false;
    this.timers.forEach(clearInterval);
    this.timers = [];
    this.slotFreed?.();
    // Aborts the blocking XREADGROUP. Entries Redis delivered in that instant stay pending under
    // this consumer and are claimed by another replica once the liveness key is gone.
    this.reader?.disconnect();
    await this.readLoop;
    const giveUp = new AbortController();
    const drained = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      delay(this.shutdownTimeoutMs, false, { signal: giveUp.signal }).catch(() => false),
    ]);
    giveUp.abort(); // do not keep the process alive for the rest of the timeout
    if (!drained) this.logger.warn(`${this.inFlight.size} handlers still running at shutdown; others will redo them`);
    const cmd = this.cmd;
    try {
      await dropLiveness(cmd, this.stream, this.consumer);
      const self = (await listConsumers(cmd, this.stream, this.group)).find((c) => c.name === this.consumer);
      if (self && self.pending === 0) await cmd.xgroup('DELCONSUMER', this.stream, this.group, this.consumer);
    } catch (error) {
      this.logger.warn(`could not leave group cleanly: ${message(error)}`);
    }
    await quietQuit(cmd);
    this.cmd = this.reader = null;
    this.events.unbindAll();
    this._status$.next('disconnected');
  }

  on<EventKey extends keyof RedisStreamsEvents = keyof RedisStreamsEvents, EventCallback extends RedisStreamsEvents[EventKey] = RedisStreamsEvents[EventKey]>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    this.events.add(event, callback as unknown as (role: ConnectionRole, ...args: unknown[]) => void);
  }

  /** `[commandConnection, readerConnection]`. */
  unwrap<T>(): T {
    if (!this.cmd || !this.reader) throw new Error('Not initialized: call listen() first.');
    return [this.cmd, this.reader] as T;
  }


  private requireCmd(): Redis {
    if (!this.cmd) throw new Error('RedisStreamsServer is not listening');
    return this.cmd;
  }

  private requireReader(): Redis {
    if (!this.reader) throw new Error('RedisStreamsServer is not listening');
    return this.reader;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
