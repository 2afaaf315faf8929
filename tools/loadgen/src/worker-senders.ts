import type { Histogram } from 'hdr-histogram-js';
import type { Assignment, MeasureWindow, WorkerInit } from './ipc.js';
import { barrageText, joinRoom, readBarrageAck, signToken } from './protocol.js';
import { AckTimeoutError, DisconnectedError, RawSioClient } from './sio-raw-client.js';
import { newLatencyHistogram, nowMs, recordUs } from './stats.js';

interface Sender {
  index: number;
  client: RawSioClient;
  n: number;
  phase: number;
}

/**
 * A worker's senders: each sends `barrage:send` on a steady schedule (a random phase, ±10 % jitter that
 * does not accumulate) and the pool counts acks, errors and ack latency, for the window and live.
 */
export class SenderPool {
  private readonly senders: Sender[] = [];
  private window: MeasureWindow = { sendStart: Infinity, windowStart: Infinity, windowEnd: Infinity };
  private scheduled = 0;
  private pendingAcks = 0;

  // window counters
  sent = 0;
  ackOk = 0;
  readonly ackErrors: Record<string, number> = {};
  readonly ackLatency: Histogram = newLatencyHistogram();
  /** Seqs acked ok for messages sent inside the window. */
  readonly ackedSeqs: number[] = [];
  // whole-run counters
  sentTotal = 0;
  readonly ackErrorsTotal: Record<string, number> = {};
  // live counters, reset by takeLive()
  private tSent = 0;
  private tAckOk = 0;
  private tAckErr = 0;

  constructor(
    private readonly cfg: WorkerInit,
    /** Called whenever the last ack may have settled (see `idle`). */
    private readonly onSettled: () => void,
  ) {}

  get size(): number {
    return this.senders.length;
  }

  /** Every sender is past the window and every ack has settled. */
  get idle(): boolean {
    return this.scheduled === 0 && this.pendingAcks === 0;
  }

  async connect(a: Assignment): Promise<void> {
    const token = await signToken(this.cfg.jwtSecret, `lg-s${a.index}-${this.cfg.runId}`, `sender ${a.index}`);
    const client = await RawSioClient.connect(a.url, { auth: { token }, connectTimeoutMs: this.cfg.connectTimeoutMs });
    await joinRoom(client, this.cfg.roomId, this.cfg.connectTimeoutMs); // senders ignore room:events (not parsed)
    this.senders.push({ index: a.index, client, n: 0, phase: 0 });
  }

  start(window: MeasureWindow): void {
    this.window = window;
    for (const s of this.senders) {
      s.phase = Math.random() * this.cfg.senderIntervalMs;
      this.scheduled++;
      this.schedule(s);
    }
  }

  /** Sent / acked ok / failed since the last call. */
  takeLive(): { sent: number; ackOk: number; ackErr: number } {
    const live = { sent: this.tSent, ackOk: this.tAckOk, ackErr: this.tAckErr };
    this.tSent = this.tAckOk = this.tAckErr = 0;
    return live;
  }

  shutdown(): void {
    for (const s of this.senders) s.client.terminate();
  }

  private schedule(s: Sender): void {
    const interval = this.cfg.senderIntervalMs;
    const target = this.window.sendStart + s.phase + s.n * interval;
    if (target >= this.window.windowEnd) {
      this.scheduled--;
      this.onSettled();
      return;
    }
    const jitter = (Math.random() - 0.5) * 0.2 * interval; // ±10 %, not cumulative
    setTimeout(() => this.fire(s), Math.max(0, target + jitter - nowMs()));
  }

  private fire(s: Sender): void {
    const n = s.n++;
    const ts = nowMs();
    const inWindow = ts >= this.window.windowStart && ts < this.window.windowEnd;
    this.sentTotal++;
    this.tSent++;
    if (inWindow) this.sent++;
    this.pendingAcks++;
    const clientMsgId = `${this.cfg.runId}-${s.index}-${n}`;
    s.client
      .emitWithAck('barrage:send', { roomId: this.cfg.roomId, text: barrageText(ts, s.index, n), clientMsgId }, this.cfg.ackTimeoutMs)
      .then(
        (args) => {
          const r = readBarrageAck(args);
          if (!r.ok) return this.countError(r.code, inWindow);
          this.tAckOk++;
          if (!inWindow) return;
          this.ackOk++;
          this.ackedSeqs.push(r.value.seq);
          recordUs(this.ackLatency, nowMs() - ts);
        },
        (e: unknown) => {
          const code = e instanceof AckTimeoutError ? 'ACK_TIMEOUT' : e instanceof DisconnectedError ? 'DISCONNECTED' : 'ERROR';
          this.countError(code, inWindow);
        },
      )
      .finally(() => {
        this.pendingAcks--;
        this.onSettled();
      });
    this.schedule(s);
  }

  private countError(code: string, inWindow: boolean): void {
    this.tAckErr++;
    this.ackErrorsTotal[code] = (this.ackErrorsTotal[code] ?? 0) + 1;
    if (inWindow) this.ackErrors[code] = (this.ackErrors[code] ?? 0) + 1;
  }
}
