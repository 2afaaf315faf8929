import { Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { LiveroomError, parseInput, type RoomEvent, type RoomJoinResult, roomJoinSchema, roomLeaveSchema } from '#contracts';
import type { RawRoomEvent } from '#room-log';
import { stateOf } from '../common/socket-state.js';
import { type Ack, toLiveroomError } from '../errors/error-mapping.js';
import { FanoutService } from '../fanout/fanout.service.js';
import type { RoomChannel } from '../fanout/room-channel.js';
import type { RoomMeta } from '../rooms/room-directory.js';
import { toInfo } from '../rooms/rooms.service.js';
import { JoinReads } from './join-reads.js';

const RECENT_BARRAGE = 50;
/** Rooms one connection may be in at once. */
const MAX_ROOMS_PER_SOCKET = 20;
/** How long a join waits for this gateway to catch up with a client that saw more elsewhere. */
const CATCH_UP_MS = 2000;
/** A join answers within this, whatever Redis does (PROTOCOL §2: one ack within 5 s). */
const JOIN_DEADLINE_MS = 4500;

type Reply = (ack: Ack<object>) => void;
type BuildAck = (meta: RoomMeta, viewers: number, likes: number) => RoomJoinResult;

/**
 * room:join / room:leave. The join reads history from Redis, waits for the frame of any event this
 * gateway holds but has not sent yet, then, in one synchronous step, cuts it at what this gateway has
 * sent to the room (`flushedSeq`), fills the rest from the channel's memory, adds the socket and acks.
 * So the client gets `missed` up to that point and every later event in frames: no hole, no
 * duplicate, whatever was published while it joined.
 */
@Injectable()
export class RoomMembershipService {
  constructor(
    private readonly reads: JoinReads,
    private readonly fanout: FanoutService,
  ) {}

  async join(socket: Socket, payload: unknown, reply: Reply): Promise<void> {
    const state = stateOf(socket);
    const token = Symbol('join');
    const startedAt = performance.now();
    let roomId: string | null = null;
    const deadline = setTimeout(() => finish({ ok: false, error: new LiveroomError('UNAVAILABLE', 'join timed out', 1000).toWire() }), JOIN_DEADLINE_MS);
    let answered = false;
    const finish = (ack: Ack<object>): void => {
      if (answered) return;
      answered = true;
      clearTimeout(deadline);
      if (roomId !== null && state.joining.get(roomId) === token) state.joining.delete(roomId);
      reply(ack);
    };
    try {
      const input = parseInput(roomJoinSchema, payload);
      roomId = input.roomId;
      // A re-join starts over: the socket stops receiving frames until the new ack.
      if (state.rooms.has(roomId)) this.fanout.detach(socket, roomId);
      else if (state.rooms.size + state.joining.size >= MAX_ROOMS_PER_SOCKET) {
        throw new LiveroomError('FORBIDDEN', `at most ${MAX_ROOMS_PER_SOCKET} rooms per connection`);
      }
      state.joining.set(roomId, token);
      // Read together (one write to Redis with auto-pipelining); judged in order: not found, ended, banned.
      const [meta, banned, stats] = await Promise.all([
        this.reads.meta(roomId),
        state.caller ? this.reads.isBanned(roomId, state.caller.userId) : false,
        this.reads.viewersAndLikes(roomId),
      ]);
      if (!meta.live) throw new LiveroomError('ROOM_ENDED', `room ${roomId} has ended`);
      if (banned) throw new LiveroomError('BANNED', `you are banned from room ${roomId}`);
      for (let attempt = 0; attempt < 3 && !answered; attempt++) {
        const channel = await this.fanout.acquire(roomId);
        const prepared = await this.prepare(channel, input.sinceSeq);
        // Events this gateway holds but has not sent yet (at most one tick's worth): wait for their
        // frame, so that the snapshot's seq and `recent`, and `missed`, reach the room's latest event
        // as this gateway knows it, e.g. the one a client was just acked (PROTOCOL §3).
        if (channel.lastSeq > channel.flushedSeq) await channel.waitFlushed(channel.lastSeq, CATCH_UP_MS);
        // --- synchronous from here: check, cut, add, ack ---
        if (answered || !socket.connected) {
          clearTimeout(deadline);
          return this.fanout.release(roomId);
        }
        if (state.joining.get(roomId) !== token) {
          this.fanout.release(roomId);
          throw new LiveroomError('INVALID_STATE', 'a later room:join or room:leave for this room replaced this join');
        }
        if (channel.ended) throw new LiveroomError('ROOM_ENDED', `room ${roomId} has ended`);
        if (state.caller && channel.bannedSince(state.caller.userId, startedAt)) throw new LiveroomError('BANNED', `you are banned from room ${roomId}`);
        if (channel.closed) continue;
        const build = prepared(channel.flushedSeq);
        if (!build) continue; // memory no longer covered what was read: read again
        channel.add(socket);
        state.rooms.add(roomId);
        finish({ ok: true, ...build(meta, Math.max(stats.viewers, channel.sockets.size), stats.likes) });
        return;
      }
      throw new LiveroomError('UNAVAILABLE', 'room is too busy to join right now', 500);
    } catch (error) {
      if (roomId !== null && !state.rooms.has(roomId)) this.fanout.release(roomId);
      finish({ ok: false, error: toLiveroomError(error).toWire() });
    }
  }

  leave(socket: Socket, payload: unknown): object {
    const { roomId } = parseInput(roomLeaveSchema, payload);
    const state = stateOf(socket);
    const joining = state.joining.delete(roomId);
    if (!state.rooms.has(roomId) && !joining) throw new LiveroomError('NOT_IN_ROOM', `not in room ${roomId}`);
    this.fanout.detach(socket, roomId);
    return {};
  }

  leaveAll(socket: Socket): void {
    const state = stateOf(socket);
    state.joining.clear();
    for (const roomId of [...state.rooms]) this.fanout.detach(socket, roomId);
  }

  /**
   * Reads what the join needs from Redis; returns a function that, given the channel's flushedSeq
   * at the moment of joining, builds the ack (or null if memory does not reach back far enough).
   */
  private async prepare(channel: RoomChannel, sinceSeq: number | undefined): Promise<(flushedSeq: number) => BuildAck | null> {
    let history: { events: RawRoomEvent[]; seq: number } | null = null;
    const reading = this.reads.recentBarrage(channel.roomId);
    // Settled now so that a failure while history is awaited is not an unhandled rejection.
    reading.catch(() => undefined);
    if (sinceSeq !== undefined) {
      const h = await this.reads.history(channel.roomId, sinceSeq);
      if (!h.resync) {
        history = h;
        // The client saw events this gateway has not sent yet: wait, or they would come twice.
        if (sinceSeq > channel.flushedSeq) await channel.waitFlushed(sinceSeq, CATCH_UP_MS);
        if (sinceSeq > channel.flushedSeq) throw new LiveroomError('UNAVAILABLE', 'gateway is catching up; retry', 200);
      }
    }
    const recent = await reading;
    const resync = sinceSeq !== undefined && history === null;

    return (flushedSeq) => {
      const missed = history === null ? null : upTo(history.events, history.seq, flushedSeq, channel);
      const snapshot = upTo(recent.events, recent.seq, flushedSeq, channel, true);
      if ((history !== null && missed === null) || snapshot === null) return null;
      return (meta, viewers, likes) => {
        const result: RoomJoinResult = {
          room: { ...toInfo(meta, flushedSeq, { viewers, likes }), recent: events(snapshot.slice(-RECENT_BARRAGE)) },
        };
        if (missed) result.missed = events(missed);
        if (resync) result.resync = true;
        return result;
      };
    };
  }
}

/**
 * Events up to toSeq: those read from Redis (complete up to coveredTo), cut at toSeq, then the
 * newer ones from the channel's memory. With barrageOnly, the newer ones are filtered to barrage.
 */
function upTo(read: RawRoomEvent[], coveredTo: number, toSeq: number, channel: RoomChannel, barrageOnly = false): RawRoomEvent[] | null {
  const kept = read.filter((e) => e.seq <= toSeq);
  if (coveredTo >= toSeq) return kept;
  const newer = channel.between(coveredTo, toSeq);
  if (newer === null) return null;
  return kept.concat(barrageOnly ? newer.filter((e) => e.type === 'barrage') : newer);
}

function events(raw: RawRoomEvent[]): RoomEvent[] {
  return raw.map((e) => e.event);
}
