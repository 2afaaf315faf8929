/**
 * Failover under load: CLIENTS @liveroom/sdk viewers (several processes) in ROOMS rooms, all on one
 * gateway (rendezvous-ranked first for their room), while senders on the other gateways keep every
 * room busy. The first gateway is SIGKILLed; each viewer must reconnect to another gateway, resume
 * with sinceSeq and miss nothing. Reports the resumed share, events lost and duplicated, and the
 * time from the kill to each client's resumed stream.
 *
 *   node dist/tools/loadgen/src/failover.js --clients 10000 --rooms 100 --rate 2 --gateways 3 --workers 4
 *
 * BENCH_NODE_ARGS passes Node flags to the servers (e.g. --cpu-prof), FAILOVER_WORKER_NODE_ARGS to the client
 * processes; FAILOVER_STDOUT=1 shows the servers' logs.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rankGateways } from '#sdk';
import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { nodeArgsFrom, serverNodeArgs } from './args.js';
import { deleteKeys } from './gift-bench-procs.js';
import type { ClientOutcome, FailoverTask } from './failover-worker.js';
import { clockTicksPerSecond, readProcCpu } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '../../..');
const arg = (name: string, fallback: string): number => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback);
};
const clients = arg('clients', '10000');
const roomCount = arg('rooms', '100');
const rate = arg('rate', '2');
const gateways = arg('gateways', '3');
const workers = arg('workers', '4');
const beforeSec = arg('before', '5');
const afterSec = arg('after', '10');
const secret = process.env.JWT_SECRET ?? 'liveroom-dev-secret';
const runId = randomBytes(3).toString('hex');
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function startNode(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...serverNodeArgs(), join(dist, script)], { env: { ...process.env, LOG_LEVEL: 'error', ...env }, stdio: ['ignore', process.env.FAILOVER_STDOUT ? 'inherit' : 'ignore', 'inherit'] });
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

const token = (sub: string): Promise<string> =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('2h').sign(new TextEncoder().encode(secret));

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuSeconds(pid: number | undefined): number {
  const cpu = pid === undefined ? undefined : readProcCpu(pid);
  return cpu ? cpu.ticks / clockTicksPerSecond() : 0;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);
}

/** Rooms whose viewers all rank `doomed` first: created until there are `count` of them. */
async function roomsOn(doomed: string, urls: string[], count: number): Promise<string[]> {
  const host = await token(`fo-host-${runId}`);
  const rooms: string[] = [];
  while (rooms.length < count) {
    const res = await fetch(`${doomed}/v1/rooms`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${host}` }, body: '{"title":"failover"}' });
    const { id } = (await res.json()) as { id: string };
    if (rankGateways(urls, id)[0] === doomed) rooms.push(id);
  }
  return rooms;
}

async function main(): Promise<void> {
  const env = { KEY_PREFIX: `failover:${runId}:`, DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/liveroom_bench', BARRAGE_RATE_PER_SEC: '1000', BARRAGE_BURST: '1000', GATEWAY_DRAIN_MS: '0' };
  const ports = Array.from({ length: gateways }, (_, i) => 3960 + i);
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  const backends = [startNode('apps/moderation/src/main.js', { ...env, MODERATION_PORT: '3958' }), startNode('apps/barrage/src/main.js', { ...env, BARRAGE_PORT: '3959' })];
  const nodes = ports.map((p, i) => startNode('apps/gateway/src/main.js', { ...env, GATEWAY_PORT: String(p), GATEWAY_ID: `fo-${runId}-${i}` }));
  const children: ChildProcess[] = [];
  const senders: Socket[] = [];
  try {
    await Promise.all([...ports, 3958, 3959].map((p) => waitHttp(`http://127.0.0.1:${p}/readyz`)));
    const doomed = urls[0] as string;
    const rooms = await roomsOn(doomed, urls, roomCount);
    log(`failover run ${runId}: ${clients} clients in ${rooms.length} rooms on ${doomed}, ${rate} msg/s per room, ${gateways} gateways`);
    const started = Date.now();
    const ready = await Promise.all(
      Array.from({ length: workers }, (_, w) => {
        const child = fork(join(here, 'failover-worker.js'), { execArgv: nodeArgsFrom('FAILOVER_WORKER_NODE_ARGS'), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        children.push(child);
        const task: FailoverTask = { index: w, urls, rooms, count: Math.ceil(clients / workers), jwtSecret: secret };
        child.send({ task });
        return new Promise<{ joined: number; urls: Record<string, number> }>((resolve) => child.on('message', (m: { ready?: { joined: number; urls: Record<string, number> } }) => m.ready && resolve(m.ready)));
      }),
    );
    const joined = ready.reduce((s, r) => s + r.joined, 0);
    const onDoomed = ready.reduce((s, r) => s + (r.urls[doomed] ?? 0), 0);
    log(`${joined} joined in ${((Date.now() - started) / 1000).toFixed(1)} s, ${onDoomed} on the gateway to be killed`);

    // One sender per room, on a surviving gateway.
    const finalSeq = new Map<string, number>();
    let sending = true;
    const loops = rooms.map(async (roomId, r) => {
      const socket = io(urls[1 + (r % (gateways - 1))] as string, { auth: { token: await token(`fo-sender-${r}`) }, transports: ['websocket'], reconnection: false, forceNew: true });
      senders.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      await socket.emitWithAck('room:join', { roomId });
      for (let n = 0; sending; n++) {
        const ack = (await socket.emitWithAck('barrage:send', { roomId, text: `m${n}`, clientMsgId: `${runId}-${r}-${n}` })) as { ok: boolean; seq?: number };
        if (ack.ok && ack.seq) finalSeq.set(roomId, Math.max(finalSeq.get(roomId) ?? 0, ack.seq));
        await sleep(1000 / rate);
      }
    });
    await sleep(beforeSec * 1000);
    const survivors = nodes.slice(1);
    const cpuAtKill = { gateways: survivors.reduce((t, n) => t + cpuSeconds(n.pid), 0), clients: children.reduce((t, c) => t + cpuSeconds(c.pid), 0) };
    const killedAt = Date.now();
    (nodes[0] as ChildProcess).kill('SIGKILL');
    for (const c of children) c.send({ killedAt });
    await sleep(afterSec * 1000);
    const cpuAfter = { gateways: survivors.reduce((t, n) => t + cpuSeconds(n.pid), 0), clients: children.reduce((t, c) => t + cpuSeconds(c.pid), 0) };
    sending = false;
    await Promise.all(loops);
    await sleep(3000);
    const outcomes = (
      await Promise.all(
        children.map((c) => {
          const got = new Promise<ClientOutcome[]>((resolve) => c.on('message', (m: { outcomes?: ClientOutcome[] }) => m.outcomes && resolve(m.outcomes)));
          c.send({ report: true });
          return got;
        }),
      )
    ).flat();
    const resumed = outcomes.filter((o) => o.resumeMs !== null);
    const times = resumed.map((o) => o.resumeMs as number).sort((a, b) => a - b);
    const lost = outcomes.reduce((s, o) => s + o.gaps + Math.max(0, (finalSeq.get(o.roomId) ?? 0) - o.lastSeq), 0);
    const duplicates = outcomes.reduce((s, o) => s + o.duplicates, 0);
    const delivered = outcomes.reduce((s, o) => s + (o.lastSeq - o.firstSeq), 0);
    const stillOnDoomed = outcomes.filter((o) => o.url === doomed).length;
    process.stdout.write(`\nfailover, run ${runId}: ${outcomes.length} SDK clients in ${rooms.length} rooms, ${rate} msg/s per room, SIGKILL of 1 of ${gateways} gateways\n`);
    process.stdout.write('| clients | resumed | events delivered | lost | duplicated | resume p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|---|\n');
    process.stdout.write(
      `| ${outcomes.length} | ${resumed.length} (${((100 * resumed.length) / outcomes.length).toFixed(2)} %) | ${delivered} | ${lost} | ${duplicates} | ${percentile(times, 50)} | ${percentile(times, 99)} | ${times.at(-1)} |\n`,
    );
    const connected = outcomes.filter((o) => o.connectedMs !== null).map((o) => o.connectedMs as number).sort((a, b) => a - b);
    process.stdout.write(`reconnected (before rejoin) p50 ${percentile(connected, 50)} ms, p99 ${percentile(connected, 99)} ms\n`);
    process.stdout.write(
      `CPU in the ${afterSec} s after the kill: surviving gateways ${(cpuAfter.gateways - cpuAtKill.gateways).toFixed(1)} s, SDK client processes ${(cpuAfter.clients - cpuAtKill.clients).toFixed(1)} s\n`,
    );
    if (stillOnDoomed > 0) process.stdout.write(`${stillOnDoomed} clients still report the killed gateway\n`);
  } finally {
    for (const s of senders) s.disconnect();
    // Workers exit by themselves after reporting (and write a --cpu-prof then); kill what hangs.
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? Promise.race([once(c, 'exit'), sleep(5000)]) : undefined)));
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all([...nodes, ...backends].map(async (n) => (n.exitCode === null && n.signalCode === null ? (n.kill('SIGTERM'), once(n, 'exit')) : undefined)));
    // The run's room logs, streams and counters: nothing of it is read again.
    await deleteKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', env.KEY_PREFIX).catch((e: unknown) =>
      log(`deleting Redis keys under ${env.KEY_PREFIX} failed: ${(e as Error).message}`),
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
