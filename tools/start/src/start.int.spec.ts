/**
 * `npm start` end to end: the compiled supervisor (dist/tools/start/src/start.js, built by `npm run build`
 * before the tests; not rebuilt here) started in its own process group with GATEWAYS=2 and
 * BARRAGE_REPLICAS=2, isolated like TestSystem (own Redis key prefix, own database, free ports).
 * Every app must become ready and serve a room across both gateways; a Ctrl-C (SIGINT to the whole
 * process group, as a terminal sends it) must stop every child and end the supervisor with code 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { connect as tcpConnect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { cleanRedis, connect, createRoom, dropDatabase, REDIS_URL, REPO_ROOT, StreamRecorder, tokenFor } from '#testing';

const id = randomBytes(4).toString('hex');
const keyPrefix = `lrtest:${id}:`;
const databaseUrl = `postgres://postgres@127.0.0.1:5432/liveroom_test_${id}`;
const START_SCRIPT = join(REPO_ROOT, 'dist/tools/start/src/start.js');

interface App {
  name: string;
  port: number;
}

let apps: App[] = [];
let supervisor: ChildProcess | undefined;
let exited: Promise<[number | null, NodeJS.Signals | null]> | undefined;
const output: string[] = [];
const sockets: Socket[] = [];

/** The last lines the supervisor printed (its own and the prefixed app lines), for failure messages. */
const tail = (): string => output.slice(-80).join('');

/** Binds `count` consecutive ports on every interface (as the apps listen), or null if one is taken. */
async function bindRun(base: number, count: number): Promise<Server[] | null> {
  const held: Server[] = [];
  for (let port = base; port < base + count; port++) {
    const server = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => resolve(true));
    });
    if (!ok) {
      await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
      return null;
    }
    held.push(server);
  }
  return held;
}

/**
 * Base ports for runs of consecutive free ports (start.js puts gateway i on GATEWAY_PORT + i and barrage
 * replica i on BARRAGE_PORT + i). All runs are held until every one is found, so they cannot overlap.
 */
async function freePortRuns(lengths: number[]): Promise<number[]> {
  const held: Server[] = [];
  const bases: number[] = [];
  try {
    for (const length of lengths) {
      for (let attempt = 0; ; attempt++) {
        if (attempt === 50) throw new Error(`no ${length} consecutive free ports`);
        const probe = createServer().listen(0, '0.0.0.0');
        await once(probe, 'listening');
        const base = (probe.address() as { port: number }).port;
        await new Promise((r) => probe.close(r));
        if (base + length > 65535) continue;
        const run = await bindRun(base, length);
        if (!run) continue;
        held.push(...run);
        bases.push(base);
        break;
      }
    }
    return bases;
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

/** Processes (pid, state) whose process group is pgid, from /proc; zombies included. */
function groupMembers(pgid: number): { pid: number; state: string; cmd: string }[] {
  const members: { pid: number; state: string; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const close = stat.lastIndexOf(')');
    const [state, , pgrp] = stat.slice(close + 2).split(' ');
    if (Number(pgrp) !== pgid) continue;
    let cmd = stat.slice(stat.indexOf('(') + 1, close);
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim() || cmd;
    } catch {
      // keep comm
    }
    members.push({ pid: Number(entry), state: state ?? '?', cmd });
  }
  return members;
}

/** Signals the supervisor's whole process group (never anything else: the pid must be a real child's). */
function signalGroup(signal: NodeJS.Signals): boolean {
  const pid = supervisor?.pid;
  if (!pid || pid <= 1) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // ESRCH: the group is gone
  }
}

async function readyz(app: App): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${app.port}/readyz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Whether something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

beforeAll(async () => {
  const [gatewayPort, barragePort, moderationPort, giftingPort, cohostPort] = (await freePortRuns([2, 2, 1, 1, 1])) as [
    number,
    number,
    number,
    number,
    number,
  ];
  apps = [
    { name: 'gateway-0', port: gatewayPort },
    { name: 'gateway-1', port: gatewayPort + 1 },
    { name: 'barrage-0', port: barragePort },
    { name: 'barrage-1', port: barragePort + 1 },
    { name: 'moderation', port: moderationPort },
    { name: 'gifting', port: giftingPort },
    { name: 'cohost', port: cohostPort },
  ];
  // Only what a shell would have plus this run's settings: nothing from the Jest process (NODE_OPTIONS,
  // NODE_ENV=test, another test's KEY_PREFIX, ...) reaches the apps.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    LOG_LEVEL: 'warn',
    KEY_PREFIX: keyPrefix,
    REDIS_URL,
    DATABASE_URL: databaseUrl,
    GATEWAYS: '2',
    BARRAGE_REPLICAS: '2',
    GATEWAY_PORT: String(gatewayPort),
    BARRAGE_PORT: String(barragePort),
    MODERATION_PORT: String(moderationPort),
    GIFTING_PORT: String(giftingPort),
    COHOST_PORT: String(cohostPort),
  };
  // detached: setsid(), so the supervisor leads a new process group that its children join, like a
  // shell job; Ctrl-C reaches that whole group.
  const child = spawn(process.execPath, [START_SCRIPT], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  supervisor = child;
  exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const keep = (chunk: Buffer): void => {
    output.push(chunk.toString());
    if (output.length > 400) output.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const deadline = Date.now() + 120_000;
  let pending = apps;
  while (pending.length > 0) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`start exited (${child.signalCode ?? child.exitCode}) before every app was ready:\n${tail()}`);
    }
    if (Date.now() > deadline) throw new Error(`not ready after 120 s: ${pending.map((a) => a.name).join(', ')}\n${tail()}`);
    const statuses = await Promise.all(pending.map(readyz));
    pending = pending.filter((_, i) => statuses[i] !== 200);
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 200));
  }
}, 150_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  // Whatever happened above: nothing of this group survives the file.
  if (supervisor && supervisor.exitCode === null && supervisor.signalCode === null) {
    signalGroup('SIGKILL');
    await Promise.race([exited?.catch(() => undefined), new Promise((r) => setTimeout(r, 5000).unref())]);
  }
  if (supervisor?.pid) {
    signalGroup('SIGKILL'); // children orphaned by a supervisor that died first
    const deadline = Date.now() + 5000;
    while (groupMembers(supervisor.pid).some((p) => p.state !== 'Z') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await cleanRedis(keyPrefix);
  await dropDatabase(databaseUrl);
}, 30_000);

describe('npm start (GATEWAYS=2, BARRAGE_REPLICAS=2)', () => {
  it('runs every app as a child in its process group, each on its port and ready', async () => {
    for (const app of apps) expect([app.name, await readyz(app)]).toEqual([app.name, 200]);
    // The supervisor plus one node process per app: 2 gateways, 2 barrage, moderation, gifting, cohost.
    const members = groupMembers(supervisor!.pid!);
    const children = members.filter((p) => p.pid !== supervisor!.pid);
    expect(children.map((p) => p.cmd.replace(/^.*\/dist\//, '')).sort()).toEqual(
      [
        'apps/barrage/src/main.js',
        'apps/barrage/src/main.js',
        'apps/cohost/src/main.js',
        'apps/gateway/src/main.js',
        'apps/gateway/src/main.js',
        'apps/gifting/src/main.js',
        'apps/moderation/src/main.js',
      ].sort(),
    );
  });

  it('serves a room across both gateways: REST, then barrage through a barrage replica and moderation', async () => {
    const [gw0, gw1] = apps.map((a) => `http://127.0.0.1:${a.port}`) as [string, string];
    const room = await createRoom(gw0, await tokenFor('start-host'), 'npm start');
    const info = await fetch(`${gw1}/v1/rooms/${room.id}`);
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ id: room.id, hostId: 'start-host', live: true });

    const viewer = await connect(gw0, await tokenFor('start-viewer'));
    const sender = await connect(gw1, await tokenFor('start-sender'));
    sockets.push(viewer, sender);
    const rec = new StreamRecorder(viewer, room.id);
    expect(await rec.join()).toMatchObject({ ok: true });
    expect(await sender.timeout(10_000).emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });
    // A barrage replica is ready (/readyz only asks Redis) before its first moderation dictionary arrives:
    // until then it answers UNAVAILABLE with retryAfterMs, and a client retries (same clientMsgId: idempotent).
    const send = { roomId: room.id, text: 'hello from npm start', clientMsgId: 's1' };
    let ack = await sender.timeout(10_000).emitWithAck('barrage:send', send);
    for (const deadline = Date.now() + 15_000; ack?.error?.code === 'UNAVAILABLE' && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, ack.error.retryAfterMs ?? 500));
      ack = await sender.timeout(10_000).emitWithAck('barrage:send', send);
    }
    expect(ack).toEqual({ ok: true, seq: 1, id: expect.any(String) });
    await rec.until(1);
    expect(rec.events[0]).toMatchObject({ seq: 1, type: 'barrage', text: 'hello from npm start', userId: 'start-sender' });
    for (const s of sockets.splice(0)) s.disconnect();
  });

  it('stops every child and exits 0 on Ctrl-C (SIGINT to the process group)', async () => {
    const pgid = supervisor!.pid!;
    const started = Date.now();
    expect(signalGroup('SIGINT')).toBe(true);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`start still running 30 s after SIGINT:\n${tail()}`)), 30_000).unref(),
    );
    const [code, signal] = await Promise.race([exited!, timeout]);
    const stopMs = Date.now() - started;
    expect({ code, signal, output: code === 0 ? '' : tail() }).toEqual({ code: 0, signal: null, output: '' });
    expect(output.join('')).toContain('[start] stopping 7 processes');
    expect(output.join('')).not.toMatch(/\[start\] .* exited .*; stopping the others/);
    // The supervisor waits for (and reaps) every child before exiting: nothing is left, not even a zombie.
    expect(groupMembers(pgid)).toEqual([]);
    for (const app of apps) expect([app.name, await listening(app.port)]).toEqual([app.name, false]);
    expect(stopMs).toBeLessThan(25_000);
  }, 40_000);
});
