import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { pgPoolOf } from '#persistence';
import { GiftBatcher, type GiftOrder } from '../src/gifts/gift-batcher.js';
import type { StoredRow } from '../src/idempotency/idempotency.service.js';
import { Gifting, cleanup, isolation } from './harness.js';

/**
 * gifting_send_gifts through GiftBatcher against the real PostgreSQL: batches of many gifts, each with
 * its own outcome, duplicates inside one batch and across concurrent batches (charged once), and a
 * gift that fails the statement failing alone.
 */
const env = isolation();
let g: Gifting;

beforeAll(async () => {
  g = await Gifting.start({ DATABASE_URL: env.DATABASE_URL, KEY_PREFIX: env.KEY_PREFIX, OUTBOX_RELAY: '0' });
});

afterAll(async () => {
  await g.close();
  await cleanup(env);
});

const pool = (): pg.Pool => pgPoolOf(g.db);

function order(userId: string, key: string, value: number, extra: Partial<GiftOrder> = {}): GiftOrder {
  const txId = randomUUID();
  return {
    userId,
    key,
    request: JSON.stringify({ roomId: 'r1', giftId: 'rose', value }),
    roomId: 'r1',
    hostId: 'host-b',
    giftId: 'rose',
    count: 1,
    value,
    hostAmount: Math.floor(value / 2),
    platformAmount: value - Math.floor(value / 2),
    txId,
    event: JSON.stringify({ type: 'gift', txId, userId, name: userId, giftId: 'rose', giftName: 'Rose', count: 1, value }),
    ...extra,
  };
}

async function balance(userId: string): Promise<number> {
  const [row] = (await g.db.query(`SELECT balance::int AS b FROM wallets WHERE user_id = $1`, [userId])) as { b: number }[];
  return row?.b ?? -1;
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const [row] = (await g.db.query(sql, params)) as { n: number }[];
  return row?.n ?? -1;
}

const txId = (row: StoredRow): string | undefined => (row.result as { txId?: string } | null)?.txId;

it('writes a batch of many senders in one statement, each gift with its own outcome', async () => {
  const batcher = new GiftBatcher(pool, { maxBatch: 100, maxInFlight: 1 });
  const users = Array.from({ length: 40 }, (_, i) => `bu${i}`);
  for (const u of users) await g.credit(u, 100);
  // Even senders can pay 60, odd ones are asked 150 (more than they have).
  const orders = users.map((u, i) => order(u, `k-${u}`, i % 2 === 0 ? 60 : 150));
  const rows = await Promise.all(orders.map((o) => batcher.submit(o)));
  rows.forEach((row, i) => {
    if (i % 2 === 0) expect(row.result).toEqual({ txId: orders[i]!.txId, balance: 40 });
    else expect(row).toMatchObject({ result: null, error_code: 'INSUFFICIENT_FUNDS' });
  });
  for (const [i, u] of users.entries()) expect(await balance(u)).toBe(i % 2 === 0 ? 40 : 100);
  const mine = orders.filter((_, i) => i % 2 === 0).map((o) => o.txId);
  expect(await count(`SELECT COUNT(*)::int AS n FROM gift_outbox WHERE tx_id = ANY($1::uuid[])`, [mine])).toBe(20);
  expect(await count(`SELECT COALESCE(SUM(amount), 0)::int AS n FROM ledger_entries WHERE tx_id = ANY($1::uuid[])`, [mine])).toBe(0);
  expect(await count(`SELECT COALESCE(SUM(amount), 0)::int AS n FROM ledger_entries WHERE account_id = 'host:host-b'`, [])).toBe(20 * 30);
});

it('sends the same (user, key) once per batch: every copy gets the first record, one charge', async () => {
  const batcher = new GiftBatcher(pool, { maxBatch: 100, maxInFlight: 1 });
  await g.credit('dup1', 100);
  const copies = Array.from({ length: 5 }, () => order('dup1', 'same-key', 10));
  const rows = await Promise.all(copies.map((o) => batcher.submit(o)));
  expect(new Set(rows.map(txId)).size).toBe(1);
  expect(txId(rows[0]!)).toBe(copies[0]!.txId);
  expect(await balance('dup1')).toBe(90);
});

it('charges once for duplicates racing in concurrent batches', async () => {
  await g.credit('race1', 1000);
  // Two batchers, i.e. two statements in flight at once holding the same keys among other gifts.
  const a = new GiftBatcher(pool, { maxBatch: 100, maxInFlight: 1 });
  const b = new GiftBatcher(pool, { maxBatch: 100, maxInFlight: 1 });
  for (const u of ['race2', 'race3']) await g.credit(u, 1000);
  const keys = Array.from({ length: 10 }, (_, i) => `race-key-${i}`);
  const fromA = keys.map((k) => a.submit(order('race1', k, 10)));
  const fromB = keys.map((k) => b.submit(order('race1', k, 10)));
  const others = [a.submit(order('race2', 'x', 10)), b.submit(order('race3', 'y', 10))];
  const [rowsA, rowsB] = await Promise.all([Promise.all(fromA), Promise.all(fromB), Promise.all(others)]);
  rowsA.forEach((row, i) => expect(txId(row)).toBe(txId(rowsB[i]!)));
  expect(await balance('race1')).toBe(1000 - 10 * 10);
  expect(await count(`SELECT COUNT(*)::int AS n FROM ledger_tx WHERE user_id = 'race1' AND kind = 'gift'`, [])).toBe(10);
  expect(await balance('race2')).toBe(990);
  expect(await balance('race3')).toBe(990);
});

it('fails only the gift that breaks the statement; the rest of its batch commits', async () => {
  const batcher = new GiftBatcher(pool, { maxBatch: 100, maxInFlight: 1 });
  const users = Array.from({ length: 11 }, (_, i) => `split${i}`);
  for (const u of users) await g.credit(u, 100);
  // One of eleven does not sum to its value: the statement fails, the batch is halved until it is alone.
  const orders = users.map((u, i) => order(u, `k-${u}`, 10, i === 6 ? { hostAmount: 9, platformAmount: 9 } : {}));
  const outcomes = await Promise.allSettled(orders.map((o) => batcher.submit(o)));
  outcomes.forEach((outcome, i) => {
    if (i === 6) expect(outcome.status).toBe('rejected');
    else expect(outcome).toMatchObject({ status: 'fulfilled', value: { result: { txId: orders[i]!.txId, balance: 90 } } });
  });
  expect(await balance('split6')).toBe(100);
  expect(await count(`SELECT COUNT(*)::int AS n FROM idempotency_keys WHERE user_id = 'split6' AND scope = 'gift'`, [])).toBe(0);
  expect(await count(`SELECT COUNT(*)::int AS n FROM ledger_tx WHERE user_id LIKE 'split%' AND kind = 'gift'`, [])).toBe(10);
});
