import type { RoomEvent, RoomHandlers, RoomJoinResult } from './types.js';

/**
 * One joined room on the client: remembers the last seq it delivered, so a rejoin (on any gateway)
 * asks for exactly what is missing, and drops anything it has already delivered.
 */
export class RoomStream {
  lastSeq: number | null = null;
  /** A rejoin is under way: frames are ignored until its ack (which carries what they held). */
  rejoining = false;

  constructor(
    readonly roomId: string,
    readonly handlers: RoomHandlers,
    private readonly onGap: (stream: RoomStream) => void,
  ) {}

  /** Applies a room:join ack; returns the sinceSeq to use next time. */
  applyJoin(ack: RoomJoinResult): void {
    this.rejoining = false;
    const first = this.lastSeq === null;
    if (first || ack.resync) {
      this.lastSeq = ack.room.seq;
      this.handlers.onSnapshot?.(ack.room, first ? 'joined' : 'resync');
      return;
    }
    this.deliver(ack.missed ?? []);
  }

  /** Frames and missed events: in order, each seq once; a hole means rejoin with sinceSeq. */
  deliver(events: RoomEvent[]): void {
    if (this.lastSeq === null || this.rejoining) return;
    const fresh: RoomEvent[] = [];
    for (const event of events) {
      if (event.seq <= this.lastSeq) continue;
      if (event.seq !== this.lastSeq + 1) {
        if (fresh.length > 0) this.handlers.onEvents?.(fresh);
        this.rejoining = true;
        this.onGap(this);
        return;
      }
      fresh.push(event);
      this.lastSeq = event.seq;
    }
    if (fresh.length > 0) this.handlers.onEvents?.(fresh);
  }
}
