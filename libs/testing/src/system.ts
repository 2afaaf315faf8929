import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { createRoom, tokenFor } from './clients.js';

/** The repository root, found from this file in the source tree or in dist/. */
const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = here.includes('/dist/') ? join(here.split('/dist/')[0] as string) : join(here, '../../..');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface AppHandle {
  name: string;
  process: ChildProcess;
  port: number;
  url: string;
  output: string[];
}

export type AppKind = 'gateway' | 'barrage' | 'moderation' | 'gifting' | 'cohost';

export interface SystemOptions {
  gateways?: number;
  barrages?: number;
  /** The moderation and gifting services (one each) start unless set to false. */
  moderation?: boolean;
  gifting?: boolean;
  /** The co-host service (one replica) starts only when set. */
  cohost?: boolean;
  env?: Record<string, string>;
}

/**
 * A whole liveroom (compiled apps from dist/) isolated for one test file: its own Redis key
 * prefix and its own PostgreSQL database, both removed by stop().
 */
export class TestSystem {
  readonly id = randomBytes(4).toString('hex');
  readonly keyPrefix = `lrtest:${this.id}:`;
  readonly databaseUrl: string;
  readonly apps: AppHandle[] = [];

  constructor(private readonly options: SystemOptions = {}) {
    this.databaseUrl = `postgres://postgres@127.0.0.1:5432/liveroom_test_${this.id}`;
  }

  get gateways(): AppHandle[] {
    return this.apps.filter((a) => a.name.startsWith('gateway'));
  }

  get barrages(): AppHandle[] {
    return this.apps.filter((a) => a.name.startsWith('barrage'));
  }

  async start(): Promise<this> {
    // One gateway first: it creates and migrates the database; the others then start together.
    const gateways = this.options.gateways ?? 1;
    await this.startApp('gateway', 0);
    await Promise.all([
      ...Array.from({ length: gateways - 1 }, (_, i) => this.startApp('gateway', i + 1)),
      ...Array.from({ length: this.options.barrages ?? 1 }, (_, i) => this.startApp('barrage', i)),
      ...(this.options.moderation === false ? [] : [this.startApp('moderation', 0)]),
      ...(this.options.gifting === false ? [] : [this.startApp('gifting', 0)]),
      ...(this.options.cohost ? [this.startApp('cohost', 0)] : []),
    ]);
    return this;
  }

  /** Starts one app; waits for its /readyz, or only for /healthz (an app meant to start without a dependency). */
  async startApp(kind: AppKind, index: number, until: 'ready' | 'live' = 'ready'): Promise<AppHandle> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_OPTIONS: '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      KEY_PREFIX: this.keyPrefix,
      DATABASE_URL: this.databaseUrl,
      REDIS_URL,
      GATEWAY_PORT: String(port),
      BARRAGE_PORT: String(port),
      MODERATION_PORT: String(port),
      GIFTING_PORT: String(port),
      COHOST_PORT: String(port),
      GATEWAY_ID: `gw-${this.id}-${index}`,
      GATEWAY_DRAIN_MS: '200',
      ...this.options.env,
    };
    const child = spawn(process.execPath, ['--enable-source-maps', join(REPO_ROOT, `dist/apps/${kind}/src/main.js`)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const handle: AppHandle = { name: `${kind}-${index}`, process: child, port, url: `http://127.0.0.1:${port}`, output: [] };
    const keep = (chunk: Buffer) => {
      handle.output.push(chunk.toString());
      if (handle.output.length > 200) handle.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.apps.push(handle);
    await waitReady(handle, until === 'ready' ? '/readyz' : '/healthz');
    return handle;
  }

  /** A new live room hosted by hostId, created through a gateway's REST API; its id. */
  async liveRoom(hostId: string, gateway = 0): Promise<string> {
    return (await createRoom((this.gateways[gateway] as AppHandle).url, await tokenFor(hostId))).id;
  }

  /**
   * Registers this file's Jest hooks: the system starts before its tests; afterwards the sockets the
   * tests push onto the returned array are disconnected and the system is stopped.
   */
  useInTests(): Socket[] {
    const sockets: Socket[] = [];
    beforeAll(() => this.start());
    afterAll(async () => {
      for (const s of sockets) s.disconnect();
      await this.stop();
    });
    return sockets;
  }

  /** SIGKILL one app (failure tests). */
  async kill(handle: AppHandle): Promise<void> {
    if (handle.process.exitCode !== null || handle.process.signalCode !== null) return;
    const exited = once(handle.process, 'exit');
    handle.process.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.apps.map(async (app) => {
        if (app.process.exitCode !== null || app.process.signalCode !== null) return;
        const exited = once(app.process, 'exit');
        app.process.kill('SIGTERM');
        const timer = setTimeout(() => app.process.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await cleanRedis(this.keyPrefix);
    await dropDatabase(this.databaseUrl);
  }
}

async function waitReady(app: AppHandle, path: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.process.exitCode !== null) throw new Error(`${app.name} exited during start:\n${app.output.join('')}`);
    try {
      const res = await fetch(`${app.url}${path}`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${app.name} not ready after ${timeoutMs} ms:\n${app.output.join('')}`);
}

export async function cleanRedis(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
