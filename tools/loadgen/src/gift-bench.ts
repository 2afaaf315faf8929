/**
 * gift-bench: the gifting path under load. Starts gateway + gifting (built in dist/) on a fresh database
 * and key prefix, tops up N viewers, then N sockets send `gift:send` at a steady total rate while one
 * observer socket in the room timestamps each `gift` room event. Reports ack latency, errors by code,
 * commit→room latency, missing/duplicate gifts, the ledger check and server CPU per process group.
 *
 *   node dist/tools/loadgen/src/gift-bench.js --viewers 1000 --rate 2000 --duration 20 [--gift rose]
 *     [--warmup 5] [--gateways 1] [--drain 5] [--port-base 3960] [--json out.json]
 *
 * The first --warmup seconds send at the rate too but are not measured (latency, rates, CPU), like
 * the barrage bench's warm-up: the first second after start runs on cold JIT, caches and plans.
 * Every gift of the run, warm-up included, is checked in the room and the ledger.
 *
 * With --gateways N the viewers are spread over N gateway processes (a hot room served by several).
 *
 * Gifting tuning (GIFTING_CONCURRENCY, DATABASE_POOL_SIZE, OUTBOX_*, HOST_SHARE) passes through the env.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectViewers, runLoad, type LoadResult } from './gift-bench-load.js';
import { type App, CpuSampler, deleteKeys, dropDatabase, httpJson, killAppsNow, mapLimit, signToken, startApp, stopApps, summarizeLog, waitReady } from './gift-bench-procs.js';
import type { RawSioClient } from './sio-raw-client.js';
import { summarize } from './stats.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
};
const num = (name: string, fallback: number): number => {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
};
const viewerCount = Math.round(num('viewers', 1000));
const rate = num('rate', 500);
const durationSec = num('duration', 15);
const warmupSec = Number(arg('warmup', '5'));
if (!Number.isFinite(warmupSec) || warmupSec < 0) throw new Error('--warmup must be a number >= 0');
const drainSec = num('drain', 5);
const giftId = arg('gift', 'rose');
const jsonOut = arg('json', '');
const portBase = Math.round(num('port-base', 3960));
const gatewayCount = Math.max(1, Math.round(num('gateways', 1)));
const runId = randomBytes(4).toString('hex');
const secret = process.env.JWT_SECRET ?? 'liveroom-dev-secret';
const dbName = `liveroom_giftbench_${runId}`;
const pgBase = process.env.GIFT_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
/** Gateway i listens on portBase + 2i (gifting on portBase + 1). */
const gatewayPorts = Array.from({ length: gatewayCount }, (_, i) => portBase + 2 * i);
const gatewayUrls = gatewayPorts.map((port) => `http://127.0.0.1:${port}`);
const gatewayUrl = gatewayUrls[0] as string;
const log = (s: string): void => void process.stderr.write(`[gift-bench ${runId}] ${s}\n`);

interface LedgerCheck {
  balanced: boolean;
  totalDebits: number;
  totalCredits: number;
  accounts: number;
  mismatches: unknown[];
  undispatchedOutbox: number;
  oldestUndispatchedMs: number | null;
}

function report(r: LoadResult, cpu: Record<string, number>, ledger: LedgerCheck | string, setup: Record<string, number>): Record<string, unknown> {
  const ack = summarize(r.ackHist);
  const c2r = summarize(r.commitToRoomHist);
  const s2r = summarize(r.sendToRoomHist);
  return {
    runId,
    config: { viewers: viewerCount, gateways: gatewayCount, rate, warmupSec, durationSec, giftId, drainSec, gifting: pickEnv() },
    setup,
    warmupSent: r.warmupSent,
    sent: r.sent,
    sentPerSec: round(r.sent / r.sendWindowSec),
    ackOk: r.ackOk,
    ackOkPerSec: round(r.ackOk / r.sendWindowSec),
    sendWindowSec: round(r.sendWindowSec),
    errors: r.errors,
    ackLatencyMs: ack,
    commitToRoomMs: c2r,
    sendToRoomMs: s2r,
    eventBeforeAck: r.eventBeforeAck,
    missingInRoom: r.missingInRoom,
    duplicateTxIds: r.duplicateTxIds,
    unknownTxIdsInRoom: r.unknownTxIds,
    drainWaitSec: round(r.drainWaitSec),
    socketsLost: r.socketsLost,
    ledger,
    cpuSec: cpu,
  };
}

const round = (v: number): number => Math.round(v * 10) / 10;

function pickEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && /^(GIFTING_|OUTBOX_|HOST_SHARE|DATABASE_POOL_SIZE|SERVICE_TIMEOUT_MS)/.test(k)) out[k] = v;
  }
  return out;
}

function printTable(j: Record<string, unknown>, r: LoadResult, cpu: Record<string, number>, ledger: LedgerCheck | string): void {
  const a = summarize(r.ackHist);
  const c = summarize(r.commitToRoomHist);
  const s = summarize(r.sendToRoomHist);
  const errs = Object.entries(r.errors).map(([k, v]) => `${k}=${v}`).join(' ') || 'none';
  const l = typeof ledger === 'string' ? ledger : `balanced=${ledger.balanced} mismatches=${ledger.mismatches.length} undispatchedOutbox=${ledger.undispatchedOutbox}`;
  const lines = [
    `\ngift-bench ${runId}: ${viewerCount} viewers on ${gatewayCount} gateway(s), ${rate} gifts/s target, ${warmupSec} s warm-up + ${durationSec} s measured, gift ${giftId}`,
    '| metric | value |',
    '|---|---|',
    `| sent in the window (/s) | ${r.sent} (${j.sentPerSec}); in the warm-up ${r.warmupSent} |`,
    `| acked ok in the window (/s) | ${r.ackOk} (${j.ackOkPerSec}) |`,
    `| errors (whole run) | ${errs} |`,
    `| ack ms p50/p90/p99/max | ${a.p50} / ${a.p90} / ${a.p99} / ${a.max} |`,
    `| ack→room ms p50/p99/max | ${c.p50} / ${c.p99} / ${c.max} (event before ack: ${r.eventBeforeAck}) |`,
    `| send→room ms p50/p99/max | ${s.p50} / ${s.p99} / ${s.max} |`,
    `| missing in room / dup txIds / unknown txIds | ${r.missingInRoom} / ${r.duplicateTxIds} / ${r.unknownTxIds} (drain ${round(r.drainWaitSec)} s) |`,
    `| sockets lost | ${r.socketsLost} |`,
    `| ledger | ${l} |`,
    `| CPU s (wall ${cpu.wallSec} s) | gateway ${cpu.gateway}, gifting ${cpu.gifting}, redis ${cpu.redis}, postgres ${cpu.postgres} (loadgen itself ${cpu.loadgen}) |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const env = {
    KEY_PREFIX: `giftbench:${runId}:`,
    DATABASE_URL: `${pgBase}/${dbName}`,
    LOG_LEVEL: 'warn',
    GATEWAY_PORT: String(portBase),
    GIFTING_PORT: String(portBase + 1),
    GATEWAY_DRAIN_MS: '0',
  };
  const logs = { gateway: join(tmpdir(), `giftbench-${runId}-gateway.log`), gifting: join(tmpdir(), `giftbench-${runId}-gifting.log`) };
  const apps: App[] = [];
  process.once('exit', () => killAppsNow(apps));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => (killAppsNow(apps), process.exit(130)));
  // Bounded in time whatever happens: setup + window + ack timeout + drain + margin.
  const hardStop = setTimeout(() => {
    log('hard time limit reached, killing apps');
    killAppsNow(apps);
    process.exit(2);
  }, (180 + warmupSec + durationSec + drainSec + 15) * 1000);
  hardStop.unref();

  let sockets: RawSioClient[] = [];
  try {
    // gifting first: it creates the database and migrates; the gateway migrates its own tables.
    apps.push(startApp(dist, 'gifting', 'apps/gifting/src/main.js', env, logs.gifting));
    await waitReady(`http://127.0.0.1:${portBase + 1}/readyz`, apps[0] as App);
    // One at a time: each gateway migrates its tables on start.
    for (const [i, port] of gatewayPorts.entries()) {
      const logPath = i === 0 ? logs.gateway : logs.gateway.replace(/\.log$/, `-${i}.log`);
      apps.push(startApp(dist, 'gateway', 'apps/gateway/src/main.js', { ...env, GATEWAY_PORT: String(port), GATEWAY_ID: `giftbench-${runId}-${i}` }, logPath));
      await waitReady(`http://127.0.0.1:${port}/readyz`, apps[i + 1] as App);
    }
    log(`apps ready (logs: ${logs.gateway}, ${logs.gifting})`);

    const admin = await signToken(`gb${runId}admin`, secret, ['admin']);
    const host = await signToken(`gb${runId}host`, secret);
    const room = await httpJson<{ id: string }>('POST', `${gatewayUrl}/v1/rooms`, host, { title: `gift-bench ${runId}` });
    const gifts = await httpJson<{ id: string; price: number }[]>('GET', `${gatewayUrl}/v1/gifts`);
    const gift = gifts.find((g) => g.id === giftId);
    if (!gift) throw new Error(`gift "${giftId}" not in catalog: ${gifts.map((g) => g.id).join(', ')}`);

    const perViewer = Math.ceil((rate * (warmupSec + durationSec)) / viewerCount);
    const amount = gift.price * (perViewer * 2 + 10);
    const viewerIds = Array.from({ length: viewerCount }, (_, i) => `gb${runId}v${i}`);
    const tTop = Date.now();
    await mapLimit(viewerCount, 32, async (i) => {
      await httpJson('POST', `${gatewayUrl}/v1/admin/wallets/${viewerIds[i]}/credits`, admin, { amount, idempotencyKey: `gb-topup-${runId}-${i}` });
    });
    const topupSec = (Date.now() - tTop) / 1000;
    const setup: Record<string, number> = { topupSec: round(topupSec) };
    log(`room ${room.id}, ${viewerCount} viewers topped up with ${amount} coins in ${topupSec.toFixed(1)} s`);

    const loadOpts = {
      urls: gatewayUrls,
      roomId: room.id,
      giftId,
      rate,
      warmupSec,
      durationSec,
      drainSec,
      ackTimeoutMs: 10_000,
      runId,
      viewerTokens: await Promise.all(viewerIds.map((id) => signToken(id, secret))),
      observerToken: await signToken(`gb${runId}observer`, secret),
    };
    const tConn = Date.now();
    const { viewers, observer } = await connectViewers(loadOpts);
    sockets = [...viewers, observer];
    const connectSec = (Date.now() - tConn) / 1000;
    setup.connectSec = round(connectSec);
    log(`${viewers.length} viewers + observer connected and joined in ${connectSec.toFixed(1)} s; sending`);

    const [gifting, ...gateways] = apps as [App, ...App[]];
    const redisPid = execFileSync('pgrep', ['-o', '-x', 'redis-server']).toString().trim();
    const sampler = new CpuSampler([
      { name: 'gateway', pids: gateways.map((g) => g.child.pid as number) },
      { name: 'gifting', pids: [gifting.child.pid as number] },
      { name: 'redis', pids: [Number(redisPid)] },
      { name: 'postgres', comm: 'postgres' },
      { name: 'loadgen', pids: [process.pid] },
    ]);
    const result = await runLoad({ ...loadOpts, onWindowStart: () => sampler.start() }, viewers, observer);
    const cpu = sampler.stop();

    let ledger: LedgerCheck | string;
    try {
      ledger = await httpJson<LedgerCheck>('GET', `${gatewayUrl}/v1/admin/ledger/check`, admin);
    } catch (e) {
      ledger = `ledger check failed: ${(e as Error).message}`;
    }
    // The gifting service may still be committing requests the gateway gave up on: wait for the outbox to empty.
    const tSettle = Date.now();
    let settled: LedgerCheck | string = ledger;
    while (typeof settled !== 'string' && settled.undispatchedOutbox > 0 && Date.now() - tSettle < 15_000) {
      await new Promise((r) => setTimeout(r, 500));
      settled = await httpJson<LedgerCheck>('GET', `${gatewayUrl}/v1/admin/ledger/check`, admin).catch((e: unknown) => `ledger check failed: ${(e as Error).message}`);
    }
    setup.settleSec = round((Date.now() - tSettle) / 1000);
    const j = report(result, cpu, ledger, setup);
    j.ledgerSettled = settled;
    printTable(j, result, cpu, ledger);
    if (typeof settled !== 'string' && settled !== ledger) {
      process.stdout.write(`| ledger after ${setup.settleSec} s | balanced=${settled.balanced} mismatches=${settled.mismatches.length} undispatchedOutbox=${settled.undispatchedOutbox} |\n`);
    }
    for (const s of sockets) s.terminate();
    await stopApps(apps);
    j.appLogs = { gateway: { path: logs.gateway, top: summarizeLog(logs.gateway) }, gifting: { path: logs.gifting, top: summarizeLog(logs.gifting) } };
    for (const [name, l] of Object.entries(j.appLogs as Record<string, { top: { count: number; line: string }[] }>)) {
      for (const t of l.top) process.stdout.write(`  ${name} log x${t.count}: ${t.line}\n`);
    }
    if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(j, null, 2)}\n`);
    process.stdout.write(`app logs: ${logs.gateway}${gatewayCount > 1 ? ` (gateway i > 0: -i.log)` : ''} ${logs.gifting}\n`);
  } finally {
    for (const s of sockets) s.terminate();
    await stopApps(apps);
    await dropDatabase(pgBase, dbName).catch((e: unknown) => log(`drop database ${dbName} failed: ${(e as Error).message}`));
    await deleteKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.KEY_PREFIX).then(
      (n) => log(`dropped database ${dbName}, deleted ${n} Redis keys under ${env.KEY_PREFIX}`),
      (e: unknown) => log(`deleting Redis keys under ${env.KEY_PREFIX} failed: ${(e as Error).message}`),
    );
    clearTimeout(hardStop);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
