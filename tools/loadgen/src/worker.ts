/**
 * Loadgen worker (forked by cli.ts). Owns a share of the viewers and senders: connects them, verifies
 * every viewer's stream (ViewerPool), drives the senders on a schedule (SenderPool), and reports
 * counters and HDR histograms to the master over IPC.
 */
import { asMasterMessage, type FinalizeMsg, type StartMsg, type WorkerInit, type WorkerResult, type WorkerToMaster } from './ipc.js';
import { encodeHistogram, nowMs } from './stats.js';
import { WindowProbe } from './window-probe.js';
import { SenderPool } from './worker-senders.js';
import { ViewerPool } from './worker-viewers.js';

function send(m: WorkerToMaster): void {
  process.send?.(m);
}

class Worker {
  private readonly viewers: ViewerPool;
  private readonly senders: SenderPool;
  private readonly probe = new WindowProbe();
  private sendDoneSent = false;
  /** Set by the window-end timer (timers may fire a little before nowMs() reaches windowEnd). */
  private windowEnded = false;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(private readonly cfg: WorkerInit) {
    this.viewers = new ViewerPool(cfg);
    this.senders = new SenderPool(cfg, () => this.checkSendDone());
  }

  async connectAll(): Promise<void> {
    const errors: string[] = [];
    const noteError = (what: string, e: unknown): void => {
      if (errors.length < 10) errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    };
    let sendersFailed = 0;
    for (const a of this.cfg.senders) {
      await this.senders.connect(a).catch((e: unknown) => {
        sendersFailed++;
        noteError(`sender ${a.index}`, e);
      });
    }
    let done = 0;
    let failed = 0;
    const progress = setInterval(() => send({ type: 'connecting', done, failed }), 500);
    const queue = [...this.cfg.viewers];
    const runOne = async (): Promise<void> => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        const index = a.index;
        await this.viewers.connect(a).catch((e: unknown) => {
          failed++;
          noteError(`viewer ${index}`, e);
        });
        done++;
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.cfg.concurrency) }, runOne));
    clearInterval(progress);
    const joins = this.viewers.joinSeqRange();
    send({
      type: 'connected',
      viewersOk: this.viewers.size,
      viewersFailed: failed,
      sendersOk: this.senders.size,
      sendersFailed,
      errorSamples: errors,
      minJoinSeq: joins.min,
      maxJoinSeq: joins.max,
    });
  }

  start(m: StartMsg): void {
    const now = nowMs();
    setTimeout(() => this.probe.begin(), Math.max(0, m.windowStart - now));
    setTimeout(
      () => {
        this.probe.end();
        this.windowEnded = true;
        this.checkSendDone();
      },
      Math.max(0, m.windowEnd - now),
    );
    this.tickTimer = setInterval(() => this.tick(), 1000);
    this.viewers.start(m);
    this.senders.start(m);
  }

  private checkSendDone(): void {
    if (this.sendDoneSent || !this.senders.idle || !this.windowEnded) return;
    this.sendDoneSent = true;
    send({ type: 'sendDone', ackedSeqs: this.senders.ackedSeqs });
  }

  private tick(): void {
    const s = this.senders.takeLive();
    const v = this.viewers.takeLive();
    send({
      type: 'tick',
      sent: s.sent,
      ackOk: s.ackOk,
      ackErr: s.ackErr,
      delivered: v.delivered,
      frames: v.frames,
      latency: encodeHistogram(v.latency),
      viewersOpen: v.open,
    });
    this.viewers.resetLive();
  }

  finalize(m: FinalizeMsg): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    const streams = this.viewers.summarize(m.ackedSeqs);
    const result: WorkerResult = {
      workerIndex: this.cfg.workerIndex,
      ...streams,
      viewersFailed: this.cfg.viewers.length - streams.viewersOk,
      sendersOk: this.senders.size,
      sent: this.senders.sent,
      ackOk: this.senders.ackOk,
      ackErrors: this.senders.ackErrors,
      sentTotal: this.senders.sentTotal,
      ackErrorsTotal: this.senders.ackErrorsTotal,
      delivered: this.viewers.delivered,
      frames: this.viewers.frames,
      latency: encodeHistogram(this.viewers.latency),
      ackLatency: encodeHistogram(this.senders.ackLatency),
      ...this.probe.readings(),
    };
    send({ type: 'result', result });
  }

  shutdown(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.viewers.shutdown();
    this.senders.shutdown();
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
