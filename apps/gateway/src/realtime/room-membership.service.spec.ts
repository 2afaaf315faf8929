import { afterEach, expect, it } from '@jest/globals';
import type { Socket } from 'socket.io';
import type { RoomJoinResult } from '#contracts';
import type { HistoryResult, RawRoomEvent } from '#room-log';
import { newSocketState } from '../common/socket-state.js';
import type { Ack } from '../errors/error-mapping.js';
import type { FanoutService } from '../fanout/fanout.service.js';
import type { FrameWriter, WriteStats } from '../fanout/frame-writer.js';
import { RoomChannel } from '../fanout/room-channel.js';
import type { RoomMeta } from '../rooms/room-directory.js';
import type { JoinReads } from './join-reads.js';
import { RoomMembershipService } from './room-membership.service.js';

/**
 * The join's merge of what it read from Redis with the channel's memory, with the reads held open
 * while the channel moves on: the three ways a read and live traffic can overlap.
 */
const TICK_MS = 40;

function barrage(seq: number): RawRoomEvent {
  const event = { seq, type: 'barrage' as const, ts: 1, id: `m${seq}`, userId: 'u', name: 'u', text: `t${seq}` };
  return { seq, type: 'barrage', json: JSON.stringify(event), event };
}
const range = (from: number, to: number): RawRoomEvent[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => barrage(from + i));

/** Frames per socket, by seq. */
class RecordingWriter {
  readonly frames = new Map<Socket, number[][]>();
  write(sockets: Iterable<Socket>, packet: string): WriteStats {
    const [, payload] = JSON.parse(packet.slice(1)) as [string, { events: { seq: number }[] }];
    let written = 0;
    for (const s of sockets) {
      this.frames.set(s, [...(this.frames.get(s) ?? []), payload.events.map((e) => e.seq)]);
      written++;
    }
    return { written, dropped: 0, bytes: packet.length };
  }
}

/** Reads that answer when the test says so. */
class HeldReads {
  readonly histories: ((h: HistoryResult) => void)[] = [];
  readonly recents: ((r: { events: RawRoomEvent[]; seq: number }) => void)[] = [];
  meta = (roomId: string): Promise<RoomMeta> =>
    Promise.resolve({ id: roomId, title: 't', hostId: 'h', live: true, slowModeSec: 0, createdAt: '', cohosts: [] });
  viewersAndLikes = (): Promise<{ viewers: number; likes: number }> => Promise.resolve({ viewers: 0, likes: 0 });
  isBanned = (): Promise<boolean> => Promise.resolve(false);
  history = (): Promise<HistoryResult> => new Promise((resolve) => this.histories.push(resolve));
  recentBarrage = (): Promise<{ events: RawRoomEvent[]; seq: number }> => new Promise((resolve) => this.recents.push(resolve));
}

const channels: RoomChannel[] = [];
afterEach(() => channels.splice(0).forEach((c) => c.close()));

function setUp(baseSeq = 0) {
  const writer = new RecordingWriter();
  const channel = new RoomChannel('r1', baseSeq, writer as unknown as FrameWriter, TICK_MS, { onFlushed: () => undefined, onError: () => undefined });
  channels.push(channel);
  const fanout = { acquire: () => Promise.resolve(channel), release: () => undefined, detach: () => undefined } as unknown as FanoutService;
  const reads = new HeldReads();
  const service = new RoomMembershipService(reads as unknown as JoinReads, fanout);
  const socket = { id: 's1', connected: true, data: newSocketState({ userId: 'v', name: 'v', roles: [] }) } as unknown as Socket;
  const join = (sinceSeq?: number): Promise<Ack<RoomJoinResult>> =>
    new Promise((resolve) => void service.join(socket, sinceSeq === undefined ? { roomId: 'r1' } : { roomId: 'r1', sinceSeq }, (a) => resolve(a as Ack<RoomJoinResult>)));
  /** Pushes events and waits until the channel has sent them. */
  const live = async (events: RawRoomEvent[]): Promise<void> => {
    channel.push(events);
    await channel.waitFlushed(events.at(-1)!.seq, 1000);
  };
  /** Lets the join's pending reads get registered. */
  const settle = () => new Promise((r) => setImmediate(r));
  return { channel, writer, reads, socket, join, live, settle };
}

const seqs = (events: { seq: number }[] | undefined): number[] => (events ?? []).map((e) => e.seq);
function ok(ack: Ack<RoomJoinResult>): RoomJoinResult {
  if (!ack.ok) throw new Error(`join failed: ${ack.error.code}`);
  return ack;
}

it('fills from memory what the read did not cover, then sends only later events', async () => {
  const t = setUp();
  await t.live(range(1, 3));
  const joining = t.join(1);
  await t.settle();
  // The channel moves on while the read is out.
  await t.live(range(4, 5));
  t.reads.recents.shift()!({ events: range(1, 3), seq: 3 });
  t.reads.histories.shift()!({ events: range(2, 3), seq: 3, resync: false });
  const ack = ok(await joining);
  expect(seqs(ack.missed)).toEqual([2, 3, 4, 5]);
  expect(ack.room.seq).toBe(5);
  expect(seqs(ack.room.recent)).toEqual([1, 2, 3, 4, 5]);
  await t.live([barrage(6)]);
  expect(t.writer.frames.get(t.socket)).toEqual([[6]]);
});

it('cuts a read that is ahead of this gateway at what it has sent: the rest comes in frames', async () => {
  const t = setUp();
  await t.live(range(1, 3));
  const joining = t.join(1);
  await t.settle();
  // Redis already has 4 and 5; this gateway has not received them yet.
  t.reads.recents.shift()!({ events: range(1, 5), seq: 5 });
  t.reads.histories.shift()!({ events: range(2, 5), seq: 5, resync: false });
  const ack = ok(await joining);
  expect(seqs(ack.missed)).toEqual([2, 3]);
  expect(ack.room.seq).toBe(3);
  await t.live(range(4, 5));
  expect(t.writer.frames.get(t.socket)).toEqual([[4, 5]]);
});

it('reads again when the channel no longer remembers back to where the read stopped', async () => {
  const t = setUp(100);
  const joining = t.join(50);
  await t.settle();
  await t.live(range(101, 105));
  // A read from before 101..105 happened: memory starts at 101, the read stopped at 60.
  t.reads.recents.shift()!({ events: range(51, 60), seq: 60 });
  t.reads.histories.shift()!({ events: range(51, 60), seq: 60, resync: false });
  await t.settle();
  expect(t.reads.histories).toHaveLength(1);
  t.reads.recents.shift()!({ events: range(56, 105), seq: 105 });
  t.reads.histories.shift()!({ events: range(51, 105), seq: 105, resync: false });
  const ack = ok(await joining);
  expect(seqs(ack.missed)).toEqual(seqs(range(51, 105)));
  expect(ack.room.seq).toBe(105);
});

it('waits for the frame of events it holds but has not sent, so the snapshot includes them', async () => {
  const t = setUp();
  await t.live(range(1, 3));
  // Within the tick after a frame: 4 waits in the channel for the next one.
  t.channel.push([barrage(4)]);
  expect(t.channel.flushedSeq).toBe(3);
  const joining = t.join();
  await t.settle();
  t.reads.recents.shift()!({ events: range(1, 4), seq: 4 });
  const ack = ok(await joining);
  expect(ack.room.seq).toBe(4);
  expect(seqs(ack.room.recent)).toEqual([1, 2, 3, 4]);
  await t.live([barrage(5)]);
  expect(t.writer.frames.get(t.socket)).toEqual([[5]]);
});

it("refuses a join whose ban went out while it was reading (that frame's kick could not include it)", async () => {
  const t = setUp();
  await t.live(range(1, 2));
  const joining = t.join();
  await t.settle();
  // The ban of this socket's user ('v') is sent to the room after its "not banned" read.
  const event = { seq: 3, type: 'moderation' as const, ts: 1, action: 'ban' as const, userId: 'v' };
  await t.live([{ seq: 3, type: 'moderation', json: JSON.stringify(event), event }]);
  t.reads.recents.shift()!({ events: range(1, 2), seq: 3 });
  const ack = await joining;
  expect(ack).toMatchObject({ ok: false, error: { code: 'BANNED' } });
  expect(t.channel.sockets.has(t.socket)).toBe(false);
});
