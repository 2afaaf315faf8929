import type { Socket } from 'socket.io';
import { SERVER_EVENTS } from '#contracts';
import type { RawRoomEvent } from '#room-log';
import { eventPacket, type FrameWriter } from './frame-writer.js';

/** Events a channel keeps in memory to serve joins that race with live traffic. */
const KEEP_EVENTS = 1024;
/** How long a sent ban is remembered for joins in flight (a join answers within 5 s). */
const KEEP_BANS_MS = 10_000;

export interface ChannelHooks {
  /**
   * After a frame went out: metrics, and room-level reactions (e.g. kicks on room end). `frameBytes`
   * is the size of the one packet built for all `sockets` (0 when there was no socket to write to).
   */
  onFlushed(channel: RoomChannel, events: RawRoomEvent[], sockets: number, frameBytes: number): void;
  onError(channel: RoomChannel, error: unknown): void;
}

/**
 * One room on one gateway: its local sockets, the recent events, and the batching tick. Every
 * socket of the room gets the same frame, encoded once; a socket joins at `flushedSeq`, so from its
 * join on it receives exactly the events after it, in order.
 */
export class RoomChannel {
  readonly sockets = new Set<Socket>();
  private readonly events: RawRoomEvent[] = [];
  private flushedIndex = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private lastFlushAt = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];
  /** Users whose `moderation/ban` went out, and when (performance.now()): see bannedSince(). */
  private readonly sentBans = new Map<string, number>();
  lastSeq: number;
  flushedSeq: number;
  /** No longer followed: a join that finds its channel closed acquires a new one. */
  closed = false;
  /** The room's `room/ended` event has been sent: joins answer ROOM_ENDED. */
  ended = false;

  constructor(
    readonly roomId: string,
    baseSeq: number,
    private readonly writer: FrameWriter,
    private readonly tickMs: number,
    private readonly hooks: ChannelHooks,
  ) {
    this.lastSeq = baseSeq;
    this.flushedSeq = baseSeq;
  }

  /** Ordered, gap-free events from the room log follower. */
  push(events: RawRoomEvent[]): void {
    for (const e of events) this.events.push(e);
    this.lastSeq = events[events.length - 1]?.seq ?? this.lastSeq;
    this.schedule();
  }

  add(socket: Socket): void {
    this.sockets.add(socket);
  }

  remove(socket: Socket): void {
    this.sockets.delete(socket);
  }

  /** Events with afterSeq < seq <= toSeq from memory, or null when memory does not hold all of them. */
  between(afterSeq: number, toSeq: number): RawRoomEvent[] | null {
    if (toSeq <= afterSeq) return [];
    const first = this.events[0];
    if (!first || first.seq > afterSeq + 1) return null;
    const start = afterSeq + 1 - first.seq;
    const slice = this.events.slice(start, start + (toSeq - afterSeq));
    // Memory is contiguous unless the follower ever had to skip a hole: check rather than trust.
    if (slice.length !== toSeq - afterSeq || slice[0]?.seq !== afterSeq + 1 || slice.at(-1)?.seq !== toSeq) return null;
    return slice;
  }

  /**
   * Whether a ban of `userId` was sent to this room after `since` (performance.now()). A join that
   * read "not banned" before the ban's frame must not be added after it: that frame's kick did not
   * include its socket.
   */
  bannedSince(userId: string, since: number): boolean {
    return (this.sentBans.get(userId) ?? -Infinity) >= since;
  }

  /** Resolves once every event up to `seq` has been sent (or after timeoutMs, or at once when closed). */
  waitFlushed(seq: number, timeoutMs: number): Promise<boolean> {
    if (this.flushedSeq >= seq) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = { seq, resolve: () => (clearTimeout(timer), resolve(true)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }

  private schedule(): void {
    if (this.timer || this.immediate || this.closed) return;
    const wait = this.lastFlushAt + this.tickMs - Date.now();
    // First event after idle: at once (after this I/O turn, to batch what arrived together).
    if (wait <= 0) this.immediate = setImmediate(() => this.safeFlush());
    else this.timer = setTimeout(() => this.safeFlush(), wait);
  }

  private safeFlush(): void {
    try {
      this.flush();
    } catch (error) {
      // A failing write must not stop the room: report it and keep the tick going.
      this.hooks.onError(this, error);
    }
  }

  private flush(): void {
    this.timer = null;
    this.immediate = null;
    if (this.closed) return;
    const pending = this.events.slice(this.flushedIndex);
    if (pending.length === 0) return;
    this.lastFlushAt = Date.now();
    if (pending.some((e) => e.type === 'room' && e.event.type === 'room' && e.event.action === 'ended')) this.ended = true;
    this.rememberBans(pending);
    let frameBytes = 0;
    if (this.sockets.size > 0) {
      let json = `{"roomId":"${this.roomId}","events":[`;
      for (let i = 0; i < pending.length; i++) json += (i === 0 ? '' : ',') + (pending[i] as RawRoomEvent).json;
      frameBytes = this.writer.write(this.sockets, eventPacket(SERVER_EVENTS.roomEvents, `${json}]}`)).bytes;
    }
    this.flushedSeq = this.lastSeq;
    this.flushedIndex = this.events.length;
    if (this.events.length > KEEP_EVENTS * 2) {
      const drop = this.events.length - KEEP_EVENTS;
      this.events.splice(0, drop);
      this.flushedIndex -= drop;
    }
    if (this.waiters.length > 0) {
      const due = this.waiters.filter((w) => w.seq <= this.flushedSeq);
      this.waiters = this.waiters.filter((w) => w.seq > this.flushedSeq);
      for (const w of due) w.resolve();
    }
    this.hooks.onFlushed(this, pending, this.sockets.size, frameBytes);
  }

  private rememberBans(events: RawRoomEvent[]): void {
    const now = performance.now();
    for (const e of events) if (e.event.type === 'moderation' && e.event.action === 'ban') this.sentBans.set(e.event.userId, now);
    if (this.sentBans.size > 0) for (const [userId, at] of this.sentBans) if (now - at > KEEP_BANS_MS) this.sentBans.delete(userId);
  }
}
