import type { Redis } from 'ioredis';
import type { RedisKeys } from '#contracts';
import { type RawRoomEvent, toRaw } from './raw-event.js';
import type { RoomLog } from './room-log.js';

export type RoomEventsListener = (events: RawRoomEvent[]) => void;

interface FollowedRoom {
  roomId: string;
  listener: RoomEventsListener;
  /** Highest seq handed to the listener; -1 until the base seq is known. */
  lastSeq: number;
  /** Events that arrived ahead of lastSeq + 1 (or before the base was known), by seq. */
  early: Map<number, RawRoomEvent>;
  repairing: boolean;
  /** A catch-up was asked for while a repair ran: run another when it ends. */
  repairAgain: boolean;
}

/**
 * Turns the room log's pub/sub announcements into a gap-free, duplicate-free, ordered stream per
 * room. Pub/sub can drop messages (reconnects), so a hole is filled from the room's history stream,
 * and after a reconnect every followed room catches up from history.
 */
export class RoomLogFollower {
  private readonly rooms = new Map<string, FollowedRoom>();
  private readonly byChannel = new Map<string, FollowedRoom>();
  private connectedOnce = false;

  constructor(
    private readonly subscriber: Redis,
    private readonly roomLog: RoomLog,
    private readonly keys: RedisKeys,
    private readonly onError: (error: unknown, roomId: string) => void = () => undefined,
  ) {
    subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    subscriber.on('ready', () => {
      // ioredis resubscribes by itself; what was published meanwhile is fetched from history.
      // The resubscription may not be in force yet when 'ready' fires: catch up once more a bit later.
      if (this.connectedOnce) {
        this.catchUpAll();
        setTimeout(() => this.catchUpAll(), 1000).unref();
      }
      this.connectedOnce = true;
    });
    if (subscriber.status === 'ready') this.connectedOnce = true;
  }

  /**
   * Starts following a room. Resolves with the base seq: the listener receives every event after it.
   * Subscribing happens before the base is read, so no event falls between the two.
   */
  async follow(roomId: string, listener: RoomEventsListener): Promise<number> {
    if (this.rooms.has(roomId)) throw new Error(`room ${roomId} is already followed`);
    const room: FollowedRoom = { roomId, listener, lastSeq: -1, early: new Map(), repairing: false, repairAgain: false };
    const channel = this.keys.roomChannel(roomId);
    this.rooms.set(roomId, room);
    this.byChannel.set(channel, room);
    let base: number;
    try {
      await this.subscriber.subscribe(channel);
      base = await this.roomLog.currentSeq(roomId);
      room.lastSeq = base;
    } catch (error) {
      this.rooms.delete(roomId);
      this.byChannel.delete(channel);
      await this.subscriber.unsubscribe(channel).catch(() => undefined);
      throw error;
    }
    // Events that arrived while the base was read go to the listener now; the base itself is
    // returned, not the seq drained up to, so the caller knows they still have to be sent.
    this.drain(room);
    return base;
  }

  async unfollow(roomId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    if (!room) return;
    const channel = this.keys.roomChannel(roomId);
    this.rooms.delete(roomId);
    this.byChannel.delete(channel);
    await this.subscriber.unsubscribe(channel).catch(() => undefined);
  }

  private catchUpAll(): void {
    for (const room of this.rooms.values()) this.repair(room, true);
  }

  isFollowing(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  private onMessage(channel: string, message: string): void {
    const room = this.byChannel.get(channel);
    if (!room) return;
    const ready: RawRoomEvent[] = [];
    // appendMany publishes a batch as one message: the events' JSON texts joined by newlines.
    if (message.includes('\n')) {
      for (const json of message.split('\n')) this.take(room, json, ready);
    } else {
      this.take(room, message, ready);
    }
    if (ready.length > 0) room.listener(ready);
    // Anything that came out of order waits in `early`: hand over what is contiguous now, repair the rest.
    if (room.early.size > 0 && room.lastSeq >= 0) this.drain(room);
  }

  /** The next event in order joins `ready`; any other waits in `early` (behind it, once one waits). */
  private take(room: FollowedRoom, json: string, ready: RawRoomEvent[]): void {
    const event = toRaw(json);
    if (!event) return;
    if (room.lastSeq >= 0 && event.seq <= room.lastSeq) return;
    if (room.lastSeq >= 0 && event.seq === room.lastSeq + 1 && room.early.size === 0) {
      room.lastSeq = event.seq;
      ready.push(event);
      return;
    }
    room.early.set(event.seq, event);
  }

  /** Hands over what is contiguous; on a hole, fetches the missing events from history. */
  private drain(room: FollowedRoom): void {
    const ready: RawRoomEvent[] = [];
    for (const seq of [...room.early.keys()].sort((a, b) => a - b)) {
      if (seq <= room.lastSeq) {
        room.early.delete(seq);
        continue;
      }
      if (seq !== room.lastSeq + 1) break;
      ready.push(room.early.get(seq) as RawRoomEvent);
      room.early.delete(seq);
      room.lastSeq = seq;
    }
    if (ready.length > 0) room.listener(ready);
    if (room.early.size > 0) this.repair(room);
  }

  /** Fetches what is missing from history: up to the first early event, or (catchUp) everything. */
  private repair(room: FollowedRoom, catchUp = false): void {
    if (room.lastSeq < 0) return;
    if (room.repairing) {
      room.repairAgain ||= catchUp;
      return;
    }
    room.repairing = true;
    const from = room.lastSeq + 1;
    const holeEnd = room.early.size > 0 && !catchUp ? Math.min(...room.early.keys()) - 1 : null;
    const fetch =
      holeEnd === null
        ? this.roomLog.history(room.roomId, room.lastSeq).then((h) => h.events)
        : this.roomLog.range(room.roomId, from, holeEnd);
    fetch.then(
      (events) => {
        room.repairing = false;
        if (this.rooms.get(room.roomId) !== room) return;
        const again = room.repairAgain;
        room.repairAgain = false;
        for (const e of events) if (e.seq > room.lastSeq) room.early.set(e.seq, e);
        if (holeEnd !== null && !events.some((e) => e.seq === from)) {
          // History was trimmed past the hole: skip ahead rather than stall the room forever.
          this.onError(new Error(`room ${room.roomId}: events ${from}..${holeEnd} are gone from history`), room.roomId);
          room.lastSeq = Math.max(room.lastSeq, (events[0]?.seq ?? holeEnd + 1) - 1);
        }
        this.drain(room);
        if (again) this.repair(room, true);
      },
      (error: unknown) => {
        room.repairing = false;
        this.onError(error, room.roomId);
        // Redis is unreachable: try again shortly instead of spinning.
        setTimeout(() => this.rooms.get(room.roomId) === room && this.repair(room, catchUp || room.repairAgain), 250).unref();
      },
    );
  }
}
