import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { firstValueFrom } from 'rxjs';
import { GIFTING_PATTERNS, GIFTING_SERVICE, LiveroomError, RedisKeys } from '#contracts';
import { freePort, REDIS_URL, REPO_ROOT } from '#testing';
import { RedisStreamsClient } from '#transport';
import { Gifting, cleanup, giftEvents, isolation, waitFor } from './harness.js';

/**
 * Gifts run concurrently while the gifting process (service and outbox relay) is SIGKILLed at three
 * random points and restarted, Redis stops answering for a while (CLIENT PAUSE: every command
 * blocks, so requests time out and the relay must retry), Redis drops every gifting connection again
 * and again for a while (CLIENT KILL: clients reconnect, replies in flight are lost, consumer groups
 * are read anew), some requests are sent twice at once with
 * the same idempotency key, and users overspend on purpose. Then every unanswered request is retried
 * with its key, and: committed gifts = outbox rows = gift events in the room log, no txId twice,
 * duplicates got one answer, wallets equal their entries, the ledger check is clean.
 * Seeded: CHAOS_SEED=<n> replays a run.
 */
const MAIN = join(REPO_ROOT, 'dist/apps/gifting/src/main.js');
const seed = Number(process.env.CHAOS_SEED ?? 20251);
const env = isolation();
const run = existsSync(MAIN) ? describe : describe.skip;
const REDIS_PAUSE_MS = 2500;
/** How long, and how often, every gifting connection (service, relay, this test's client) is killed. */
const REDIS_DROP_MS = 1500;
const REDIS_DROP_EVERY_MS = 100;

/** Kills every Redis connection whose name starts with `prefix`, every `everyMs` for `forMs`; returns how many. */
async function dropConnections(admin: Redis, prefix: string, forMs: number, everyMs: number): Promise<number> {
  let killed = 0;
  for (const until = Date.now() + forMs; Date.now() < until; await new Promise((r) => setTimeout(r, everyMs))) {
    const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'normal')) as string;
    const pubsub = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    for (const line of `${list}\n${pubsub}`.split('\n')) {
      const id = /\bid=(\d+)/.exec(line)?.[1];
      const name = /\bname=(\S*)/.exec(line)?.[1] ?? '';
      if (id && name.startsWith(prefix)) killed += Number(await admin.call('CLIENT', 'KILL', 'ID', id));
    }
  }
  return killed;
}

function rng(s: number): () => number {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function spawnGifting(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'test', LOG_LEVEL: 'error', KEY_PREFIX: env.KEY_PREFIX, DATABASE_URL: env.DATABASE_URL, REDIS_URL, GIFTING_PORT: String(port), OUTBOX_POLL_MS: '200' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok, 30_000, 'gifting ready');
  return child;
}

run(`chaos: SIGKILLs, a Redis outage, duplicates and overspend mid-load (seed ${seed})`, () => {
  let g: Gifting;
  let client: RedisStreamsClient;
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await client?.close();
    await g?.close();
    await cleanup(env);
  });

  it('keeps gifts, outbox, room log and ledger consistent', async () => {
    const random = rng(seed);
    g = await Gifting.start({ DATABASE_URL: env.DATABASE_URL, KEY_PREFIX: env.KEY_PREFIX, OUTBOX_RELAY: '0' });
    await g.openRoom('chaos', 'host');
    const users = Array.from({ length: 8 }, (_, i) => `u${i}`);
    // Small wallets against castles (10,000 coins): overspending is part of the load.
    for (const [i, u] of users.entries()) await g.credit(u, i < 4 ? 2_000 : 30_000);
    const port = await freePort();
    child = await spawnGifting(port);
    client = new RedisStreamsClient({ redisUrl: REDIS_URL, prefix: new RedisKeys(env.KEY_PREFIX).transportPrefix(), service: GIFTING_SERVICE, timeoutMs: 3000 });
    await client.connect();
    const gifts = ['heart', 'rose', 'rocket', 'castle'];
    const requests = Array.from({ length: 300 }, (_, i) => ({
      actor: { userId: users[Math.floor(random() * users.length)] as string, name: 'n', roles: [] },
      gift: { roomId: 'chaos', giftId: gifts[Math.floor(random() ** 3 * gifts.length)] as string, count: 1 + Math.floor(random() * 5), idempotencyKey: `chaos-${seed}-${i}` },
    }));
    const kills = new Set(Array.from({ length: 3 }, (_, k) => 40 + k * 80 + Math.floor(random() * 60)));
    const pauseAt = 100 + Math.floor(random() * 100);
    const dropAt = 200 + Math.floor(random() * 80);
    let dropping: Promise<number> = Promise.resolve(0);
    const answers = new Map<string, string[]>();
    const call = async (req: (typeof requests)[number]): Promise<void> => {
      let answer: string | null = null;
      try {
        answer = ((await firstValueFrom(client.send(GIFTING_PATTERNS.giftSend, req))) as { txId: string }).txId;
      } catch (error) {
        const code = LiveroomError.from(error).code;
        if (code === 'INSUFFICIENT_FUNDS') answer = code;
      }
      if (answer !== null) answers.set(req.gift.idempotencyKey, [...(answers.get(req.gift.idempotencyKey) ?? []), answer]);
    };
    const pauser = new Redis(REDIS_URL);
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const i = next++;
        if (kills.has(i) && child) {
          child.kill('SIGKILL');
          await once(child, 'exit');
          child = await spawnGifting(port);
        }
        // Redis stops answering everyone (this test's client, the service, its relay) for a while.
        if (i === pauseAt) await pauser.call('CLIENT', 'PAUSE', String(REDIS_PAUSE_MS), 'ALL');
        // ...and, later, drops their connections for a while (the load goes on meanwhile).
        if (i === dropAt) dropping = dropConnections(pauser, GIFTING_SERVICE, REDIS_DROP_MS, REDIS_DROP_EVERY_MS);
        const req = requests[i] as (typeof requests)[number];
        // Every 10th request goes twice at once, with the same key.
        await Promise.all(i % 10 === 0 ? [call(req), call(req)] : [call(req)]);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    expect(await dropping).toBeGreaterThan(0);
    pauser.disconnect();
    // The kills and the outage left requests unanswered; retry each with its key: it gets its one answer now.
    const unanswered = requests.filter((req) => !answers.has(req.gift.idempotencyKey));
    expect(unanswered.length).toBeGreaterThan(0);
    for (const req of unanswered) await call(req);
    expect(answers.size).toBe(requests.length);
    // A key answered more than once (concurrent duplicates, retries) got the same answer each time.
    for (const [key, got] of answers) expect([key, new Set(got).size]).toEqual([key, 1]);
    const final = new Map([...answers].map(([key, got]) => [key, got[0] as string]));
    expect([...final.values()].filter((v) => v === 'INSUFFICIENT_FUNDS').length).toBeGreaterThan(0);

    await waitFor(async () => (await g.ledger.check({})).undispatchedOutbox === 0, 20_000, 'outbox drained');
    const committed = (await g.db.query(`SELECT id FROM ledger_tx WHERE kind = 'gift'`)) as { id: string }[];
    const outbox = (await g.db.query(`SELECT tx_id FROM gift_outbox`)) as { tx_id: string }[];
    const events = await giftEvents(g, 'chaos');
    const ids = new Set(committed.map((c) => c.id));
    expect(outbox.length).toBe(committed.length);
    expect(events.length).toBe(committed.length);
    expect(new Set(events.map((e) => e.txId))).toEqual(ids);
    const okTx = [...final.values()].filter((v) => v !== 'INSUFFICIENT_FUNDS');
    expect(new Set(okTx)).toEqual(ids);
    expect(new Set(okTx).size).toBe(okTx.length);
    const check = await g.ledger.check({});
    expect(check).toMatchObject({ balanced: true, mismatches: [], undispatchedOutbox: 0, oldestUndispatchedMs: null });
    const board = await g.leaderboard.top({ roomId: 'chaos', limit: 100 });
    expect(board.reduce((s, r) => s + r.value, 0)).toBe(events.reduce((s, e) => s + e.value, 0));
  });
});
