/**
 * Connection density: how many idle authenticated connections the gateway holds, and what each
 * costs in RSS and heap. Starts GATEWAYS gateway processes (one port each; a process is capped at
 * 20,000 open files here), forks client processes that connect from distinct 127.0.x.y source
 * addresses (past one address's ephemeral ports), joins a share of them to rooms, and reads each
 * gateway's RSS (/proc) and heap (/metrics) before and after.
 *
 *   node dist/tools/loadgen/src/density.js --connections 50000 --gateways 4 --workers 4 --rooms 100 --joined 0.1
 *     [--node-args "--max-semi-space-size=1"] [--hold 15] [--snapshot]
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import type { DensityReport, DensityTask } from './density-worker.js';
import { deleteKeys } from './gift-bench-procs.js';
import { clockTicksPerSecond, readProcCpu } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '../../..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
};
const connections = Number(arg('connections', '50000'));
const gateways = Number(arg('gateways', '4'));
const workers = Number(arg('workers', '4'));
const roomCount = Number(arg('rooms', '100'));
const joinedShare = Number(arg('joined', '0.1'));
const holdSec = Number(arg('hold', '15'));
const secret = process.env.JWT_SECRET ?? 'liveroom-dev-secret';
const runId = randomBytes(3).toString('hex');
const basePort = Number(arg('port', '3950'));
/** V8/Node flags for the gateway processes, e.g. --node-args "--max-semi-space-size=1". */
const gatewayNodeArgs = arg('node-args', '').split(' ').filter(Boolean);

interface Memory {
  rssKb: number;
  heapKb: number;
  /** Buffers and other memory outside the JS heap that V8 knows of. */
  externalKb: number;
  /** Heap V8 has reserved (used + free pages it keeps). */
  heapTotalKb: number;
  connections: number;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
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

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

/** Live memory: a full GC first (gc-host), then RSS from /proc and heap from /metrics. */
async function memory(gateway: ChildProcess, port: number): Promise<Memory> {
  const collected = once(gateway, 'message');
  gateway.send('gc');
  await collected;
  const status = readFileSync(`/proc/${gateway.pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return {
    rssKb,
    heapKb: metric(text, 'liveroom_nodejs_heap_size_used_bytes') / 1024,
    externalKb: metric(text, 'liveroom_nodejs_external_memory_bytes') / 1024,
    heapTotalKb: metric(text, 'liveroom_nodejs_heap_size_total_bytes') / 1024,
    connections: metric(text, 'liveroom_gateway_connections'),
  };
}

/** --snapshot: heap snapshots (written in the gateway's cwd) to diff what a connection holds. */
async function snapshot(gateway: ChildProcess): Promise<string> {
  const written = once(gateway, 'message');
  gateway.send('snapshot');
  return String((await written)[0]);
}

async function token(sub: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('2h').sign(new TextEncoder().encode(secret));
}

async function main(): Promise<void> {
  const env = {
    ...process.env,
    LOG_LEVEL: 'warn',
    KEY_PREFIX: `density:${runId}:`,
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/liveroom_bench',
    GATEWAY_DRAIN_MS: '0',
  };
  const ports = Array.from({ length: gateways }, (_, i) => basePort + i);
  const nodes = ports.map((port, i) =>
    spawn(process.execPath, ['--expose-gc', ...gatewayNodeArgs, join(here, 'gc-host.js'), join(dist, 'apps/gateway/src/main.js')], {
      env: { ...env, GATEWAY_PORT: String(port), GATEWAY_ID: `density-${runId}-${i}` },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  const clients: ChildProcess[] = [];
  try {
    await Promise.all(ports.map((p) => waitHttp(`http://127.0.0.1:${p}/readyz`)));
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const hostToken = await token(`density-host-${runId}`);
    const rooms = await Promise.all(
      Array.from({ length: roomCount }, async (_, i) => {
        const res = await fetch(`${urls[0]}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hostToken}` }, body: JSON.stringify({ title: `density ${i}` }) });
        return ((await res.json()) as { id: string }).id;
      }),
    );
    const before = await Promise.all(nodes.map((n, i) => memory(n, ports[i] as number)));
    if (process.argv.includes('--snapshot')) log(`idle heap snapshot of gateway 0: ${await snapshot(nodes[0] as ChildProcess)}`);
    log(`density run ${runId}: ${connections} connections over ${gateways} gateways from ${workers} client processes; idle RSS ${before.map((m) => `${Math.round(m.rssKb / 1024)} MB`).join(', ')}`);
    const started = Date.now();
    const cpuTicks = (): number => nodes.reduce((t, n) => t + (readProcCpu(n.pid as number)?.ticks ?? 0), 0);
    const ticksBefore = cpuTicks();
    const reports = await Promise.all(
      Array.from({ length: workers }, (_, w) => {
        const child = fork(join(here, 'density-worker.js'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        clients.push(child);
        const task: DensityTask = {
          index: w,
          urls,
          count: Math.floor(connections / workers) + (w < connections % workers ? 1 : 0),
          localAddresses: [`127.0.${10 + w}.1`, `127.0.${10 + w}.2`],
          rooms,
          joinedShare,
          jwtSecret: secret,
          inFlight: 64,
        };
        child.send({ task });
        return new Promise<DensityReport>((resolve) =>
          child.on('message', (msg: { report?: DensityReport; progress?: number }) => {
            if (msg.report) resolve(msg.report);
          }),
        );
      }),
    );
    const connectSec = (Date.now() - started) / 1000;
    // The gateways' CPU for the handshakes and joins of the connect phase.
    const connectCpuSec = (cpuTicks() - ticksBefore) / clockTicksPerSecond();
    await new Promise((r) => setTimeout(r, holdSec * 1000));
    const after = await Promise.all(nodes.map((n, i) => memory(n, ports[i] as number)));
    if (process.argv.includes('--snapshot')) log(`held heap snapshot of gateway 0: ${await snapshot(nodes[0] as ChildProcess)}`);
    const alive = await Promise.all(
      clients.map((c) => {
        const answer = new Promise<number>((resolve) => c.on('message', (m: { alive?: number }) => m.alive !== undefined && resolve(m.alive)));
        c.send({ check: true });
        return answer;
      }),
    );
    const held = after.reduce((s, m) => s + m.connections, 0);
    const rssDelta = after.reduce((s, m, i) => s + m.rssKb - (before[i] as Memory).rssKb, 0);
    const heapDelta = after.reduce((s, m, i) => s + m.heapKb - (before[i] as Memory).heapKb, 0);
    const failed = reports.reduce((s, r) => s + r.failed, 0);
    const joined = reports.reduce((s, r) => s + r.joined, 0);
    process.stdout.write(`\nconnection density, run ${runId}: ${connections} clients, ${gateways} gateway processes, ${workers} client processes, ${roomCount} rooms\n`);
    process.stdout.write('| gateway | connections | RSS idle MB | RSS held MB | KB RSS/conn | KB heap/conn | KB external/conn | heap total MB |\n|---|---|---|---|---|---|---|---|\n');
    after.forEach((m, i) => {
      const b = before[i] as Memory;
      process.stdout.write(`| ${i} | ${m.connections} | ${(b.rssKb / 1024).toFixed(0)} | ${(m.rssKb / 1024).toFixed(0)} | ${((m.rssKb - b.rssKb) / m.connections).toFixed(2)} | ${((m.heapKb - b.heapKb) / m.connections).toFixed(2)} | ${((m.externalKb - b.externalKb) / m.connections).toFixed(2)} | ${(m.heapTotalKb / 1024).toFixed(0)} |\n`);
    });
    process.stdout.write(`| all | ${held} | | | ${(rssDelta / held).toFixed(2)} | ${(heapDelta / held).toFixed(2)} | | |\n`);
    process.stdout.write(`\nconnected ${connections - failed}/${connections} in ${connectSec.toFixed(1)} s (${Math.round((connections - failed) / connectSec)}/s), joined ${joined}, still open after ${holdSec} s: ${alive.reduce((s, a) => s + a, 0)}, failed ${failed}\n`);
    process.stdout.write(`gateway CPU while connecting: ${connectCpuSec.toFixed(2)} s, ${((connectCpuSec * 1000) / Math.max(1, connections - failed)).toFixed(3)} ms per connection (joins included)\n`);
    for (const r of reports) if (r.failed > 0) process.stdout.write(`worker ${r.index} errors: ${JSON.stringify(r.errors)}\n`);
  } finally {
    for (const c of clients) c.send({ close: true });
    await Promise.all(clients.map((c) => (c.exitCode === null ? once(c, 'exit') : undefined)));
    await Promise.all(nodes.map(async (n) => (n.exitCode === null ? (n.kill('SIGTERM'), once(n, 'exit')) : undefined)));
    await deleteKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `density:${runId}:`).catch((e: unknown) =>
      process.stderr.write(`deleting Redis keys under density:${runId}: failed: ${(e as Error).message}\n`),
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
