import { Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import {
  LiveroomError,
  parseInput,
  type RoomEvent,
  type RoomJoinResult,
  roomJoinSchema,
  roomLeaveSchema,
} from '#contracts';
import { type RawRoomEvent, RoomLog } from '#room-log';
import { type Ack, toLiveroomError } from '../errors/error-mapping.js';
import { FanoutService } from '../fanout/fanout.service.js';
import type { RoomChannel } from '../fanout/room-channel.js';
import { RoomDirectory } from '../rooms/room-directory.js';
import { RoomStatsService } from '../rooms/room-stats.service.js';
import { toInfo } from '../rooms/rooms.service.js';
import { stateOf } from './socket-state.js';

const RECENT_BARRAGE = 50;
/** How long a join waits for this gateway to catch up with a client that saw more elsewhere. */
const CATCH_UP_MS = 2000;

type Reply = (ack: Ack<object>) => void;

/**
 * room:join / room:leave. The join reads history from Redis, then, in one synchronous step, cuts
 * it at what this gateway has already sent to the room (`flushedSeq`), fills the rest from the
 * channel's memory, adds the socket and acks. So the client gets `missed` up to that point and
 * every later event in frames: no hole, no duplicate, whatever was published while it joined.
 */
@Injectable()
export class RoomMembershipService {
  constructor(
    private readonly directory: RoomDirectory,
    private readonly roomLog: RoomLog,
    private readonly fanout: FanoutService,
    private readonly stats: RoomStatsService,
  ) {}

  async join(socket: Socket, payload: unknown, reply: Reply): Promise<void> {
    let channel: RoomChannel | null = null;
    let roomId = '';
    try {
      const input = parseInput(roomJoinSchema, payload);
      roomId = input.roomId;
      const meta = await this.directory.require(roomId);
      if (!meta.live) throw new LiveroomError('ROOM_ENDED', `room ${roomId} has ended`);
      channel = await this.fanout.acquire(roomId);
      const stats = await this.stats.roomStats(roomId);
      for (let attempt = 0; attempt < 3; attempt++) {
        const result = await this.prepare(channel, input.sinceSeq);
        if (!result) continue; // memory no longer covered the read: read again
        if (!socket.connected) return this.fanout.release(roomId);
        // --- synchronous from here: cut, add, ack ---
        const cut = result(channel.flushedSeq);
        if (!cut) continue;
        const state = stateOf(socket);
        if (state.rooms.has(roomId)) this.fanout.channel(roomId)?.sockets.delete(socket);
        channel.sockets.add(socket);
        state.rooms.add(roomId);
        const viewers = Math.max(stats.viewers, channel.sockets.size);
        reply({ ok: true, ...cut(meta, viewers, stats.likes) });
        return;
      }
      throw new LiveroomError('UNAVAILABLE', 'room is too busy to join right now', 500);
    } catch (error) {
      if (channel && !stateOf(socket).rooms.has(roomId)) this.fanout.release(roomId);
      reply({ ok: false, error: toLiveroomError(error).toWire() });
    }
  }

  leave(socket: Socket, payload: unknown): object {
    const { roomId } = parseInput(roomLeaveSchema, payload);
    if (!stateOf(socket).rooms.has(roomId)) throw new LiveroomError('NOT_IN_ROOM', `not in room ${roomId}`);
    this.fanout.detach(socket, roomId);
    return {};
  }

  leaveAll(socket: Socket): void {
    for (const roomId of [...stateOf(socket).rooms]) this.fanout.detach(socket, roomId);
  }

  /**
   * Reads what the join needs from Redis; returns a function that, given the channel's flushedSeq
   * at the moment of joining, builds the ack (or null if memory does not reach back far enough).
   */
  private async prepare(channel: RoomChannel, sinceSeq: number | undefined) {
    let history: { events: RawRoomEvent[]; seq: number } | null = null;
    if (sinceSeq !== undefined) {
      const h = await this.roomLog.history(channel.roomId, sinceSeq);
      if (!h.resync) {
        history = h;
        // The client saw events this gateway has not sent yet: wait, or they would come twice.
        if (sinceSeq > channel.flushedSeq) await channel.waitFlushed(sinceSeq, CATCH_UP_MS);
        if (sinceSeq > channel.flushedSeq) throw new LiveroomError('UNAVAILABLE', 'gateway is catching up; retry', 200);
      }
    }
    const recent = history === null ? await this.roomLog.recentBarrage(channel.roomId) : { events: [], seq: 0 };
    const resync = sinceSeq !== undefined && history === null;

    return (flushedSeq: number) => {
      const missed = history === null ? null : upTo(history.events, history.seq, flushedSeq, channel);
      if (history !== null && missed === null) return null;
      const snapshot = history === null ? upTo(recent.events, recent.seq, flushedSeq, channel, true) : [];
      if (snapshot === null) return null;
      return (meta: Parameters<typeof toInfo>[0], viewers: number, likes: number): RoomJoinResult => {
        const result: RoomJoinResult = {
          room: { ...toInfo(meta, flushedSeq, { viewers, likes }), recent: parse(snapshot.slice(-RECENT_BARRAGE)) },
        };
        if (missed) result.missed = parse(missed);
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
  return kept.concat(barrageOnly ? newer.filter((e) => e.json.includes('"type":"barrage"')) : newer);
}

function parse(events: RawRoomEvent[]): RoomEvent[] {
  return events.map((e) => JSON.parse(e.json) as RoomEvent);
}
