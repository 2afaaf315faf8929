import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as hdr from 'hdr-histogram-js';

/** Epoch milliseconds with sub-ms precision, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Latencies are recorded in microseconds; up to 10 minutes, 3 significant digits. */
export function newLatencyHistogram(): hdr.Histogram {
  return withIntegerBuckets(
    hdr.build({
      bitBucketSize: 32,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 600_000_000,
      numberOfSignificantValueDigits: 3,
      autoResize: false,
    }),
  );
}

/** What withIntegerBuckets replaces of hdr-histogram-js's JsHistogram (3.x). */
interface BucketMath {
  subBucketHalfCountMagnitude: number;
  unitMagnitude: number;
  getBucketIndex(value: number): number;
  getSubBucketIndex(value: number, bucketIndex: number): number;
}

const INT_LIMIT = 2 ** 31;

/**
 * hdr-histogram-js finds a value's bucket with Math.log2 and Math.pow (its values may pass 32 bits):
 * a quarter of a loadgen worker's CPU at 100,000 recorded latencies a second. Below 2^31 (all of
 * ours: at most 600,000,000 µs) integer bit operations give the same indexes (stats.spec.ts).
 */
export function withIntegerBuckets(h: hdr.Histogram): hdr.Histogram {
  const m = h as unknown as BucketMath;
  if (typeof m.getBucketIndex !== 'function' || typeof m.getSubBucketIndex !== 'function') return h;
  const bucketOf = m.getBucketIndex.bind(m);
  const subBucketOf = m.getSubBucketIndex.bind(m);
  const shift = m.subBucketHalfCountMagnitude + m.unitMagnitude;
  m.getBucketIndex = (value) => (value >= 1 && value < INT_LIMIT ? Math.max(31 - Math.clz32(value) - shift, 0) : bucketOf(value));
  m.getSubBucketIndex = (value, bucketIndex) =>
    value >= 0 && value < INT_LIMIT && Number.isInteger(value) ? value >>> (bucketIndex + m.unitMagnitude) : subBucketOf(value, bucketIndex);
  return h;
}

const MAX_US = 600_000_000;

export function recordUs(h: hdr.Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < 1 ? 1 : us > MAX_US ? MAX_US : us);
}

export function encodeHistogram(h: hdr.Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decodeHistogram(s: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(s, 32, false);
}

export function mergeHistograms(encoded: readonly string[]): hdr.Histogram {
  const out = newLatencyHistogram();
  for (const e of encoded) {
    if (e) out.add(decodeHistogram(e));
  }
  return out;
}

export interface LatencySummary {
  count: number;
  /** All values in milliseconds. */
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: h.totalCount,
    mean: ms(h.mean),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

/**
 * Per-viewer stream verification. After `join(seq)`, every seq > joinSeq should arrive exactly once,
 * in increasing order. Received seqs are kept in a bitmap so loss can be computed exactly afterwards.
 */
export class SeqTracker {
  joinSeq = -1;
  last = 0;
  received = 0;
  /** Missing seqs observed at the moment the stream jumped forward (holes in stream order). */
  gaps = 0;
  /** Seqs received twice, or ≤ joinSeq after the join ack. */
  dups = 0;
  /** Seqs that arrived below `last` but had not been seen yet (filled a hole late). */
  outOfOrder = 0;
  private bits = new Uint8Array(256);

  get joined(): boolean {
    return this.joinSeq >= 0;
  }

  join(seq: number): void {
    this.joinSeq = seq;
    this.last = seq;
  }

  has(seq: number): boolean {
    const off = seq - this.joinSeq - 1;
    if (off < 0) return false;
    const byte = off >>> 3;
    return byte < this.bits.length && (this.bits[byte] & (1 << (off & 7))) !== 0;
  }

  /** Returns true when this is the first receipt of a seq after the join. */
  record(seq: number): boolean {
    const off = seq - this.joinSeq - 1;
    if (off < 0) {
      this.dups++;
      return false;
    }
    const byte = off >>> 3;
    if (byte >= this.bits.length) {
      let n = this.bits.length * 2;
      while (n <= byte) n *= 2;
      const nb = new Uint8Array(n);
      nb.set(this.bits);
      this.bits = nb;
    }
    const mask = 1 << (off & 7);
    if ((this.bits[byte] & mask) !== 0) {
      this.dups++;
      return false;
    }
    this.bits[byte] |= mask;
    this.received++;
    if (seq === this.last + 1) this.last = seq;
    else if (seq > this.last) {
      this.gaps += seq - this.last - 1;
      this.last = seq;
    } else this.outOfOrder++;
    return true;
  }

  /** Of the given seqs, how many are > joinSeq (expected) and how many of those were never received. */
  countMissing(seqs: readonly number[]): { expected: number; missing: number } {
    let expected = 0;
    let missing = 0;
    for (const s of seqs) {
      if (s <= this.joinSeq) continue;
      expected++;
      if (!this.has(s)) missing++;
    }
    return { expected, missing };
  }
}

export interface ProcCpu {
  pid: number;
  comm: string;
  /** utime + stime in clock ticks. */
  ticks: number;
  /** Main thread's time spent runnable but waiting for a CPU (ns, /proc/<pid>/schedstat), NaN if unavailable. */
  waitNs: number;
}

/** Run-queue wait of a process's main thread in ns (second field of /proc/<pid>/schedstat). */
export function readSchedWaitNs(pid: number | 'self'): number {
  try {
    const f = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(/\s+/);
    const v = Number(f[1]);
    return Number.isFinite(v) ? v : NaN;
  } catch {
    return NaN;
  }
}

/** Parses the content of /proc/<pid>/stat (comm may contain spaces and parentheses). */
export function parseProcStat(content: string): { comm: string; utime: number; stime: number } {
  const open = content.indexOf('(');
  const close = content.lastIndexOf(')');
  if (open === -1 || close === -1) throw new Error('bad /proc stat');
  const comm = content.slice(open + 1, close);
  const rest = content
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('bad /proc stat fields');
  return { comm, utime, stime };
}

export function readProcCpu(pid: number): ProcCpu | undefined {
  try {
    const st = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    let comm = st.comm;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      /* keep stat comm */
    }
    return { pid, comm, ticks: st.utime + st.stime, waitNs: readSchedWaitNs(pid) };
  } catch {
    return undefined;
  }
}

let clkTck: number | undefined;
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      const v = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clkTck = Number.isFinite(v) && v > 0 ? v : 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}
