import type { Histogram } from 'hdr-histogram-js';
import type { Assignment, MeasureWindow, StreamSummary, WorkerInit } from './ipc.js';
import { FrameCache, joinRoom, signToken, type DecodedFrame } from './protocol.js';
import { RawSioClient, SioConnectError } from './sio-raw-client.js';
import { newLatencyHistogram, nowMs, recordUs, SeqTracker } from './stats.js';

interface Viewer {
  index: number;
  client?: RawSioClient;
  tracker: SeqTracker;
  /** Frames that arrived before the join ack (checked against the snapshot once it is known). */
  buffered: DecodedFrame[];
  disconnected: boolean;
}

/**
 * A worker's viewers: each joins the room and checks its `room:events` stream (every seq once, in
 * order, from its join on); the pool counts deliveries and send→receive latency, for the window and live.
 */
export class ViewerPool {
  private readonly viewers: Viewer[] = [];
  private readonly cache = new FrameCache();
  private window: MeasureWindow = { sendStart: Infinity, windowStart: Infinity, windowEnd: Infinity };

  // window counters
  delivered = 0;
  frames = 0;
  readonly latency: Histogram = newLatencyHistogram();
  // live counters, reset by takeLive()
  private tDelivered = 0;
  private tFrames = 0;
  private readonly liveLatency: Histogram = newLatencyHistogram();
  private preJoinEvents = 0;
  private parseErrors = 0;

  constructor(private readonly cfg: WorkerInit) {}

  get size(): number {
    return this.viewers.length;
  }

  /** The lowest and highest seq the viewers joined at (0 when none joined). */
  joinSeqRange(): { min: number; max: number } {
    let min = Infinity;
    let max = -Infinity;
    for (const v of this.viewers) {
      min = Math.min(min, v.tracker.joinSeq);
      max = Math.max(max, v.tracker.joinSeq);
    }
    return Number.isFinite(min) ? { min, max } : { min: 0, max: 0 };
  }

  /** Connects and joins one viewer, retrying once (not after UNAUTHORIZED); throws the last error. */
  async connect(a: Assignment): Promise<void> {
    const v: Viewer = { index: a.index, tracker: new SeqTracker(), buffered: [], disconnected: false };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.connectOnce(v, a);
        this.viewers.push(v);
        return;
      } catch (e) {
        if (attempt === 1 || (e instanceof SioConnectError && e.message === 'UNAUTHORIZED')) throw e;
      }
    }
  }

  start(window: MeasureWindow): void {
    this.window = window;
  }

  /** Frames / events / latency histogram since the last call, and the viewers still connected. */
  takeLive(): { delivered: number; frames: number; latency: Histogram; open: number } {
    let open = 0;
    for (const v of this.viewers) if (!v.disconnected) open++;
    const live = { delivered: this.tDelivered, frames: this.tFrames, latency: this.liveLatency, open };
    this.tDelivered = this.tFrames = 0;
    return live;
  }

  resetLive(): void {
    this.liveLatency.reset();
  }

  summarize(ackedSeqs: number[]): StreamSummary {
    const s: StreamSummary = {
      viewersOk: this.viewers.length,
      viewersDisconnected: 0,
      expected: 0,
      missing: 0,
      expectedDisconnected: 0,
      missingDisconnected: 0,
      gaps: 0,
      dups: 0,
      outOfOrder: 0,
      preJoinEvents: this.preJoinEvents,
      parseErrors: this.parseErrors,
    };
    for (const v of this.viewers) {
      const r = v.tracker.countMissing(ackedSeqs);
      if (v.disconnected) {
        s.viewersDisconnected++;
        s.expectedDisconnected += r.expected;
        s.missingDisconnected += r.missing;
      } else {
        s.expected += r.expected;
        s.missing += r.missing;
      }
      s.gaps += v.tracker.gaps;
      s.dups += v.tracker.dups;
      s.outOfOrder += v.tracker.outOfOrder;
      s.parseErrors += v.client?.parseErrors ?? 0;
    }
    return s;
  }

  shutdown(): void {
    for (const v of this.viewers) v.client?.terminate();
  }

  private async connectOnce(v: Viewer, a: Assignment): Promise<void> {
    const auth = this.cfg.anonymousViewers
      ? undefined
      : { token: await signToken(this.cfg.jwtSecret, `lg-v${a.index}-${this.cfg.runId}`, `viewer ${a.index}`) };
    const client = await RawSioClient.connect(a.url, { auth, connectTimeoutMs: this.cfg.connectTimeoutMs });
    v.buffered = [];
    client.onRawBytes('room:events', (buf, start, end) => this.onFrame(v, buf, start, end));
    const joined = await joinRoom(client, this.cfg.roomId, this.cfg.connectTimeoutMs);
    v.client = client;
    v.tracker.join(joined.seq);
    client.onClose(() => {
      v.disconnected = true;
    });
    const t = nowMs();
    for (const s of joined.missed) v.tracker.record(s);
    for (const d of v.buffered) this.process(v, d, t, true);
    v.buffered = [];
  }

  private onFrame(v: Viewer, buf: Buffer, start: number, end: number): void {
    const recv = nowMs();
    const d = this.cache.get(buf, start, end);
    if (!d) {
      this.parseErrors++;
      return;
    }
    if (d.roomId !== this.cfg.roomId) return;
    if (!v.tracker.joined) {
      v.buffered.push(d);
      return;
    }
    this.process(v, d, recv, false);
  }

  private process(v: Viewer, d: DecodedFrame, recv: number, preAck: boolean): void {
    const n = d.seqs.length;
    this.tFrames++;
    this.tDelivered += n;
    const { windowStart, windowEnd } = this.window;
    if (recv >= windowStart && recv < windowEnd) {
      this.frames++;
      this.delivered += n;
    }
    const tr = v.tracker;
    for (let i = 0; i < n; i++) {
      const seq = d.seqs[i];
      if (preAck && seq <= tr.joinSeq) {
        this.preJoinEvents++; // arrived before the join ack and already covered by the snapshot
        continue;
      }
      if (!tr.record(seq)) continue;
      const ts = d.sendTs[i];
      if (ts === ts) {
        const lat = recv - ts;
        recordUs(this.liveLatency, lat);
        if (ts >= windowStart && ts < windowEnd) recordUs(this.latency, lat);
      }
    }
  }
}
