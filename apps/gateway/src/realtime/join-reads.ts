import { Injectable } from '@nestjs/common';
import { type HistoryResult, type RawRoomEvent, RoomLog } from '#room-log';
import { SingleFlight } from '../common/single-flight.js';
import { RoomDirectory, type RoomMeta } from '../rooms/room-directory.js';
import { RoomStatsService } from '../rooms/room-stats.service.js';

/**
 * The Redis reads of a room:join, shared by the joins of a room that run at the same time (a failed
 * node's viewers all rejoin at once, most with the same sinceSeq). Each join still merges what was
 * read with the channel's memory by seq, so a shared read is as good as its own.
 */
@Injectable()
export class JoinReads {
  private readonly metas = new SingleFlight<RoomMeta>();
  private readonly stats = new SingleFlight<{ viewers: number; likes: number }>();
  private readonly histories = new SingleFlight<HistoryResult>();
  private readonly recents = new SingleFlight<{ events: RawRoomEvent[]; seq: number }>();

  constructor(
    private readonly directory: RoomDirectory,
    private readonly roomLog: RoomLog,
    private readonly roomStats: RoomStatsService,
  ) {}

  meta(roomId: string): Promise<RoomMeta> {
    return this.metas.run(roomId, () => this.directory.require(roomId));
  }

  viewersAndLikes(roomId: string): Promise<{ viewers: number; likes: number }> {
    return this.stats.run(roomId, () => this.roomStats.roomStats(roomId));
  }

  history(roomId: string, afterSeq: number): Promise<HistoryResult> {
    return this.histories.run(`${roomId}\n${afterSeq}`, () => this.roomLog.history(roomId, afterSeq));
  }

  recentBarrage(roomId: string): Promise<{ events: RawRoomEvent[]; seq: number }> {
    return this.recents.run(roomId, () => this.roomLog.recentBarrage(roomId));
  }

  isBanned(roomId: string, userId: string): Promise<boolean> {
    return this.directory.isBanned(roomId, userId);
  }
}
