import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Counter, Histogram } from 'prom-client';
import type { Socket } from 'socket.io';
import { RedisKeys, type RoomKickedFrame, SERVER_EVENTS } from '#contracts';
import { MetricsRegistry } from '#observability';
import { createRedis, quietQuit } from '#redis';
import { type RawRoomEvent, RoomLog, RoomLogFollower } from '#room-log';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config.js';
import { registerRequestMetrics } from '../observability/request-outcome.js';
import { eventPacket, FrameWriter } from './frame-writer.js';
import { RoomChannel } from './room-channel.js';
import { stateOf } from '../common/socket-state.js';

/** How long a room with no local socket stays followed, so that viewers flapping don't churn. */
const IDLE_UNFOLLOW_MS = 30_000;

/** The rooms this gateway serves: one followed room-log stream and one batching channel each. */
@Injectable()
export class FanoutService implements OnApplicationShutdown {
  private readonly logger = new Logger('fanout');
  private readonly channels = new Map<string, RoomChannel>();
  private readonly opening = new Map<string, Promise<RoomChannel>>();
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private readonly subscriber: Redis;
  private readonly follower: RoomLogFollower;
  private readonly writer: FrameWriter;
  private readonly frames: Counter;
  private readonly delivered: Counter;
  private readonly frameEvents: Histogram;
  private readonly frameBytes: Histogram;
  private readonly deliveryLatency: Histogram;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    roomLog: RoomLog,
    keys: RedisKeys,
    metrics: MetricsRegistry,
  ) {
    this.subscriber = createRedis(config.REDIS_URL, `gateway-${config.GATEWAY_ID}-rooms`);
    this.follower = new RoomLogFollower(this.subscriber, roomLog, keys, (error, roomId) =>
      this.logger.warn(`room ${roomId}: ${error instanceof Error ? error.message : String(error)}`),
    );
    const registers = [metrics.registry];
    const slow = new Counter({
      name: 'liveroom_gateway_slow_disconnects_total',
      help: 'sockets disconnected because more than SOCKET_MAX_BUFFERED_BYTES (or too many packets) waited for them',
      registers,
    });
    this.writer = new FrameWriter(config.SOCKET_MAX_BUFFERED_BYTES, () => slow.inc());
    this.frames = new Counter({ name: 'liveroom_gateway_frames_total', help: 'room:events frames written to sockets', registers });
    this.delivered = new Counter({ name: 'liveroom_gateway_events_delivered_total', help: 'room events delivered to sockets', registers });
    this.frameEvents = new Histogram({
      name: 'liveroom_gateway_frame_events',
      help: 'events per room:events frame',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200],
      registers,
    });
    this.frameBytes = new Histogram({
      name: 'liveroom_gateway_frame_bytes',
      help: 'bytes of one room:events frame (its Socket.IO packet), observed once per frame built, not per socket it is written to',
      buckets: [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288],
      registers,
    });
    this.deliveryLatency = new Histogram({
      name: 'liveroom_gateway_delivery_latency_seconds',
      help:
        "seconds from the oldest event's ts (sequencing, Redis clock) of a room:events frame to when this gateway wrote the frame; " +
        'observed once per frame (not per socket or per event): the worst latency of the events it carries',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    // Client request outcomes are reported by plain functions (observability/request-outcome.ts),
    // outside DI: their histogram joins this app's registry here, the gateway's metrics-owning service.
    registerRequestMetrics(metrics.registry);
  }

  /** The room's channel, following its room log; the caller adds a socket or calls release(). */
  async acquire(roomId: string): Promise<RoomChannel> {
    const idle = this.idleTimers.get(roomId);
    if (idle) {
      clearTimeout(idle);
      this.idleTimers.delete(roomId);
    }
    const open = this.channels.get(roomId);
    if (open) return open;
    let opening = this.opening.get(roomId);
    if (!opening) {
      opening = this.open(roomId).finally(() => this.opening.delete(roomId));
      this.opening.set(roomId, opening);
    }
    return opening;
  }

  /** Call when a socket left a room (or a join failed); unfollows rooms left empty for a while. */
  release(roomId: string): void {
    const channel = this.channels.get(roomId);
    if (!channel || channel.sockets.size > 0 || this.idleTimers.has(roomId)) return;
    const timer = setTimeout(() => {
      this.idleTimers.delete(roomId);
      if (channel.sockets.size > 0) return;
      this.channels.delete(roomId);
      channel.close();
      void this.follower.unfollow(roomId);
    }, IDLE_UNFOLLOW_MS);
    timer.unref();
    this.idleTimers.set(roomId, timer);
  }

  /** Local sockets per room, for viewer counts. */
  localViewers(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [roomId, channel] of this.channels) counts.set(roomId, channel.sockets.size);
    return counts;
  }

  /** An ephemeral event (no seq) to this gateway's sockets of a room, encoded once. */
  emitToRoom(roomId: string, event: string, payloadJson: string): void {
    const channel = this.channels.get(roomId);
    if (channel && channel.sockets.size > 0) this.writer.write(channel.sockets, eventPacket(event, payloadJson));
  }

  channel(roomId: string): RoomChannel | undefined {
    return this.channels.get(roomId);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    for (const channel of this.channels.values()) channel.close();
    await quietQuit(this.subscriber);
  }

  private async open(roomId: string): Promise<RoomChannel> {
    let channel: RoomChannel | null = null;
    const early: RawRoomEvent[] = [];
    const base = await this.follower.follow(roomId, (events) => (channel ? channel.push(events) : early.push(...events)));
    channel = new RoomChannel(roomId, base, this.writer, this.config.FANOUT_TICK_MS, {
      onFlushed: (ch, events, sockets, frameBytes) => this.onFlushed(ch, events, sockets, frameBytes),
      onError: (ch, error) => this.logger.error(`room ${ch.roomId}: flush failed`, error instanceof Error ? error.stack : String(error)),
    });
    if (early.length > 0) channel.push(early);
    this.channels.set(roomId, channel);
    return channel;
  }

  private onFlushed(channel: RoomChannel, events: RawRoomEvent[], sockets: number, frameBytes: number): void {
    if (sockets > 0) {
      this.frames.inc(sockets);
      this.delivered.inc(sockets * events.length);
      this.frameEvents.observe(events.length);
      this.frameBytes.observe(frameBytes);
      // Events are in seq order, so the first one is the oldest (its ts is the Redis time of sequencing).
      const oldestTs = events[0]?.event.ts;
      if (typeof oldestTs === 'number') this.deliveryLatency.observe(Math.max(0, Date.now() - oldestTs) / 1000);
    }
    // Ends and bans are in the stream every gateway follows: each one kicks its own sockets, after
    // the frame that carried the event.
    if (channel.ended) this.kickAll(channel, { roomId: channel.roomId, reason: 'ended' });
    for (const { event } of events) {
      if (event.type === 'moderation' && event.action === 'ban') this.kickUser(channel, event.userId);
    }
  }

  private kickUser(channel: RoomChannel, userId: string): void {
    for (const socket of [...channel.sockets]) {
      if (stateOf(socket).caller?.userId === userId) this.detach(socket, channel.roomId, { roomId: channel.roomId, reason: 'banned' });
    }
  }

  private kickAll(channel: RoomChannel, frame: RoomKickedFrame): void {
    for (const socket of [...channel.sockets]) this.detach(socket, channel.roomId, frame);
    this.release(channel.roomId);
  }

  /** Removes a socket from a room here; with a frame, tells it why (room:kicked). */
  detach(socket: Socket, roomId: string, kicked?: RoomKickedFrame): void {
    const channel = this.channels.get(roomId);
    channel?.remove(socket);
    stateOf(socket).rooms.delete(roomId);
    if (kicked) socket.emit(SERVER_EVENTS.roomKicked, kicked);
    if (channel && channel.sockets.size === 0) this.release(roomId);
  }
}
