import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Socket } from 'socket.io';
import type { RawRoomEvent } from '#room-log';
import type { FrameWriter, WriteStats } from './frame-writer.js';
import { type ChannelHooks, RoomChannel } from './room-channel.js';

const TICK_MS = 40;

function barrage(seq: number): RawRoomEvent {
  const event = { seq, type: 'barrage' as const, ts: 1, id: `m${seq}`, userId: 'u1', name: 'u1', text: `t${seq}` };
  return { seq, type: 'barrage', json: JSON.stringify(event), event };
}

function ended(seq: number): RawRoomEvent {
  const event = { seq, type: 'room' as const, ts: 1, action: 'ended' as const };
  return { seq, type: 'room', json: JSON.stringify(event), event };
}

/** Records every write: which sockets, and the seqs of the frame's events. */
class RecordingWriter {
  writes: { sockets: Socket[]; seqs: number[] }[] = [];
  failNext = false;

  write(sockets: Iterable<Socket>, packet: string): WriteStats {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('write failed');
    }
    const [event, payload] = JSON.parse(packet.slice(1)) as [string, { roomId: string; events: { seq: number }[] }];
    expect(event).toBe('room:events');
    expect(payload.roomId).toBe('r1');
    const list = [...sockets];
    this.writes.push({ sockets: list, seqs: payload.events.map((e) => e.seq) });
    return { written: list.length, dropped: 0, bytes: packet.length };
  }
}

const socket = (id: string): Socket => ({ id }) as unknown as Socket;

describe('RoomChannel', () => {
  let writer: RecordingWriter;
  let flushed: { events: number[]; sockets: number }[];
  let errors: unknown[];
  let channel: RoomChannel;

  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
    writer = new RecordingWriter();
    flushed = [];
    errors = [];
    const hooks: ChannelHooks = {
      onFlushed: (_ch, events, sockets) => flushed.push({ events: events.map((e) => e.seq), sockets }),
      onError: (_ch, error) => errors.push(error),
    };
    channel = new RoomChannel('r1', 10, writer as unknown as FrameWriter, TICK_MS, hooks);
  });

  afterEach(() => {
    channel.close();
    jest.useRealTimers();
  });

  it('sends the first event after idle at once, then batches what comes within the tick into one frame', () => {
    const a = socket('a');
    channel.add(a);
    channel.push([barrage(11)]);
    expect(writer.writes).toHaveLength(0); // after this I/O turn, not inside push()
    jest.advanceTimersByTime(0);
    expect(writer.writes).toEqual([{ sockets: [a], seqs: [11] }]);
    expect(channel.flushedSeq).toBe(11);

    channel.push([barrage(12)]);
    jest.advanceTimersByTime(10);
    channel.push([barrage(13), barrage(14)]);
    jest.advanceTimersByTime(TICK_MS - 11);
    expect(writer.writes).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(writer.writes[1]).toEqual({ sockets: [a], seqs: [12, 13, 14] });
    expect(flushed).toEqual([
      { events: [11], sockets: 1 },
      { events: [12, 13, 14], sockets: 1 },
    ]);
  });

  it('gives a socket only the frames after it joined, and none after it left', () => {
    const a = socket('a');
    const b = socket('b');
    channel.add(a);
    channel.push([barrage(11)]);
    jest.advanceTimersByTime(0);
    channel.add(b);
    channel.push([barrage(12)]);
    jest.advanceTimersByTime(TICK_MS);
    channel.remove(a);
    channel.push([barrage(13)]);
    jest.advanceTimersByTime(TICK_MS);
    expect(writer.writes).toEqual([
      { sockets: [a], seqs: [11] },
      { sockets: [a, b], seqs: [12] },
      { sockets: [b], seqs: [13] },
    ]);
  });

  it('keeps its tick after a failed write, and sends the failed events with the next frame', () => {
    channel.add(socket('a'));
    writer.failNext = true;
    channel.push([barrage(11)]);
    jest.advanceTimersByTime(0);
    expect(errors).toHaveLength(1);
    channel.push([barrage(12)]);
    jest.advanceTimersByTime(TICK_MS);
    expect(writer.writes.map((w) => w.seqs)).toEqual([[11, 12]]);
    expect(channel.flushedSeq).toBe(12);
  });

  it('resolves waitFlushed once the seq went out, and false on timeout', async () => {
    channel.add(socket('a'));
    const done = channel.waitFlushed(12, 1000);
    const never = channel.waitFlushed(99, 100);
    channel.push([barrage(11), barrage(12)]);
    jest.advanceTimersByTime(0);
    await expect(done).resolves.toBe(true);
    jest.advanceTimersByTime(100);
    await expect(never).resolves.toBe(false);
    await expect(channel.waitFlushed(5, 10)).resolves.toBe(true);
  });

  it('serves joins from memory only when it holds every event asked for', () => {
    channel.push([barrage(11), barrage(12), barrage(13)]);
    expect(channel.between(10, 13)?.map((e) => e.seq)).toEqual([11, 12, 13]);
    expect(channel.between(11, 12)?.map((e) => e.seq)).toEqual([12]);
    expect(channel.between(13, 13)).toEqual([]);
    expect(channel.between(9, 13)).toBeNull(); // seq 10 was before this channel
    expect(channel.between(12, 14)).toBeNull(); // not arrived yet
  });

  it('forgets old events once it holds more than twice what it keeps', () => {
    channel.add(socket('a'));
    const events = Array.from({ length: 2100 }, (_, i) => barrage(11 + i));
    channel.push(events);
    jest.advanceTimersByTime(0);
    expect(writer.writes[0]?.seqs).toHaveLength(2100);
    expect(channel.between(10, 20)).toBeNull();
    expect(channel.between(2100, 2110)?.map((e) => e.seq)).toEqual([2101, 2102, 2103, 2104, 2105, 2106, 2107, 2108, 2109, 2110]);
  });

  it('marks the room ended with the frame that carries its end', () => {
    channel.add(socket('a'));
    channel.push([barrage(11), ended(12)]);
    expect(channel.ended).toBe(false);
    jest.advanceTimersByTime(0);
    expect(channel.ended).toBe(true);
    expect(writer.writes[0]?.seqs).toEqual([11, 12]);
  });

  it('writes nothing, but still advances, while no socket is in the room', () => {
    channel.push([barrage(11)]);
    jest.advanceTimersByTime(0);
    expect(writer.writes).toHaveLength(0);
    expect(channel.flushedSeq).toBe(11);
    expect(flushed).toEqual([{ events: [11], sockets: 0 }]);
  });

  it('stops its tick when closed', () => {
    channel.add(socket('a'));
    channel.push([barrage(11)]);
    channel.close();
    jest.advanceTimersByTime(TICK_MS * 2);
    expect(writer.writes).toHaveLength(0);
  });
});
