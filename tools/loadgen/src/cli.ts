/**
 * liveroom load generator — master process.
 * Creates the room, forks workers, coordinates the phases (connect → warm-up → window → drain → finalize),
 * samples server CPU around the measured window, merges results and prints the report.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assign, parseOptions, USAGE, type LoadgenOptions } from './args.js';
import {
  asWorkerMessage,
  type ConnectedMsg,
  type MasterToWorker,
  type WorkerResult,
  type WorkerToMaster,
} from './ipc.js';
import { createRoom, signToken } from './protocol.js';
import { buildReport, formatReport, type ServerCpu } from './report.js';
import { clockTicksPerSecond, decodeHistogram, newLatencyHistogram, nowMs, readProcCpu, summarize } from './stats.js';

class SetupError extends Error {}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

interface WorkerHandle {
  index: number;
  child: ChildProcess;
  connected?: ConnectedMsg;
  connecting: { done: number; failed: number };
  sendDone?: number[];
  result?: WorkerResult;
  viewersOpen: number;
}

async function main(): Promise<number> {
  let opts: LoadgenOptions;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (e) {
    log(e instanceof Error ? e.message : String(e));
    if (!(e instanceof Error && e.message === USAGE)) log(USAGE);
    return 2;
  }
  const runId = randomBytes(4).toString('hex');
  const perSenderRate = opts.rate / opts.senders;
  if (perSenderRate > 5) {
    log(`warning: ${perSenderRate.toFixed(2)} msg/s per sender exceeds the 5 msg/s per-user limit; expect RATE_LIMITED`);
  }
  const hardDeadlineMs =
    (opts.setupTimeoutSec + opts.warmupSec + opts.durationSec + opts.drainSec + opts.ackTimeoutMs / 1000 + 30) * 1000;
  const hardTimer = setTimeout(() => {
    log('\nloadgen: hard deadline exceeded, aborting');
    for (const w of workers) w.child.kill('SIGKILL');
    process.exit(3);
  }, hardDeadlineMs);
  hardTimer.unref();

  // 1. room
  let roomId = opts.roomId;
  if (!roomId) {
    try {
      const hostToken = await signToken(opts.jwtSecret, `lg-host-${runId}`, 'loadgen host');
      roomId = await createRoom(opts.urls[0], hostToken, `loadgen ${opts.label} ${runId}`, opts.connectTimeoutMs);
    } catch (e) {
      throw new SetupError(`room creation failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  log(
    `loadgen ${opts.label} run ${runId}: room ${roomId}, ${opts.viewers} viewers, ${opts.senders} senders, ` +
      `${opts.rate} msg/s, ${opts.workers} workers, urls ${opts.urls.join(',')}`,
  );

  // 2. workers
  const viewerSplit = assign(opts.viewers, opts.urls, opts.workers);
  const senderSplit = assign(opts.senders, opts.urls, opts.workers);
  const workerPath = fileURLToPath(new URL('./worker.js', import.meta.url));
  const workers: WorkerHandle[] = [];
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of waiters) w();
  };
  const waitFor = async (cond: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    if (cond()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new SetupError(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        }
      };
      waiters.add(check);
    });
  };
  let fatal: string | undefined;
  let liveSent = 0;
  let liveAck = 0;
  let liveErr = 0;
  let liveDelivered = 0;
  let liveFrames = 0;
  const liveHist = newLatencyHistogram();
  const windowHist = newLatencyHistogram();
  let windowStart = Infinity;
  let windowEnd = Infinity;

  for (let i = 0; i < opts.workers; i++) {
    const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const h: WorkerHandle = { index: i, child, connecting: { done: 0, failed: 0 }, viewersOpen: 0 };
    workers.push(h);
    child.on('message', (raw: unknown) => {
      const m: WorkerToMaster | undefined = asWorkerMessage(raw);
      if (!m) return;
      switch (m.type) {
        case 'connecting':
          h.connecting = { done: m.done, failed: m.failed };
          break;
        case 'connected':
          h.connected = m;
          h.viewersOpen = m.viewersOk;
          break;
        case 'tick': {
          liveSent += m.sent;
          liveAck += m.ackOk;
          liveErr += m.ackErr;
          liveDelivered += m.delivered;
          liveFrames += m.frames;
          h.viewersOpen = m.viewersOpen;
          const hist = decodeHistogram(m.latency);
          liveHist.add(hist);
          const t = nowMs();
          if (t > windowStart && t <= windowEnd + 1000) windowHist.add(hist);
          break;
        }
        case 'sendDone':
          h.sendDone = m.ackedSeqs;
          break;
        case 'result':
          h.result = m.result;
          break;
        case 'fatal':
          fatal = `worker ${i}: ${m.message}`;
          break;
      }
      notify();
    });
    child.on('exit', (code, signal) => {
      if (!h.result) fatal ??= `worker ${i} exited early (code ${code}, signal ${signal})`;
      notify();
    });
    const init: MasterToWorker = {
      type: 'init',
      workerIndex: i,
      runId,
      roomId,
      jwtSecret: opts.jwtSecret,
      viewers: viewerSplit[i],
      senders: senderSplit[i],
      senderIntervalMs: (1000 * opts.senders) / opts.rate,
      connectTimeoutMs: opts.connectTimeoutMs,
      ackTimeoutMs: opts.ackTimeoutMs,
      concurrency: Math.ceil(opts.batch / opts.workers),
      anonymousViewers: opts.anonymousViewers,
    };
    child.send(init);
  }
  const broadcast = (m: MasterToWorker): void => {
    for (const w of workers) if (w.child.connected) w.child.send(m);
  };
  const tty = process.stderr.isTTY;
  const status = (line: string): void => {
    process.stderr.write(tty ? `\r${line.padEnd(120)}` : `${line}\n`);
  };

  try {
    // 3. connect phase
    const connectStart = nowMs();
    const connectProgress = setInterval(() => {
      const done = workers.reduce((a, w) => a + (w.connected ? w.connected.viewersOk + w.connected.viewersFailed : w.connecting.done), 0);
      const failed = workers.reduce((a, w) => a + (w.connected ? w.connected.viewersFailed : w.connecting.failed), 0);
      status(`[connect] ${((nowMs() - connectStart) / 1000).toFixed(1)}s viewers ${done}/${opts.viewers} (failed ${failed})`);
    }, 1000);
    try {
      await waitFor(() => fatal !== undefined || workers.every((w) => w.connected), opts.setupTimeoutSec * 1000, 'viewer connections');
    } finally {
      clearInterval(connectProgress);
    }
    if (fatal) throw new SetupError(fatal);
    const conn = workers.map((w) => w.connected as ConnectedMsg);
    const viewersOk = conn.reduce((a, c) => a + c.viewersOk, 0);
    const viewersFailed = conn.reduce((a, c) => a + c.viewersFailed, 0);
    const sendersOk = conn.reduce((a, c) => a + c.sendersOk, 0);
    const sendersFailed = conn.reduce((a, c) => a + c.sendersFailed, 0);
    const connectSec = (nowMs() - connectStart) / 1000;
    if (tty) process.stderr.write('\n');
    log(`connected ${viewersOk}/${opts.viewers} viewers and ${sendersOk}/${opts.senders} senders in ${connectSec.toFixed(1)}s`);
    for (const c of conn) for (const e of c.errorSamples) log(`  error: ${e}`);
    if (sendersFailed > 0 || viewersFailed > opts.maxFailedViewers || (opts.viewers > 0 && viewersOk === 0)) {
      throw new SetupError(
        `viewers could not connect (${viewersFailed} viewers, ${sendersFailed} senders failed; --max-failed-viewers ${opts.maxFailedViewers})`,
      );
    }

    // 4. run: warm-up (senders already sending) then the measured window
    const sendStart = nowMs() + 200;
    windowStart = sendStart + opts.warmupSec * 1000;
    windowEnd = windowStart + opts.durationSec * 1000;
    broadcast({ type: 'start', sendStart, windowStart, windowEnd });
    const ticks = clockTicksPerSecond();
    let cpuBefore: Map<number, ReturnType<typeof readProcCpu>> = new Map();
    let cpuAfter: Map<number, ReturnType<typeof readProcCpu>> = new Map();
    let masterCpu0: NodeJS.CpuUsage | undefined;
    let masterCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
    const sampleCpu = (): Map<number, ReturnType<typeof readProcCpu>> =>
      new Map(opts.serverPids.map((pid) => [pid, readProcCpu(pid)]));
    const t0 = setTimeout(() => {
      cpuBefore = sampleCpu();
      masterCpu0 = process.cpuUsage();
    }, windowStart - nowMs());
    const t1 = setTimeout(() => {
      cpuAfter = sampleCpu();
      if (masterCpu0) masterCpu = process.cpuUsage(masterCpu0);
    }, windowEnd - nowMs());

    let lastSent = 0;
    let lastDelivered = 0;
    let lastT = nowMs();
    const live = setInterval(() => {
      const t = nowMs();
      const dt = (t - lastT) / 1000;
      const phase = t < windowStart ? 'warmup' : t < windowEnd ? 'window' : 'drain';
      const el = phase === 'warmup' ? (t - sendStart) / 1000 : (t - windowStart) / 1000;
      const p99 = summarize(liveHist).p99;
      const wp99 = summarize(windowHist).p99;
      const open = workers.reduce((a, w) => a + w.viewersOpen, 0);
      status(
        `[${phase}] ${el.toFixed(0)}s sent/s ${((liveSent - lastSent) / dt).toFixed(0)} acked ${liveAck} err ${liveErr} ` +
          `delivered/s ${((liveDelivered - lastDelivered) / dt).toFixed(0)} ev/frame ${(liveFrames ? liveDelivered / liveFrames : 0).toFixed(2)} ` +
          `p99(1s) ${p99.toFixed(1)}ms p99(window) ${wp99.toFixed(1)}ms viewers ${open}`,
      );
      liveHist.reset();
      lastSent = liveSent;
      lastDelivered = liveDelivered;
      lastT = t;
    }, 1000);

    try {
      await waitFor(
        () => fatal !== undefined || workers.every((w) => w.sendDone),
        (windowEnd - nowMs()) + opts.ackTimeoutMs + 10_000,
        'senders to finish',
      );
      if (fatal) throw new SetupError(fatal);
      // 5. drain: viewers keep receiving
      await sleep(opts.drainSec * 1000);
    } finally {
      clearInterval(live);
      clearTimeout(t0);
      clearTimeout(t1);
    }
    if (tty) process.stderr.write('\n');

    // 6. finalize
    const acked = workers.flatMap((w) => w.sendDone ?? []).sort((a, b) => a - b);
    broadcast({ type: 'finalize', ackedSeqs: acked });
    await waitFor(() => fatal !== undefined || workers.every((w) => w.result), 30_000, 'worker results');
    if (fatal) throw new SetupError(fatal);
    broadcast({ type: 'exit' });

    const serverCpu: ServerCpu[] = opts.serverPids.map((pid) => {
      const a = cpuBefore.get(pid);
      const b = cpuAfter.get(pid);
      return {
        pid,
        comm: b?.comm ?? a?.comm ?? '?',
        seconds: a && b ? (b.ticks - a.ticks) / ticks : NaN,
        cpuWaitSec: a && b ? (b.waitNs - a.waitNs) / 1e9 : NaN,
      };
    });
    const results = workers.map((w) => w.result as WorkerResult);
    const report = buildReport({
      opts,
      runId,
      roomId,
      connectSec,
      results,
      serverCpu,
      masterCpuSec: (masterCpu.user + masterCpu.system) / 1e6,
      ackedSeqCount: acked.length,
    });
    process.stdout.write(formatReport(report));
    if (opts.jsonPath) {
      writeFileSync(opts.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
      log(`wrote ${opts.jsonPath}`);
    }
    await Promise.race([
      Promise.all(workers.map((w) => new Promise<void>((r) => (w.child.exitCode !== null ? r() : w.child.once('exit', () => r()))))),
      sleep(5000),
    ]);
    return 0;
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`\nloadgen: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(e instanceof SetupError ? 1 : 4);
  },
);
