import type { Redis } from 'ioredis';
import { LiveroomError, RedisKeys, type RoomEvent, type RoomEventDraft } from '#contracts';
import { defineScript, type ScriptArg } from '#redis';
import { APPEND_MANY_SCRIPT, APPEND_SCRIPT } from './append.lua.js';
import { type RawRoomEvent, toRaw } from './raw-event.js';
import { HISTORY_SCRIPT, RECENT_SCRIPT } from './read.lua.js';

export interface RoomLogOptions {
  /** Events kept per room (at least this many; Redis trims approximately). PROTOCOL: >= 1,000. */
  historySize: number;
  /** Barrage events kept for snapshots (`recent`). */
  recentSize: number;
}

export const DEFAULT_ROOM_LOG_OPTIONS: RoomLogOptions = { historySize: 2000, recentSize: 50 };

export interface AppendOptions {
  /** Makes the append idempotent: a second append with this key returns the first event. */
  dedupeKey?: string;
  dedupeTtlSec?: number;
  /** Refuse with ROOM_NOT_FOUND / ROOM_ENDED unless the room's meta says live. */
  requireLive?: boolean;
}

/** One event of an appendMany: its draft and, optionally, its dedupe key. */
export interface ManyDraft<D extends RoomEventDraft = RoomEventDraft> {
  draft: D;
  dedupeKey?: string;
}

export interface AppendResult<E extends RoomEvent = RoomEvent> {
  event: E;
  duplicate: boolean;
}

export interface HistoryResult {
  events: RawRoomEvent[];
  /** The requested point is older than the history kept (or ahead of the room): start over. */
  resync: boolean;
  /** The room's seq when history was read. */
  seq: number;
}

/** The refusal of an append to a room that is not live (the scripts' `room_log_not_live` code). */
export function notLiveError(roomId: string, code: string): LiveroomError {
  return new LiveroomError(code === 'ROOM_ENDED' ? 'ROOM_ENDED' : 'ROOM_NOT_FOUND', `room ${roomId}: ${code}`);
}

/**
 * The room log: the one append operation every producer uses (barrage, gifts, co-host, moderation)
 * and the history the gateways read from.
 */
export class RoomLog {
  private readonly appendScript: (...keysThenArgs: ScriptArg[]) => Promise<[number, string | number]>;
  /** Variadic keys (one dedupe key per event): the key count is passed with each call. */
  private readonly appendManyScript: (numberOfKeys: number, ...keysThenArgs: ScriptArg[]) => Promise<[number, string][]>;
  /** A nil seq comes back from Lua as null (false in the script). */
  private readonly historyScript: (seqKey: string, logKey: string, fromId: string) => Promise<[string | null, [string, string[]][]]>;
  private readonly recentScript: (seqKey: string, recentKey: string, count: number) => Promise<[string | null, string[]]>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: RoomLogOptions = DEFAULT_ROOM_LOG_OPTIONS,
  ) {
    this.appendScript = defineScript(redis, 'roomLogAppend', { numberOfKeys: 5, lua: APPEND_SCRIPT });
    this.appendManyScript = defineScript(redis, 'roomLogAppendMany', { lua: APPEND_MANY_SCRIPT });
    this.historyScript = defineScript(redis, 'roomLogHistory', { numberOfKeys: 2, lua: HISTORY_SCRIPT });
    this.recentScript = defineScript(redis, 'roomLogRecent', { numberOfKeys: 2, lua: RECENT_SCRIPT });
  }

  async append<D extends RoomEventDraft>(
    roomId: string,
    draft: D,
    options: AppendOptions = {},
  ): Promise<AppendResult<Extract<RoomEvent, { type: D['type'] }>>> {
    const k = this.keys;
    // Without a dedupe key the slot names the seq key: a script must declare every key it may touch.
    const dedupe = options.dedupeKey ? k.roomDedupe(roomId, options.dedupeKey) : k.roomSeq(roomId);
    const [status, payload] = await this.appendScript(
      k.roomSeq(roomId),
      k.roomLog(roomId),
      k.roomRecentBarrage(roomId),
      k.roomMeta(roomId),
      dedupe,
      JSON.stringify(draft),
      draft.type,
      k.roomChannel(roomId),
      this.options.historySize,
      options.dedupeKey ? (options.dedupeTtlSec ?? 300) : 0,
      options.requireLive ? '1' : '0',
      this.options.recentSize,
    );
    if (status === -1) throw notLiveError(roomId, String(payload));
    return { event: JSON.parse(String(payload)), duplicate: status === 0 };
  }

  /**
   * Appends several events of one room atomically, in order, with one round trip and one pub/sub
   * message for all of them; each is deduped on its own key like append's. Results are in input order.
   */
  async appendMany(roomId: string, items: readonly ManyDraft[], options: { dedupeTtlSec?: number } = {}): Promise<AppendResult[]> {
    if (items.length === 0) return [];
    // Checked before the script: it must not fail halfway (it publishes the batch only at its end).
    const ttl = options.dedupeTtlSec ?? 300;
    if (!Number.isSafeInteger(ttl) || ttl < 1) throw new RangeError(`appendMany: dedupeTtlSec must be a positive integer, got ${ttl}`);
    const k = this.keys;
    const seqKey = k.roomSeq(roomId);
    const dedupeKeys = items.map((item) => (item.dedupeKey ? k.roomDedupe(roomId, item.dedupeKey) : seqKey));
    const perEvent = items.flatMap((item) => [JSON.stringify(item.draft), item.draft.type, item.dedupeKey ? '1' : '0']);
    const replies = await this.appendManyScript(
      3 + items.length,
      seqKey,
      k.roomLog(roomId),
      k.roomRecentBarrage(roomId),
      ...dedupeKeys,
      k.roomChannel(roomId),
      this.options.historySize,
      ttl,
      this.options.recentSize,
      ...perEvent,
    );
    return replies.map(([status, json]) => ({ event: JSON.parse(json) as RoomEvent, duplicate: status === 0 }));
  }

  async currentSeq(roomId: string): Promise<number> {
    return Number((await this.redis.get(this.keys.roomSeq(roomId))) ?? 0);
  }

  /** Every event after `afterSeq`, or resync when the history no longer reaches back that far. */
  async history(roomId: string, afterSeq: number): Promise<HistoryResult> {
    const [seqReply, entries] = await this.historyScript(this.keys.roomSeq(roomId), this.keys.roomLog(roomId), `${afterSeq + 1}-0`);
    const seq = Number(seqReply ?? 0);
    const events = entries.map(([, fields]) => toRaw(fields[1] ?? '')).filter((e): e is RawRoomEvent => e !== null);
    if (afterSeq > seq) return { events: [], resync: true, seq };
    if (afterSeq === seq) return { events: [], resync: false, seq };
    const first = events[0];
    if (!first || first.seq !== afterSeq + 1) return { events: [], resync: true, seq };
    return { events, resync: false, seq };
  }

  /** Events with from <= seq <= to (both inclusive). */
  async range(roomId: string, from: number, to: number): Promise<RawRoomEvent[]> {
    if (to < from) return [];
    const entries = await this.redis.xrange(this.keys.roomLog(roomId), `${from}-0`, `${to}-0`);
    return entries.map(([, fields]) => toRaw(fields[1] ?? '')).filter((e): e is RawRoomEvent => e !== null);
  }

  /** The last barrage events (oldest first) for snapshots, and the room's seq when they were read. */
  async recentBarrage(roomId: string): Promise<{ events: RawRoomEvent[]; seq: number }> {
    const [seqReply, list] = await this.recentScript(this.keys.roomSeq(roomId), this.keys.roomRecentBarrage(roomId), this.options.recentSize);
    const events = list
      .map(toRaw)
      .filter((e): e is RawRoomEvent => e !== null)
      .reverse();
    return { events, seq: Number(seqReply ?? 0) };
  }
}
