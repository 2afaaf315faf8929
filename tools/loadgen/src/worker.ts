/**
 * Loadgen worker (forked by cli.ts). Owns a share of the viewers and senders:
 * connects them, verifies every viewer's stream, drives the senders on a schedule,
 * and reports counters and HDR histograms to the master over IPC.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import {
  asMasterMessage,
  type Assignment,
  type FinalizeMsg,
  type StartMsg,
  type WorkerInit,
  type WorkerResult,
  type WorkerToMaster,
} from './ipc.js';
import { barrageText, FrameCache, readBarrageAck, readJoinAck, signToken, type DecodedFrame } from './protocol.js';
import { AckTimeoutError, DisconnectedError, RawSioClient, SioConnectError } from './sio-raw-client.js';
import { encodeHistogram, newLatencyHistogram, nowMs, readSchedWaitNs, recordUs, SeqTracker } from './stats.js';

const ELD_RESOLUTION_MS = 5;

function send(m: WorkerToMaster): void {
  process.send?.(m);
}

interface Viewer {
  index: number;
  client?: RawSioClient;
  tracker: SeqTracker;
  buffered: DecodedFrame[];
  disconnected: boolean;
}

interface Sender {
  index: number;
  client: RawSioClient;
  n: number;
  phase: number;
}

class Worker {
  private readonly viewers: Viewer[] = [];
  private readonly senders: Sender[] = [];
  private readonly cache = new FrameCache();
  private windowStart = Infinity;
  private windowEnd = Infinity;
  private sendStart = Infinity;

  // window counters
  private sent = 0;
  private ackOk = 0;
  private readonly ackErrors: Record<string, number> = {};
  private delivered = 0;
  private frames = 0;
  private readonly latency: Histogram = newLatencyHistogram();
  private readonly ackLatency: Histogram = newLatencyHistogram();
  private readonly ackedSeqs: number[] = [];
  // whole-run counters
  private sentTotal = 0;
  private readonly ackErrorsTotal: Record<string, number> = {};
  private preJoinEvents = 0;
  private parseErrors = 0;
  // live (per tick) counters
  private tSent = 0;
  private tAckOk = 0;
  private tAckErr = 0;
  private tDelivered = 0;
  private tFrames = 0;
  private readonly liveLatency: Histogram = newLatencyHistogram();

  private pendingAcks = 0;
  private sendersScheduled = 0;
  private sendDoneSent = false;
  /** Set by the window-end timer (timers may fire a little before nowMs() reaches windowEnd). */
  private windowEnded = false;
  private cpuStart: NodeJS.CpuUsage | undefined;
  private cpuWindow: NodeJS.CpuUsage = { user: 0, system: 0 };
  // The histogram records whole timer intervals, so the sampling resolution is subtracted from readings.
  private readonly eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  private eluStart: EventLoopUtilization | undefined;
  private elu = 0;
  private waitStartNs = NaN;
  private cpuWaitSec = NaN;
  private eldP99 = 0;
  private eldMax = 0;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(private readonly cfg: WorkerInit) {}

  async connectAll(): Promise<void> {
    const errors: string[] = [];
    const noteError = (what: string, e: unknown): void => {
      if (errors.length < 10) errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    };
    let sendersFailed = 0;
    for (const a of this.cfg.senders) {
      try {
        this.senders.push(await this.connectSender(a));
      } catch (e) {
        sendersFailed++;
        noteError(`sender ${a.index}`, e);
      }
    }
    let done = 0;
    let failed = 0;
    const progress = setInterval(() => send({ type: 'connecting', done, failed }), 500);
    const queue = [...this.cfg.viewers];
    const runOne = async (): Promise<void> => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        const v: Viewer = { index: a.index, tracker: new SeqTracker(), buffered: [], disconnected: false };
        let ok = false;
        for (let attempt = 0; attempt < 2 && !ok; attempt++) {
          try {
            await this.connectViewer(v, a);
            ok = true;
          } catch (e) {
            if (attempt === 1) noteError(`viewer ${a.index}`, e);
            else if (e instanceof SioConnectError && e.message === 'UNAUTHORIZED') {
              noteError(`viewer ${a.index}`, e);
              break;
            }
          }
        }
        if (ok) this.viewers.push(v);
        else failed++;
        done++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.cfg.concurrency) }, runOne));
    clearInterval(progress);
    let minJoin = Infinity;
    let maxJoin = -Infinity;
    for (const v of this.viewers) {
      minJoin = Math.min(minJoin, v.tracker.joinSeq);
      maxJoin = Math.max(maxJoin, v.tracker.joinSeq);
    }
    send({
      type: 'connected',
      viewersOk: this.viewers.length,
      viewersFailed: failed,
      sendersOk: this.senders.length,
      sendersFailed,
      errorSamples: errors,
      minJoinSeq: Number.isFinite(minJoin) ? minJoin : 0,
      maxJoinSeq: Number.isFinite(maxJoin) ? maxJoin : 0,
    });
  }

  private async join(client: RawSioClient): Promise<{ seq: number; missed: number[] }> {
    const args = await client.emitWithAck('room:join', { roomId: this.cfg.roomId }, this.cfg.connectTimeoutMs);
    const r = readJoinAck(args);
    if (!r.ok) throw new Error(`room:join answered ${r.code}`);
    return r.value;
  }

  private async connectSender(a: Assignment): Promise<Sender> {
    const token = await signToken(this.cfg.jwtSecret, `lg-s${a.index}-${this.cfg.runId}`, `sender ${a.index}`);
    const client = await RawSioClient.connect(a.url, { auth: { token }, connectTimeoutMs: this.cfg.connectTimeoutMs });
    try {
      await this.join(client); // senders ignore room:events (no handler → frames are not parsed)
    } catch (e) {
      client.terminate();
      throw e;
    }
    return { index: a.index, client, n: 0, phase: 0 };
  }

  private async connectViewer(v: Viewer, a: Assignment): Promise<void> {
    const auth = this.cfg.anonymousViewers
      ? undefined
      : { token: await signToken(this.cfg.jwtSecret, `lg-v${a.index}-${this.cfg.runId}`, `viewer ${a.index}`) };
    const client = await RawSioClient.connect(a.url, { auth, connectTimeoutMs: this.cfg.connectTimeoutMs });
    v.buffered = [];
    client.onRaw('room:events', (frame) => this.onFrame(v, frame));
    let joined;
    try {
      joined = await this.join(client);
    } catch (e) {
      client.terminate();
      throw e;
    }
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

  private onFrame(v: Viewer, frame: string): void {
    const recv = nowMs();
    const d = this.cache.get(frame);
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
    if (recv >= this.windowStart && recv < this.windowEnd) {
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
        if (ts >= this.windowStart && ts < this.windowEnd) recordUs(this.latency, lat);
      }
    }
  }

  start(m: StartMsg): void {
    this.sendStart = m.sendStart;
    this.windowStart = m.windowStart;
    this.windowEnd = m.windowEnd;
    const now = nowMs();
    setTimeout(
      () => {
        this.cpuStart = process.cpuUsage();
        this.eluStart = performance.eventLoopUtilization();
        this.waitStartNs = readSchedWaitNs('self');
        this.eld.reset();
        this.eld.enable();
      },
      Math.max(0, m.windowStart - now),
    );
    setTimeout(
      () => {
        if (this.cpuStart) this.cpuWindow = process.cpuUsage(this.cpuStart);
        this.eld.disable();
        this.eldP99 = Math.max(0, this.eld.percentile(99) / 1e6 - ELD_RESOLUTION_MS);
        this.eldMax = Math.max(0, this.eld.max / 1e6 - ELD_RESOLUTION_MS);
        if (this.eluStart) this.elu = performance.eventLoopUtilization(this.eluStart).utilization;
        this.cpuWaitSec = (readSchedWaitNs('self') - this.waitStartNs) / 1e9;
        this.windowEnded = true;
        this.checkSendDone();
      },
      Math.max(0, m.windowEnd - now),
    );
    this.tickTimer = setInterval(() => this.tick(), 1000);
    const interval = this.cfg.senderIntervalMs;
    for (const s of this.senders) {
      s.phase = Math.random() * interval;
      this.sendersScheduled++;
      this.schedule(s);
    }
  }

  private schedule(s: Sender): void {
    const interval = this.cfg.senderIntervalMs;
    const target = this.sendStart + s.phase + s.n * interval;
    if (target >= this.windowEnd) {
      this.sendersScheduled--;
      this.checkSendDone();
      return;
    }
    const jitter = (Math.random() - 0.5) * 0.2 * interval; // ±10 %, not cumulative
    setTimeout(() => this.fire(s), Math.max(0, target + jitter - nowMs()));
  }

  private fire(s: Sender): void {
    const n = s.n++;
    const ts = nowMs();
    const inWindow = ts >= this.windowStart && ts < this.windowEnd;
    this.sentTotal++;
    this.tSent++;
    if (inWindow) this.sent++;
    this.pendingAcks++;
    const clientMsgId = `${this.cfg.runId}-${s.index}-${n}`;
    s.client
      .emitWithAck(
        'barrage:send',
        { roomId: this.cfg.roomId, text: barrageText(ts, s.index, n), clientMsgId },
        this.cfg.ackTimeoutMs,
      )
      .then(
        (args) => {
          const r = readBarrageAck(args);
          if (r.ok) {
            this.tAckOk++;
            if (inWindow) {
              this.ackOk++;
              this.ackedSeqs.push(r.value.seq);
              recordUs(this.ackLatency, nowMs() - ts);
            }
          } else this.countError(r.code, inWindow);
        },
        (e: unknown) => {
          const code =
            e instanceof AckTimeoutError ? 'ACK_TIMEOUT' : e instanceof DisconnectedError ? 'DISCONNECTED' : 'ERROR';
          this.countError(code, inWindow);
        },
      )
      .finally(() => {
        this.pendingAcks--;
        this.checkSendDone();
      });
    this.schedule(s);
  }

  private countError(code: string, inWindow: boolean): void {
    this.tAckErr++;
    this.ackErrorsTotal[code] = (this.ackErrorsTotal[code] ?? 0) + 1;
    if (inWindow) this.ackErrors[code] = (this.ackErrors[code] ?? 0) + 1;
  }

  private checkSendDone(): void {
    if (this.sendDoneSent || this.sendersScheduled > 0 || this.pendingAcks > 0 || !this.windowEnded) return;
    this.sendDoneSent = true;
    send({ type: 'sendDone', ackedSeqs: this.ackedSeqs });
  }

  private tick(): void {
    let open = 0;
    for (const v of this.viewers) if (!v.disconnected) open++;
    send({
      type: 'tick',
      sent: this.tSent,
      ackOk: this.tAckOk,
      ackErr: this.tAckErr,
      delivered: this.tDelivered,
      frames: this.tFrames,
      latency: encodeHistogram(this.liveLatency),
      viewersOpen: open,
    });
    this.tSent = this.tAckOk = this.tAckErr = this.tDelivered = this.tFrames = 0;
    this.liveLatency.reset();
  }

  finalize(m: FinalizeMsg): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    let expected = 0;
    let missing = 0;
    let expectedDisc = 0;
    let missingDisc = 0;
    let gaps = 0;
    let dups = 0;
    let outOfOrder = 0;
    let disconnected = 0;
    for (const v of this.viewers) {
      const r = v.tracker.countMissing(m.ackedSeqs);
      if (v.disconnected) {
        disconnected++;
        expectedDisc += r.expected;
        missingDisc += r.missing;
      } else {
        expected += r.expected;
        missing += r.missing;
      }
      gaps += v.tracker.gaps;
      dups += v.tracker.dups;
      outOfOrder += v.tracker.outOfOrder;
    }
    let parseErrors = this.parseErrors;
    for (const v of this.viewers) parseErrors += v.client?.parseErrors ?? 0;
    const result: WorkerResult = {
      workerIndex: this.cfg.workerIndex,
      viewersOk: this.viewers.length,
      viewersFailed: this.cfg.viewers.length - this.viewers.length,
      viewersDisconnected: disconnected,
      sendersOk: this.senders.length,
      sent: this.sent,
      ackOk: this.ackOk,
      ackErrors: this.ackErrors,
      sentTotal: this.sentTotal,
      ackErrorsTotal: this.ackErrorsTotal,
      delivered: this.delivered,
      frames: this.frames,
      latency: encodeHistogram(this.latency),
      ackLatency: encodeHistogram(this.ackLatency),
      expected,
      missing,
      expectedDisconnected: expectedDisc,
      missingDisconnected: missingDisc,
      gaps,
      dups,
      outOfOrder,
      preJoinEvents: this.preJoinEvents,
      parseErrors,
      cpuUserMs: this.cpuWindow.user / 1000,
      cpuSystemMs: this.cpuWindow.system / 1000,
      eventLoopDelayP99Ms: this.eldP99,
      eventLoopDelayMaxMs: this.eldMax,
      eventLoopUtilization: this.elu,
      cpuWaitSec: this.cpuWaitSec,
    };
    send({ type: 'result', result });
  }

  shutdown(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    for (const v of this.viewers) v.client?.terminate();
    for (const s of this.senders) s.client.terminate();
  }
}

let worker: Worker | undefined;

process.on('message', (raw: unknown) => {
  const m = asMasterMessage(raw);
  if (!m) return;
  switch (m.type) {
    case 'init':
      worker = new Worker(m);
      worker.connectAll().catch((e: unknown) => {
        send({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
      });
      break;
    case 'start':
      worker?.start(m);
      break;
    case 'finalize':
      worker?.finalize(m);
      break;
    case 'exit':
      worker?.shutdown();
      setTimeout(() => process.exit(0), 50).unref();
      process.disconnect?.();
      break;
  }
});

// The master went away: don't linger.
process.on('disconnect', () => {
  worker?.shutdown();
  setTimeout(() => process.exit(0), 50);
});
