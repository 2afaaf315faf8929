/**
 * What a connection costs: starts one gateway, then CLIENTS @liveroom/sdk clients (in this process)
 * connect and join one of ROOMS rooms, CONCURRENCY at a time, then all close. Reports the gateway's
 * and the clients' CPU per connect + join and per close: the unit cost of a failover storm.
 *
 *   node dist/tools/loadgen/src/connect-cost.js --clients 3000 --rooms 100 --concurrency 50 [--rounds 3]
 *
 * BENCH_NODE_ARGS passes Node flags to the gateway (e.g. --perf-basic-prof); CONNECT_COST_PAUSE_MS waits
 * that long before each round (time to attach `perf record -p <gateway pid>`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LiveroomClient } from '#sdk';
import { SignJWT } from 'jose';
import { serverNodeArgs } from './args.js';
import { deleteKeys, dropDatabase } from './gift-bench-procs.js';
import { clockTicksPerSecond, readProcCpu } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '../../..');
const { values } = parseArgs({ options: { clients: { type: 'string' }, rooms: { type: 'string' }, concurrency: { type: 'string' }, rounds: { type: 'string' } } });
const clients = Number(values.clients ?? 3000);
const roomCount = Number(values.rooms ?? 100);
const concurrency = Number(values.concurrency ?? 50);
const rounds = Number(values.rounds ?? 3);
const secret = process.env.JWT_SECRET ?? 'liveroom-dev-secret';
const runId = randomBytes(3).toString('hex');
const pgBase = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const dbName = `liveroom_conncost_${runId}`;
const port = 3970;
const url = `http://127.0.0.1:${port}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const key = new TextEncoder().encode(secret);
const token = (sub: string): Promise<string> => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('2h').sign(key);

function cpuMs(pid: number): number {
  const cpu = readProcCpu(pid);
  return cpu ? (cpu.ticks / clockTicksPerSecond()) * 1000 : 0;
}
const ownCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function waitReady(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error('the gateway did not come up');
}

/** Runs fn over 0..n-1, `lanes` at a time. */
async function inLanes(n: number, lanes: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < n) await fn(next++);
  }));
}

async function round(gatewayPid: number, rooms: string[], tokens: string[]): Promise<void> {
  const pause = Number(process.env.CONNECT_COST_PAUSE_MS ?? 0);
  if (pause > 0) {
    process.stderr.write(`gateway pid ${gatewayPid}: connecting in ${pause} ms\n`);
    await sleep(pause);
  }
  const open: LiveroomClient[] = [];
  const [g0, c0, t0] = [cpuMs(gatewayPid), ownCpuMs(), performance.now()];
  await inLanes(clients, concurrency, async (i) => {
    const client = new LiveroomClient({ urls: [url], token: tokens[i] as string, connectTimeoutMs: 60_000, ackTimeoutMs: 30_000 });
    await client.join(rooms[i % rooms.length] as string, {});
    open.push(client);
  });
  const [g1, c1, t1] = [cpuMs(gatewayPid), ownCpuMs(), performance.now()];
  for (const client of open) client.close();
  // The gateway notices the closes asynchronously: wait until its connection count is back to 0.
  for (let i = 0; i < 600 && (await connections()) > 0; i++) await sleep(50);
  const [g2, c2] = [cpuMs(gatewayPid), ownCpuMs()];
  const per = (ms: number): string => `${((ms * 1000) / clients).toFixed(0)} µs`;
  process.stdout.write(
    `${clients} connect+join in ${((t1 - t0) / 1000).toFixed(2)} s (${Math.round((clients * 1000) / (t1 - t0))}/s): gateway ${per(g1 - g0)}, client ${per(c1 - c0)} per connection; close: gateway ${per(g2 - g1)}, client ${per(c2 - c1)}\n`,
  );
}

async function connections(): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith('liveroom_gateway_connections'));
  return Number(line?.split(' ').at(-1) ?? 0);
}

async function main(): Promise<void> {
  const env = { ...process.env, LOG_LEVEL: 'error', KEY_PREFIX: `conncost:${runId}:`, DATABASE_URL: `${pgBase}/${dbName}`, GATEWAY_PORT: String(port), GATEWAY_DRAIN_MS: '0' };
  const gateway: ChildProcess = spawn(process.execPath, [...serverNodeArgs(), join(dist, 'apps/gateway/src/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitReady();
    const host = await token(`cc-host-${runId}`);
    const rooms: string[] = [];
    for (let r = 0; r < roomCount; r++) {
      const res = await fetch(`${url}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${host}` }, body: '{"title":"connect cost"}' });
      rooms.push(((await res.json()) as { id: string }).id);
    }
    const tokens = await Promise.all(Array.from({ length: clients }, (_, i) => token(`cc-${runId}-${i}`)));
    for (let r = 0; r < rounds; r++) await round(gateway.pid as number, rooms, tokens);
  } finally {
    gateway.kill('SIGTERM');
    if (gateway.exitCode === null) await once(gateway, 'exit');
    await dropDatabase(pgBase, dbName);
    await deleteKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', `conncost:${runId}:`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
