/**
 * gift-bench helpers: start/stop the apps from dist with their stderr captured to files, HTTP with JWTs,
 * and a CPU sampler over process groups (gateway, gifting, redis-server, every `postgres` process).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SignJWT } from 'jose';
import { serverNodeArgs } from './args.js';
import { clockTicksPerSecond, readProcCpu } from './stats.js';

export interface App {
  name: string;
  child: ChildProcess;
  logPath: string;
  log: WriteStream;
}

export function startApp(dist: string, name: string, script: string, env: Record<string, string>, logPath: string): App {
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, [...serverNodeArgs(), `${dist}/${script}`], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.on('exit', (code, signal) => log.write(`\n[gift-bench] ${name} exited code=${code} signal=${signal}\n`));
  return { name, child, logPath, log };
}

export async function waitReady(url: string, app: App, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (app.child.exitCode !== null) throw new Error(`${app.name} exited (${app.child.exitCode}) before ready; see ${app.logPath}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms; see ${app.logPath}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child's stdio closed and its log is flushed. */
export async function stopApps(apps: readonly App[], graceMs = 5000): Promise<void> {
  await Promise.all(
    apps.map(async (a) => {
      if (a.log.writableEnded) return;
      const closed = new Promise<void>((resolve) => {
        if (a.child.exitCode !== null || a.child.signalCode !== null) setTimeout(resolve, 200);
        else a.child.once('close', () => resolve());
      });
      const timer = setTimeout(() => a.child.kill('SIGKILL'), graceMs);
      a.child.kill('SIGTERM');
      await closed;
      clearTimeout(timer);
      await new Promise<void>((resolve) => a.log.end(resolve));
    }),
  );
}

/** Synchronous last resort (process 'exit' handler). */
export function killAppsNow(apps: readonly App[]): void {
  for (const a of apps) if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
}

export function signToken(sub: string, secret: string, roles?: string[]): Promise<string> {
  return new SignJWT(roles ? { roles } : {})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(secret));
}

export async function httpJson<T>(method: string, url: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Runs `fn(i)` for i in [0, n) with at most `limit` in flight. */
export async function mapLimit(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
}

function pidsByComm(comm: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (d.charCodeAt(0) < 0x30 || d.charCodeAt(0) > 0x39) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

export interface CpuGroup {
  name: string;
  /** Fixed pids, or a comm name whose processes are re-listed at every sample (new ones count from 0). */
  pids?: number[];
  comm?: string;
}

/**
 * CPU seconds per group between start() and stop(). Sampled every second so short-lived postgres
 * backends are counted up to their last sample; pids that appear after start() count from zero.
 */
export class CpuSampler {
  private readonly first = new Map<string, Map<number, number>>();
  private readonly last = new Map<string, Map<number, number>>();
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private t1 = 0;

  constructor(private readonly groups: readonly CpuGroup[]) {}

  start(): void {
    this.t0 = Date.now();
    for (const g of this.groups) {
      const m = new Map<number, number>();
      for (const pid of this.pidsOf(g)) {
        const c = readProcCpu(pid);
        if (c) m.set(pid, c.ticks);
      }
      this.first.set(g.name, m);
      this.last.set(g.name, new Map(m));
    }
    this.timer = setInterval(() => this.sample(), 1000);
  }

  stop(): Record<string, number> & { wallSec: number } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    this.t1 = Date.now();
    const hz = clockTicksPerSecond();
    const out: Record<string, number> = {};
    for (const g of this.groups) {
      const f = this.first.get(g.name) ?? new Map<number, number>();
      let ticks = 0;
      for (const [pid, t] of this.last.get(g.name) ?? []) ticks += t - (f.get(pid) ?? 0);
      out[g.name] = Math.round((ticks / hz) * 100) / 100;
    }
    return { ...out, wallSec: Math.round((this.t1 - this.t0) / 10) / 100 };
  }

  private pidsOf(g: CpuGroup): number[] {
    return g.comm ? pidsByComm(g.comm) : (g.pids ?? []);
  }

  private sample(): void {
    for (const g of this.groups) {
      const m = this.last.get(g.name);
      if (!m) continue;
      for (const pid of this.pidsOf(g)) {
        const c = readProcCpu(pid);
        if (c) m.set(pid, c.ticks);
      }
    }
  }
}

/** Distinct log lines (ANSI, ids, numbers and Nest prefixes folded) with their counts, most frequent first. */
export function summarizeLog(path: string, top = 6): { count: number; line: string }[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const counts = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/\x1b\[[0-9;]*m/g, '')
      .replace(/^\[Nest\] \d+ +- .*? (AM|PM) +/, '')
      .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '<id>')
      .replace(/\d+/g, 'N')
      .trim();
    if (line && !line.startsWith('[gift-bench]') && !/listening on/.test(line)) counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, top).map(([line, count]) => ({ count, line: line.slice(0, 240) }));
}

/** Deletes every Redis key under `prefix` (the run's KEY_PREFIX); returns how many. */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Drops a run's database (`pgBase` is the server URL without a database), even with sessions still open. */
export async function dropDatabase(pgBase: string, dbName: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${pgBase}/postgres`, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
