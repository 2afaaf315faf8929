import type { RoomEvent, RoomSnapshot } from '#contracts';
import { rankGateways } from './gateway-picker.js';
import { RoomStream } from './room-stream.js';

const ev = (seq: number): RoomEvent => ({ seq, ts: 0, type: 'room', action: 'ended' });
const snapshot = (seq: number) => ({ id: 'r', title: '', hostId: 'h', live: true, seq, viewers: 0, likes: 0, slowModeSec: 0, cohosts: [], recent: [] }) as RoomSnapshot;

describe('RoomStream', () => {
  it('delivers each seq once, in order, across a rejoin with missed events', () => {
    const got: number[] = [];
    const gaps: number[] = [];
    const stream = new RoomStream('r', { onEvents: (e) => got.push(...e.map((x) => x.seq)) }, (s) => gaps.push(s.lastSeq ?? -1));
    stream.applyJoin({ room: snapshot(3) });
    stream.deliver([ev(4), ev(5)]);
    stream.deliver([ev(5), ev(6)]); // duplicate 5 dropped
    stream.applyJoin({ room: snapshot(9), missed: [ev(6), ev(7), ev(8), ev(9)] }); // resume after reconnect
    stream.deliver([ev(10)]);
    expect(got).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(gaps).toEqual([]);
  });

  it('asks for a rejoin on a hole and ignores frames until it is answered', () => {
    const got: number[] = [];
    let asked = 0;
    const stream = new RoomStream('r', { onEvents: (e) => got.push(...e.map((x) => x.seq)) }, () => asked++);
    stream.applyJoin({ room: snapshot(0) });
    stream.deliver([ev(1), ev(3)]);
    stream.deliver([ev(4)]);
    expect(got).toEqual([1]);
    expect(asked).toBe(1);
    stream.applyJoin({ room: snapshot(4), missed: [ev(2), ev(3), ev(4)] });
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('starts over from the snapshot on resync', () => {
    const snaps: string[] = [];
    const stream = new RoomStream('r', { onSnapshot: (_room, why) => snaps.push(why) }, () => undefined);
    stream.applyJoin({ room: snapshot(5) });
    stream.applyJoin({ room: snapshot(5000), resync: true });
    expect(snaps).toEqual(['joined', 'resync']);
    expect(stream.lastSeq).toBe(5000);
  });
});

describe('rankGateways', () => {
  it('ranks the same way for the same key and spreads keys over gateways', () => {
    const urls = ['http://a', 'http://b', 'http://c'];
    expect(rankGateways(urls, 'room-1')).toEqual(rankGateways([...urls].reverse(), 'room-1'));
    const firsts = new Set(Array.from({ length: 50 }, (_, i) => rankGateways(urls, `room-${i}`)[0]));
    expect(firsts.size).toBe(3);
    // Removing a gateway only moves the keys that ranked it first.
    for (let i = 0; i < 50; i++) {
      const before = rankGateways(urls, `room-${i}`);
      const after = rankGateways(['http://a', 'http://b'], `room-${i}`);
      if (before[0] !== 'http://c') expect(after[0]).toBe(before[0]);
    }
  });
});
