/**
 * `npm run bench`: the foundation benchmark in one run. Starts liveroom (gateway + barrage, built
 * in dist/) and runs the loadgen against it, then the plain Socket.IO baseline (tools/baseline, as
 * many processes as --gateways)
 * under the same load, and prints both with the server CPU they used (Redis included).
 *
 *   npm run bench -- --viewers 1000 --rate 100 --duration 60 [--skip-baseline] [--tick 50] [--terms 10000] [--gateways 2]
 *
 * --terms N loads a generated N-term moderation dictionary first (admin PUT), so the barrage path
 * filters every message against it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { serverNodeArgs } from './args.js';
import { deleteKeys } from './gift-bench-procs.js';

const dist = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
};
const viewers = arg('viewers', '1000');
const rate = arg('rate', '100');
const duration = arg('duration', '60');
const workers = arg('workers', '2');
const tick = arg('tick', '50');
const skipBaseline = process.argv.includes('--skip-baseline');
const terms = Number(arg('terms', '0'));
/** Gateway processes (ports 3900, 3920, ...); viewers are spread over all of them. */
const gateways = Number(arg('gateways', '1'));
const runId = randomBytes(3).toString('hex');

interface Result {
  label: string;
  window: { deliveredPerSec: number; framesPerSec: number; eventsPerFrame: number; sent: number; ackOk: number };
  verification: { lost: number; gaps: number; duplicates: number; outOfOrder: number };
  latencyMs: { p50: number; p99: number; max: number };
  ackLatencyMs: { p50: number; p99: number };
  serverCpu: { totalSec: number; deliveredPerCpuSec: number; processes: { pid: number; seconds: number }[] };
}

function startNode(script: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [...serverNodeArgs(), join(dist, script)], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map(async (c) => (c.exitCode === null ? (c.kill('SIGTERM'), once(c, 'exit')) : undefined)));
}

function redisPid(): string {
  return execFileSync('pgrep', ['-o', '-x', 'redis-server']).toString().trim();
}

function loadgen(label: string, url: string, pids: number[]): Result {
  const json = join(tmpdir(), `liveroom-bench-${runId}-${label}.json`);
  execFileSync(
    process.execPath,
    [join(dist, 'tools/loadgen/src/cli.js'), '--urls', url, '--viewers', viewers, '--rate', rate, '--duration', duration,
      '--workers', workers, '--server-pids', [...pids, redisPid()].join(','), '--label', label, '--json', json],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return JSON.parse(readFileSync(json, 'utf8')) as Result;
}

/** A deterministic dictionary: Latin and CJK terms that loadgen text never contains. */
async function loadDictionary(url: string, count: number): Promise<void> {
  const list = Array.from({ length: count }, (_, i) => ({
    term: i % 5 === 0 ? `禁词${String.fromCodePoint(0x4e00 + (i % 20000))}${i}` : `zq${i.toString(36)}x`,
    action: i % 4 === 0 ? 'block' : 'mask',
  }));
  const token = await new SignJWT({ roles: ['admin'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench-admin')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(process.env.JWT_SECRET ?? 'liveroom-dev-secret'));
  const res = await fetch(`${url}/v1/admin/moderation/terms`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ terms: list }),
  });
  if (!res.ok) throw new Error(`loading ${count} terms: ${res.status} ${await res.text()}`);
  // Barrage replicas pick a new version up within the poll interval; give them two.
  await new Promise((r) => setTimeout(r, 2500));
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const env = { KEY_PREFIX: `bench:${runId}:`, DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/liveroom_bench', FANOUT_TICK_MS: tick, GATEWAY_PORT: '3900', BARRAGE_PORT: '3901' };
  const moderation = startNode('apps/moderation/src/main.js', { ...env, MODERATION_PORT: '3902' });
  const gatewayPorts = Array.from({ length: gateways }, (_, i) => String(3900 + 20 * i));
  const liveroom = [
    ...gatewayPorts.map((port, i) => startNode('apps/gateway/src/main.js', { ...env, GATEWAY_PORT: port, GATEWAY_ID: `bench-${runId}-${i}` })),
    startNode('apps/barrage/src/main.js', env),
  ];
  try {
    await Promise.all([...gatewayPorts, '3901', '3902'].map((port) => waitHttp(`http://127.0.0.1:${port}/readyz`)));
    await loadDictionary('http://127.0.0.1:3900', terms);
    const urls = gatewayPorts.map((port) => `http://127.0.0.1:${port}`).join(',');
    results.push(loadgen('liveroom', urls, liveroom.map((c) => c.pid as number)));
  } finally {
    await stop([...liveroom, moderation]);
    // The run's room logs, streams and counters: nothing of it is read again.
    await deleteKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.KEY_PREFIX).catch((e: unknown) =>
      process.stderr.write(`deleting Redis keys under ${env.KEY_PREFIX} failed: ${(e as Error).message}
`),
    );
  }
  if (!skipBaseline) {
    // As many baseline processes as gateways (its Redis adapter joins them), on the same loadgen.
    const baselinePorts = gatewayPorts.map((port) => String(Number(port) + 10));
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const baseline = baselinePorts.map((port) => startNode('tools/baseline/src/main.js', { PORT: port, REDIS_URL: redisUrl }));
    try {
      await Promise.all(baselinePorts.map((port) => waitHttp(`http://127.0.0.1:${port}/healthz`)));
      const urls = baselinePorts.map((port) => `http://127.0.0.1:${port}`).join(',');
      results.push(loadgen('baseline', urls, baseline.map((c) => c.pid as number)));
    } finally {
      await stop(baseline);
      await deleteKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'baseline:').catch(() => undefined);
    }
  }
  const rows = results.map((r) =>
    [r.label, Math.round(r.window.deliveredPerSec), r.window.eventsPerFrame.toFixed(1), `${r.verification.lost}/${r.verification.gaps}/${r.verification.duplicates}`,
      r.latencyMs.p50.toFixed(1), r.latencyMs.p99.toFixed(1), r.ackLatencyMs.p99.toFixed(1), r.serverCpu.totalSec.toFixed(2), Math.round(r.serverCpu.deliveredPerCpuSec)].join(' | '),
  );
  process.stdout.write(`\n${viewers} viewers x ${rate} msg/s, ${duration} s window, tick ${tick} ms, ${terms} moderation terms, ${gateways} gateway(s), run ${runId}\n`);
  process.stdout.write('| server | delivered ev/s | ev/frame | lost/gaps/dups | p50 ms | p99 ms | ack p99 ms | server CPU s | ev per CPU-s |\n|---|---|---|---|---|---|---|---|---|\n');
  for (const row of rows) process.stdout.write(`| ${row} |\n`);
  if (results.length === 2) {
    const [a, b] = results as [Result, Result];
    process.stdout.write(`\nefficiency ratio liveroom/baseline: ${(a.serverCpu.deliveredPerCpuSec / b.serverCpu.deliveredPerCpuSec).toFixed(1)}x\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
