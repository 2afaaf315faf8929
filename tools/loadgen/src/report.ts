import type { LoadgenOptions } from './args.js';
import type { WorkerResult } from './ipc.js';
import { encodeHistogram, mergeHistograms, summarize, type LatencySummary } from './stats.js';

export interface ServerCpu {
  pid: number;
  comm: string;
  seconds: number;
  /** Main thread runnable but not running (CPU contention on the box). */
  cpuWaitSec: number;
}

export interface Report {
  label: string;
  runId: string;
  roomId: string;
  config: Omit<LoadgenOptions, 'jwtSecret'>;
  connectSec: number;
  viewers: { target: number; connected: number; failed: number; disconnected: number };
  senders: { target: number; connected: number };
  window: {
    durationSec: number;
    sent: number;
    sentPerSec: number;
    ackOk: number;
    ackErrors: Record<string, number>;
    ackErrorsWholeRun: Record<string, number>;
    delivered: number;
    deliveredPerSec: number;
    /** ackOk × viewers / duration: what a perfect server would deliver. */
    expectedPerSec: number;
    frames: number;
    framesPerSec: number;
    eventsPerFrame: number;
  };
  verification: {
    expectedDeliveries: number;
    lost: number;
    lossPct: number;
    gaps: number;
    duplicates: number;
    outOfOrder: number;
    preJoinEvents: number;
    parseErrors: number;
    disconnectedViewersExpected: number;
    disconnectedViewersLost: number;
  };
  latencyMs: LatencySummary;
  ackLatencyMs: LatencySummary;
  /** Encoded merged HDR histograms (µs), for later re-analysis. */
  histograms: { latency: string; ackLatency: string };
  serverCpu: { processes: ServerCpu[]; totalSec: number; cpuPct: number; deliveredPerCpuSec: number };
  loadgenCpu: {
    masterSec: number;
    workers: Array<{ worker: number; userSec: number; systemSec: number; cpuPct: number; eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; eventLoopUtilization: number; cpuWaitSec: number }>;
  };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export function buildReport(input: {
  opts: LoadgenOptions;
  runId: string;
  roomId: string;
  connectSec: number;
  results: WorkerResult[];
  serverCpu: ServerCpu[];
  masterCpuSec: number;
  ackedSeqCount: number;
}): Report {
  const { opts, results } = input;
  const sum = (f: (r: WorkerResult) => number): number => results.reduce((a, r) => a + f(r), 0);
  const dur = opts.durationSec;
  const ackErrors: Record<string, number> = {};
  const ackErrorsWholeRun: Record<string, number> = {};
  for (const r of results) {
    addCounts(ackErrors, r.ackErrors);
    addCounts(ackErrorsWholeRun, r.ackErrorsTotal);
  }
  const lat = mergeHistograms(results.map((r) => r.latency));
  const ackLat = mergeHistograms(results.map((r) => r.ackLatency));
  const delivered = sum((r) => r.delivered);
  const frames = sum((r) => r.frames);
  const connected = sum((r) => r.viewersOk);
  const disconnected = sum((r) => r.viewersDisconnected);
  const expected = sum((r) => r.expected);
  const lost = sum((r) => r.missing);
  const cpuTotal = input.serverCpu.reduce((a, c) => a + (Number.isFinite(c.seconds) ? c.seconds : 0), 0);
  const { jwtSecret: _secret, ...config } = opts;
  return {
    label: opts.label,
    runId: input.runId,
    roomId: input.roomId,
    config,
    connectSec: round(input.connectSec, 2),
    viewers: { target: opts.viewers, connected, failed: sum((r) => r.viewersFailed), disconnected },
    senders: { target: opts.senders, connected: sum((r) => r.sendersOk) },
    window: {
      durationSec: dur,
      sent: sum((r) => r.sent),
      sentPerSec: round(sum((r) => r.sent) / dur, 1),
      ackOk: sum((r) => r.ackOk),
      ackErrors,
      ackErrorsWholeRun,
      delivered,
      deliveredPerSec: round(delivered / dur, 1),
      expectedPerSec: round((input.ackedSeqCount * (connected - disconnected)) / dur, 1),
      frames,
      framesPerSec: round(frames / dur, 1),
      eventsPerFrame: round(frames ? delivered / frames : 0, 3),
    },
    verification: {
      expectedDeliveries: expected,
      lost,
      lossPct: round(expected ? (100 * lost) / expected : 0, 4),
      gaps: sum((r) => r.gaps),
      duplicates: sum((r) => r.dups),
      outOfOrder: sum((r) => r.outOfOrder),
      preJoinEvents: sum((r) => r.preJoinEvents),
      parseErrors: sum((r) => r.parseErrors),
      disconnectedViewersExpected: sum((r) => r.expectedDisconnected),
      disconnectedViewersLost: sum((r) => r.missingDisconnected),
    },
    latencyMs: summarize(lat),
    ackLatencyMs: summarize(ackLat),
    histograms: { latency: encodeHistogram(lat), ackLatency: encodeHistogram(ackLat) },
    serverCpu: {
      processes: input.serverCpu.map((c) => ({ ...c, seconds: round(c.seconds, 2), cpuWaitSec: round(c.cpuWaitSec, 2) })),
      totalSec: round(cpuTotal, 2),
      cpuPct: round((100 * cpuTotal) / dur, 1),
      deliveredPerCpuSec: round(cpuTotal > 0 ? delivered / cpuTotal : 0, 0),
    },
    loadgenCpu: {
      masterSec: round(input.masterCpuSec, 2),
      workers: results.map((r) => ({
        worker: r.workerIndex,
        userSec: round(r.cpuUserMs / 1000, 2),
        systemSec: round(r.cpuSystemMs / 1000, 2),
        cpuPct: round((100 * (r.cpuUserMs + r.cpuSystemMs)) / 1000 / dur, 1),
        eventLoopDelayP99Ms: round(r.eventLoopDelayP99Ms, 1),
        eventLoopDelayMaxMs: round(r.eventLoopDelayMaxMs, 1),
        eventLoopUtilization: round(r.eventLoopUtilization, 3),
        cpuWaitSec: round(r.cpuWaitSec, 2),
      })),
    },
  };
}

function round(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function fmt(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 3 }) : 'n/a';
}

function counts(c: Record<string, number>): string {
  const e = Object.entries(c);
  return e.length ? e.map(([k, v]) => `${k}=${v}`).join(' ') : 'none';
}

export function formatReport(r: Report): string {
  const rows: Array<[string, string]> = [];
  const row = (k: string, v: string): void => void rows.push([k, v]);
  const sep = (title: string): void => void rows.push([`-- ${title}`, '']);
  const l = r.latencyMs;
  const a = r.ackLatencyMs;
  row('label / run / room', `${r.label} / ${r.runId} / ${r.roomId}`);
  row('urls', r.config.urls.join(', '));
  row(
    'load',
    `${r.config.viewers} viewers, ${r.config.senders} senders, ${r.config.rate} msg/s, ${r.config.workers} workers, ` +
      `warm-up ${r.config.warmupSec}s, window ${r.config.durationSec}s, drain ${r.config.drainSec}s`,
  );
  row('viewers', `${r.viewers.connected}/${r.viewers.target} connected in ${r.connectSec}s, failed ${r.viewers.failed}, dropped ${r.viewers.disconnected}`);
  sep('throughput (measured window)');
  row('sent', `${fmt(r.window.sent)} (${fmt(r.window.sentPerSec)}/s), acked ok ${fmt(r.window.ackOk)}`);
  row('ack errors', `${counts(r.window.ackErrors)} (whole run: ${counts(r.window.ackErrorsWholeRun)})`);
  row('delivered events/s', `${fmt(r.window.deliveredPerSec)} (acked-in-window × viewers: ${fmt(r.window.expectedPerSec)}/s)`);
  row('frames/s', `${fmt(r.window.framesPerSec)}, ${fmt(r.window.eventsPerFrame)} events/frame`);
  sep('verification');
  row('lost', `${fmt(r.verification.lost)} of ${fmt(r.verification.expectedDeliveries)} expected deliveries (${fmt(r.verification.lossPct)} %)`);
  row('gaps / duplicates / out-of-order', `${fmt(r.verification.gaps)} / ${fmt(r.verification.duplicates)} / ${fmt(r.verification.outOfOrder)}`);
  row('pre-join events / parse errors', `${fmt(r.verification.preJoinEvents)} / ${fmt(r.verification.parseErrors)}`);
  if (r.viewers.disconnected > 0) {
    row('dropped viewers', `lost ${fmt(r.verification.disconnectedViewersLost)} of ${fmt(r.verification.disconnectedViewersExpected)} (not in loss above)`);
  }
  sep('latency (ms)');
  row('send→receive', `p50 ${fmt(l.p50)}  p90 ${fmt(l.p90)}  p99 ${fmt(l.p99)}  p99.9 ${fmt(l.p999)}  max ${fmt(l.max)}  (n=${fmt(l.count)})`);
  row('ack', `p50 ${fmt(a.p50)}  p99 ${fmt(a.p99)}  max ${fmt(a.max)}  (n=${fmt(a.count)})`);
  sep('cpu (measured window)');
  for (const p of r.serverCpu.processes) {
    row(`server ${p.pid} (${p.comm})`, `${fmt(p.seconds)} s (main thread waited ${fmt(p.cpuWaitSec)} s for a CPU)`);
  }
  if (r.serverCpu.processes.length) {
    row('server total', `${fmt(r.serverCpu.totalSec)} s (${fmt(r.serverCpu.cpuPct)} % of one core)`);
    row('delivered events / server CPU-s', fmt(r.serverCpu.deliveredPerCpuSec));
  }
  for (const w of r.loadgenCpu.workers) {
    row(
      `loadgen worker ${w.worker}`,
      `${fmt(round(w.userSec + w.systemSec, 2))} s (${fmt(w.cpuPct)} %, waited ${fmt(w.cpuWaitSec)} s for a CPU), event loop busy ${fmt(round(100 * w.eventLoopUtilization, 1))} %, ` +
        `delay p99 ${fmt(w.eventLoopDelayP99Ms)} ms max ${fmt(w.eventLoopDelayMaxMs)} ms`,
    );
  }
  row('loadgen master', `${fmt(r.loadgenCpu.masterSec)} s`);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `\n${rows.map(([k, v]) => (v === '' ? k : `${k.padEnd(width)}  ${v}`)).join('\n')}\n`;
}
