import * as hdr from 'hdr-histogram-js';
import { assign, parseOptions } from './args.js';
import {
  decodeHistogram,
  encodeHistogram,
  mergeHistograms,
  newLatencyHistogram,
  parseProcStat,
  recordUs,
  SeqTracker,
  summarize,
  withIntegerBuckets,
} from './stats.js';

describe('SeqTracker', () => {
  it('accepts a contiguous stream', () => {
    const t = new SeqTracker();
    t.join(10);
    for (let s = 11; s <= 2000; s++) expect(t.record(s)).toBe(true);
    expect([t.received, t.gaps, t.dups, t.outOfOrder]).toEqual([1990, 0, 0, 0]);
    expect(t.countMissing([5, 10, 11, 500, 2000])).toEqual({ expected: 3, missing: 0 });
  });

  it('counts gaps, duplicates, out-of-order and loss', () => {
    const t = new SeqTracker();
    t.join(0);
    t.record(1);
    t.record(2);
    t.record(5); // gap of 2 (3, 4)
    expect(t.record(5)).toBe(false); // duplicate
    expect(t.record(0)).toBe(false); // ≤ joinSeq: duplicate
    expect(t.record(3)).toBe(true); // late fill
    expect([t.gaps, t.dups, t.outOfOrder, t.last]).toEqual([2, 2, 1, 5]);
    expect(t.countMissing([1, 2, 3, 4, 5, 6])).toEqual({ expected: 6, missing: 2 });
  });
});

describe('histograms', () => {
  it('encodes, merges and summarizes in ms', () => {
    const a = newLatencyHistogram();
    const b = newLatencyHistogram();
    for (let i = 1; i <= 100; i++) recordUs(a, i); // 1..100 ms
    recordUs(b, 1000);
    const m = mergeHistograms([encodeHistogram(a), encodeHistogram(b)]);
    const s = summarize(m);
    expect(s.count).toBe(101);
    expect(s.p50).toBeCloseTo(51, 0);
    expect(s.max).toBeCloseTo(1000, 0);
    expect(decodeHistogram(encodeHistogram(a)).totalCount).toBe(100);
    expect(summarize(newLatencyHistogram()).count).toBe(0);
  });
});

describe('integer bucket math', () => {
  const options = { bitBucketSize: 32, lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 } as const;
  type Indexed = { countsArrayIndex(value: number): number };

  it('puts every value in the bucket hdr-histogram-js would', () => {
    const stock = hdr.build(options) as unknown as Indexed;
    const fast = withIntegerBuckets(hdr.build(options)) as unknown as Indexed;
    // The replacement is in place (not the library's own methods through the fallback).
    expect(Object.hasOwn(fast, 'getBucketIndex') && Object.hasOwn(fast, 'getSubBucketIndex')).toBe(true);
    const values = [0, 1, 2, 3, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 65_535, 65_536, 1_000_000, 2 ** 29, 599_999_999, 600_000_000];
    for (let k = 0; k < 31; k++) values.push(2 ** k - 1, 2 ** k, 2 ** k + 1);
    let x = 12345;
    for (let i = 0; i < 20_000; i++) values.push((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 600_000_000);
    for (const v of values) expect([v, fast.countsArrayIndex(v)]).toEqual([v, stock.countsArrayIndex(v)]);
  });

  it('records and reports the same percentiles', () => {
    const stock = hdr.build(options);
    const fast = newLatencyHistogram();
    for (let i = 1; i <= 50_000; i++) {
      const ms = (i * 7919) % 30_000 / 10;
      stock.recordValue(Math.max(1, Math.round(ms * 1000)));
      recordUs(fast, ms);
    }
    for (const p of [50, 90, 99, 99.9, 100]) expect(fast.getValueAtPercentile(p)).toBe(stock.getValueAtPercentile(p));
  });
});

describe('proc stat', () => {
  it('parses utime/stime even with odd comm names', () => {
    const line = '1234 (node (x) y) S 1 1234 1234 0 -1 4194560 9000 0 0 0 250 75 0 0 20 0 11 0 100 1000000 5000 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ comm: 'node (x) y', utime: 250, stime: 75 });
  });
});

describe('args', () => {
  it('defaults senders to ceil(rate/4) and parses lists', () => {
    const o = parseOptions(['--urls', 'http://a:1,http://b:2', '--rate', '100', '--server-pids', '1,2'], {});
    expect(o.senders).toBe(25);
    expect(o.urls).toEqual(['http://a:1', 'http://b:2']);
    expect(o.serverPids).toEqual([1, 2]);
    expect(o.jwtSecret).toBe('liveroom-dev-secret');
    expect(() => parseOptions(['--viewers', 'x'], {})).toThrow();
  });

  it('spreads viewers over URLs and workers', () => {
    const split = assign(8, ['u0', 'u1'], 2);
    expect(split[0].map((a) => `${a.index}@${a.url}`)).toEqual(['0@u0', '1@u1', '4@u0', '5@u1']);
    expect(split[1].map((a) => `${a.index}@${a.url}`)).toEqual(['2@u0', '3@u1', '6@u0', '7@u1']);
  });
});
