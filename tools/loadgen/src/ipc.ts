/** Messages between the loadgen master and its forked workers (JSON over the fork IPC channel). */

export interface Assignment {
  /** Global index (viewer or sender number). */
  index: number;
  url: string;
}

export interface WorkerInit {
  type: 'init';
  workerIndex: number;
  runId: string;
  roomId: string;
  jwtSecret: string;
  viewers: Assignment[];
  senders: Assignment[];
  /** Mean interval between two messages of one sender. */
  senderIntervalMs: number;
  connectTimeoutMs: number;
  ackTimeoutMs: number;
  /** Concurrent connection attempts in this worker. */
  concurrency: number;
  anonymousViewers: boolean;
}

/** When senders start and the measured window opens and closes. */
export interface MeasureWindow {
  /** All epoch ms (performance.timeOrigin + performance.now()). */
  sendStart: number;
  windowStart: number;
  windowEnd: number;
}

export interface StartMsg extends MeasureWindow {
  type: 'start';
}

export interface FinalizeMsg {
  type: 'finalize';
  /** Every seq acked ok to any sender for a message sent inside the window, sorted. */
  ackedSeqs: number[];
}

export interface ExitMsg {
  type: 'exit';
}

export type MasterToWorker = WorkerInit | StartMsg | FinalizeMsg | ExitMsg;

export interface ConnectingMsg {
  type: 'connecting';
  done: number;
  failed: number;
}

export interface ConnectedMsg {
  type: 'connected';
  viewersOk: number;
  viewersFailed: number;
  sendersOk: number;
  sendersFailed: number;
  errorSamples: string[];
  minJoinSeq: number;
  maxJoinSeq: number;
}

export interface TickMsg {
  type: 'tick';
  /** Counters since the previous tick. */
  sent: number;
  ackOk: number;
  ackErr: number;
  delivered: number;
  frames: number;
  /** Encoded histogram of send→receive latency (µs) of events received since the previous tick. */
  latency: string;
  viewersOpen: number;
}

export interface SendDoneMsg {
  type: 'sendDone';
  ackedSeqs: number[];
}

/** Loss, gaps and duplicates over all of a worker's viewers, against the seqs the senders had acked. */
export interface StreamSummary {
  viewersOk: number;
  viewersDisconnected: number;
  expected: number;
  missing: number;
  /** Expected/missing for viewers whose connection dropped (not counted in loss). */
  expectedDisconnected: number;
  missingDisconnected: number;
  gaps: number;
  dups: number;
  outOfOrder: number;
  preJoinEvents: number;
  parseErrors: number;
}

/** What a worker process itself spent during the measured window. */
export interface WindowReadings {
  cpuUserMs: number;
  cpuSystemMs: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** Fraction of the window the worker's event loop was busy (≈1 means the loadgen is saturated). */
  eventLoopUtilization: number;
  /** Main thread run-queue wait during the window (s): the box, not the worker, was the limit. */
  cpuWaitSec: number;
}

export interface WorkerResult extends StreamSummary, WindowReadings {
  workerIndex: number;
  viewersFailed: number;
  sendersOk: number;
  /** Window counters (messages sent inside [windowStart, windowEnd)). */
  sent: number;
  ackOk: number;
  ackErrors: Record<string, number>;
  /** Whole run (warm-up included). */
  sentTotal: number;
  ackErrorsTotal: Record<string, number>;
  /** Viewer-side events / frames received inside the window. */
  delivered: number;
  frames: number;
  /** Encoded HDR histograms (µs). */
  latency: string;
  ackLatency: string;
}

export interface ResultMsg {
  type: 'result';
  result: WorkerResult;
}

export interface FatalMsg {
  type: 'fatal';
  message: string;
}

export type WorkerToMaster = ConnectingMsg | ConnectedMsg | TickMsg | SendDoneMsg | ResultMsg | FatalMsg;

const WORKER_TYPES = new Set(['connecting', 'connected', 'tick', 'sendDone', 'result', 'fatal']);
const MASTER_TYPES = new Set(['init', 'start', 'finalize', 'exit']);

function tagged(m: unknown, allowed: Set<string>): boolean {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { type?: unknown }).type === 'string' &&
    allowed.has((m as { type: string }).type)
  );
}

/** IPC peers are our own processes; a tag check is enough to narrow `unknown`. */
export function asWorkerMessage(m: unknown): WorkerToMaster | undefined {
  return tagged(m, WORKER_TYPES) ? (m as WorkerToMaster) : undefined;
}

export function asMasterMessage(m: unknown): MasterToWorker | undefined {
  return tagged(m, MASTER_TYPES) ? (m as MasterToWorker) : undefined;
}
