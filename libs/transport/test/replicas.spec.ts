import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { RedisKeys } from '#contracts';
import { RedisStreamsClient } from '../src/index.js';
import { deleteKeys, waitFor } from './redis-test-utils.js';

const ROOT = resolve(process.cwd());
const FIXTURE = join(ROOT, 'dist/libs/transport/test/replica.fixture.js');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = new RedisKeys(`lrtest:${randomUUID()}:`).transportPrefix();

interface Replica {
  proc: ChildProcess;
  pid: number;
  output: string[];
}

const replicas: Replica[] = [];

/** Builds dist/ when the compiled fixture is missing or older than the transport's sources. */
function ensureBuilt(): void {
  const sources = ['libs/transport/src', 'libs/transport/test'].flatMap((dir) =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => join(ROOT, dir, f)),
  );
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(FIXTURE) && statSync(FIXTURE).mtimeMs >= newest) return;
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch {
    // Type errors elsewhere in the repo still emit JavaScript; only a missing fixture is fatal.
  }
  if (!existsSync(FIXTURE)) throw new Error(`could not build ${FIXTURE}`);
}

async function spawnReplica(env: Record<string, string>): Promise<Replica> {
  const proc = spawn(process.execPath, [FIXTURE], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', REDIS_URL, PREFIX, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const replica: Replica = { proc, pid: proc.pid ?? -1, output: [] };
  replicas.push(replica);
  proc.stderr?.on('data', (chunk: Buffer) => replica.output.push(chunk.toString()));
  const lines = createInterface({ input: proc.stdout! });
  await new Promise<void>((ready, fail) => {
    lines.on('line', (line) => (line.startsWith('ready ') ? ready() : replica.output.push(line)));
    proc.once('exit', (code) => fail(new Error(`replica exited (${code}) before ready: ${replica.output.join('')}`)));
  });
  return replica;
}

async function kill(replica: Replica): Promise<void> {
  if (replica.proc.exitCode !== null || replica.proc.signalCode !== null) return;
  const exited = once(replica.proc, 'exit');
  replica.proc.kill('SIGKILL');
  await exited;
}

async function counter(redis: Redis, key: string): Promise<number> {
  return Number((await redis.get(`${PREFIX}${key}`)) ?? 0);
}

describe('RedisStreams transport with replicas in separate processes', () => {
  let redis: Redis;
  const clients: RedisStreamsClient[] = [];

  beforeAll(async () => {
    ensureBuilt();
    redis = new Redis(REDIS_URL);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map(kill));
    await Promise.all(clients.map((c) => c.close()));
    await deleteKeys(redis, PREFIX);
    await redis.quit();
  });

  function newClient(service: string, timeoutMs: number): RedisStreamsClient {
    const client = new RedisStreamsClient({ redisUrl: REDIS_URL, prefix: PREFIX, service, timeoutMs });
    clients.push(client);
    return client;
  }

  it('spreads 2,000 concurrent requests over two replicas, each handled exactly once', async () => {
    const service = 'work-load';
    const [a, b] = await Promise.all([
      spawnReplica({ SERVICE: service, DELAY_MS: '2', CONCURRENCY: '64' }),
      spawnReplica({ SERVICE: service, DELAY_MS: '2', CONCURRENCY: '64' }),
    ]);
    const client = newClient(service, 15_000);
    await client.connect();
    const ids = Array.from({ length: 2000 }, () => randomUUID());

    const replies = await Promise.all(
      ids.map((id) => firstValueFrom(client.send<{ id: string; pid: number }>('work', { id }))),
    );

    expect(replies.map((r) => r.id)).toEqual(ids);
    const handled = await redis.mget(...ids.map((id) => `${PREFIX}handled:${id}`));
    expect(handled.filter((n) => n !== '1')).toEqual([]);
    const [byA, byB] = [await counter(redis, `by:${a.pid}`), await counter(redis, `by:${b.pid}`)];
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(byA + byB).toBe(2000);
    expect(await redis.xlen(`${PREFIX}${service}`)).toBe(0);
  }, 60_000);

  it('completes the work of a SIGKILLed replica on the surviving one', async () => {
    const service = 'work-kill';
    const stream = `${PREFIX}${service}`;
    const settings = { SERVICE: service, DELAY_MS: '200', CONCURRENCY: '20', HEARTBEAT_MS: '250', DEAD_AFTER_MS: '1000' };
    const [a, b] = await Promise.all([
      spawnReplica({ ...settings, CONSUMER_NAME: 'replica-A' }),
      spawnReplica({ ...settings, CONSUMER_NAME: 'replica-B' }),
    ]);
    const client = newClient(service, 8000);
    await client.connect();
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const started = Date.now();
    const replies = Promise.all(
      ids.map((id) => firstValueFrom(client.send<{ id: string; pid: number }>('work', { id }))),
    );

    // Kill A once it has finished some work and holds more in flight (read, not acked).
    await waitFor(async () => {
      const pendingOfA = (await redis.xpending(stream, service, '-', '+', 1, 'replica-A')) as unknown[];
      return (await counter(redis, `by:${a.pid}`)) > 0 && pendingOfA.length > 0;
    }, 'replica A to be busy');
    await kill(a);
    const orphaned = (await redis.xpending(stream, service, '-', '+', 1000, 'replica-A')) as unknown[];
    expect(orphaned.length).toBeGreaterThan(0); // A died holding entries: the claim path is exercised

    const answered = await replies;
    const elapsed = Date.now() - started;
    expect(answered.map((r) => r.id)).toEqual(ids);
    expect(elapsed).toBeLessThan(8000);

    const handled = (await redis.mget(...ids.map((id) => `${PREFIX}handled:${id}`))).map(Number);
    expect(handled.filter((n) => n < 1)).toEqual([]);
    const twice = handled.filter((n) => n > 1).length;
    const byA = await counter(redis, `by:${a.pid}`);
    const byB = await counter(redis, `by:${b.pid}`);
    process.stdout.write(
      `SIGKILL test: ${ids.length} answered in ${elapsed} ms; A handled ${byA}, B handled ${byB}; handled twice: ${twice}\n`,
    );
    expect(byB).toBeGreaterThan(0);
    expect(byA + byB).toBe(ids.length + twice);
    expect(answered.some((r) => r.pid === b.pid)).toBe(true);
    expect(b.output.join('')).toMatch(/claimed \d+ entries of dead consumer replica-A/);

    // Nothing left pending, and the dead consumer is forgotten once it owns nothing.
    expect(await redis.xlen(stream)).toBe(0);
    await waitFor(async () => {
      const consumers = (await redis.xinfo('CONSUMERS', stream, service)) as unknown[][];
      return !consumers.some((c) => c.includes('replica-A'));
    }, 'replica-A to be removed from the group');
  }, 60_000);
});
