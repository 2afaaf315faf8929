/**
 * CPU per message of the barrage service, measured in isolation: starts the moderation and barrage
 * apps from dist, sends `barrage.send` requests straight over the Redis Streams transport (no gateway,
 * no viewers), `--concurrency` at a time, and reports the barrage process's CPU-µs per message for each
 * round of `--messages`, and the caller's (this process's) CPU per message: the gateway's cost of one
 * service call. Concurrency 1 is a quiet service (every message wakes it on its own); higher values are a
 * busy one (messages share reads and writes). `--client send` calls through Nest's `send()` observable
 * (what builds before `request()` had), `request` through the promise API the gateway uses.
 *
 *   node dist/tools/loadgen/src/service-cost.js [--concurrency 1] [--messages 10000] [--rounds 3] [--client request|send]
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { LiveroomError, PATTERNS, RedisKeys, SERVICES } from '#contracts';
import { RedisStreamsClient } from '#transport';
import { type App, deleteKeys, dropDatabase, killAppsNow, startApp, stopApps, waitReady } from './gift-bench-procs.js';
import { clockTicksPerSecond, readProcCpu } from './stats.js';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '1' },
    messages: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    client: { type: 'string', default: 'request' },
  },
});
if (values.client !== 'request' && values.client !== 'send') throw new Error('--client must be request or send');
const viaSend = values.client === 'send';
const concurrency = positive('concurrency');
const messages = positive('messages');
const rounds = positive('rounds');
const dist = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const runId = randomBytes(3).toString('hex');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const pgBase = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432';
const dbName = `liveroom_servicecost_${runId}`;
const keys = new RedisKeys(`servicecost:${runId}:`);
const roomId = 'cost-room';

function positive(name: 'concurrency' | 'messages' | 'rounds'): number {
  const n = Number(values[name]);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

/** CPU-µs the process has used so far. */
function cpuMicros(pid: number): number {
  const cpu = readProcCpu(pid);
  if (!cpu) throw new Error(`process ${pid} is gone`);
  return (cpu.ticks / clockTicksPerSecond()) * 1e6;
}

async function main(): Promise<void> {
  const env = { KEY_PREFIX: keys.prefix, DATABASE_URL: `${pgBase}/${dbName}`, MODERATION_PORT: '3960', BARRAGE_PORT: '3961', BARRAGE_ROOM_RATE_PER_SEC: '100000', BARRAGE_ROOM_BURST: '1000000' };
  const apps: App[] = [];
  process.once('exit', () => killAppsNow(apps));
  const redis = new Redis(redisUrl);
  const client = new RedisStreamsClient({ redisUrl, prefix: keys.transportPrefix(), service: SERVICES.barrage });
  try {
    apps.push(startApp(dist, 'moderation', 'apps/moderation/src/main.js', env, join(tmpdir(), `servicecost-${runId}-moderation.log`)));
    await waitReady('http://127.0.0.1:3960/readyz', apps[0] as App);
    const barrage = startApp(dist, 'barrage', 'apps/barrage/src/main.js', env, join(tmpdir(), `servicecost-${runId}-barrage.log`));
    apps.push(barrage);
    await waitReady('http://127.0.0.1:3961/readyz', barrage);
    await redis.hset(keys.roomMeta(roomId), 'live', '1', 'hostId', 'cost-host');
    await client.connect();
    let sent = 0;
    const send = (): Promise<unknown> => {
      const n = sent++;
      const message = { roomId, text: `message ${n}`, clientMsgId: `m${n}` };
      const command = { actor: { userId: `u${n % 5000}`, name: `user ${n % 5000}`, roles: [] }, message };
      return viaSend ? firstValueFrom(client.send(PATTERNS.barrageSend, command)) : client.request(PATTERNS.barrageSend, command);
    };
    await untilDictionaryLoaded(send);
    const round = async (): Promise<{ microsPerMessage: number; clientMicros: number; perSec: number }> => {
      const cpu0 = cpuMicros(barrage.child.pid as number);
      const own0 = process.cpuUsage();
      const t0 = performance.now();
      for (let done = 0; done < messages; done += concurrency) {
        await Promise.all(Array.from({ length: Math.min(concurrency, messages - done) }, send));
      }
      const seconds = (performance.now() - t0) / 1000;
      const own = process.cpuUsage(own0);
      return {
        microsPerMessage: (cpuMicros(barrage.child.pid as number) - cpu0) / messages,
        clientMicros: (own.user + own.system) / messages,
        perSec: messages / seconds,
      };
    };
    await round(); // warm-up: JIT, connections
    const results = [];
    for (let i = 0; i < rounds; i++) results.push(await round());
    process.stdout.write(
      `barrage service, concurrency ${concurrency}, ${messages} messages per round, client ${values.client}: ` +
        results.map((r) => `${r.microsPerMessage.toFixed(0)} µs/message (${r.perSec.toFixed(0)}/s, client ${r.clientMicros.toFixed(0)} µs)`).join(', ') +
        '\n',
    );
  } finally {
    await client.close();
    await stopApps(apps);
    redis.disconnect();
    await deleteKeys(redisUrl, keys.prefix);
    await dropDatabase(pgBase, dbName);
  }
}

/** The barrage service answers UNAVAILABLE until it has fetched the moderation dictionary. */
async function untilDictionaryLoaded(send: () => Promise<unknown>): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      await send();
      return;
    } catch (error) {
      if (Date.now() > end || LiveroomError.from(error).code !== 'UNAVAILABLE') throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
