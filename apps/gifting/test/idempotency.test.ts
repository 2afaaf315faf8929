import { Gifting, cleanup, codeOf, isolation } from './harness.js';

const env = isolation();
let g: Gifting;

beforeAll(async () => {
  g = await Gifting.start({ DATABASE_URL: env.DATABASE_URL, KEY_PREFIX: env.KEY_PREFIX, OUTBOX_RELAY: '0' });
  await g.openRoom('r1', 'host1');
  await g.openRoom('r2', 'host2');
});

afterAll(async () => {
  await g.close();
  await cleanup(env);
});

async function txCount(userId: string): Promise<number> {
  const [row] = (await g.db.query(`SELECT COUNT(*)::int AS n FROM ledger_tx WHERE user_id = $1 AND kind = 'gift'`, [userId])) as { n: number }[];
  return row?.n ?? -1;
}

describe('idempotency per (userId, idempotencyKey)', () => {
  it('replays a success without charging again, even after the room ended', async () => {
    await g.credit('a', 500);
    const first = await g.send('a', { roomId: 'r1', giftId: 'rocket', count: 2, idempotencyKey: 'key-replay-1' });
    expect(first.balance).toBe(300);
    await g.credit('a', 1000);
    const again = await g.send('a', { roomId: 'r1', giftId: 'rocket', count: 2, idempotencyKey: 'key-replay-1' });
    expect(again).toEqual(first);
    await g.redis.hset(g.keys.roomMeta('r1'), 'live', '0');
    expect(await g.send('a', { roomId: 'r1', giftId: 'rocket', count: 2, idempotencyKey: 'key-replay-1' })).toEqual(first);
    await g.redis.hset(g.keys.roomMeta('r1'), 'live', '1');
    expect((await g.wallets.get({ userId: 'a' })).balance).toBe(1300);
    expect(await txCount('a')).toBe(1);
  });

  it('replays INSUFFICIENT_FUNDS for the same key even after a top-up', async () => {
    await g.credit('b', 50);
    expect(await codeOf(g.send('b', { roomId: 'r1', giftId: 'rocket', count: 1, idempotencyKey: 'key-poor-1' }))).toBe('INSUFFICIENT_FUNDS');
    await g.credit('b', 1000);
    expect(await codeOf(g.send('b', { roomId: 'r1', giftId: 'rocket', count: 1, idempotencyKey: 'key-poor-1' }))).toBe('INSUFFICIENT_FUNDS');
    expect((await g.wallets.get({ userId: 'b' })).balance).toBe(1050);
    // A new key is a new request.
    expect((await g.send('b', { roomId: 'r1', giftId: 'rocket', count: 1, idempotencyKey: 'key-poor-2' })).balance).toBe(950);
  });

  it('answers IDEMPOTENCY_CONFLICT for the same key with other parameters', async () => {
    await g.credit('c', 1000);
    await g.send('c', { roomId: 'r1', giftId: 'heart', count: 1, idempotencyKey: 'key-conflict' });
    expect(await codeOf(g.send('c', { roomId: 'r2', giftId: 'heart', count: 1, idempotencyKey: 'key-conflict' }))).toBe('IDEMPOTENCY_CONFLICT');
    expect(await codeOf(g.send('c', { roomId: 'r1', giftId: 'rocket', count: 1, idempotencyKey: 'key-conflict' }))).toBe('IDEMPOTENCY_CONFLICT');
    expect(await codeOf(g.send('c', { roomId: 'r1', giftId: 'heart', count: 2, idempotencyKey: 'key-conflict' }))).toBe('IDEMPOTENCY_CONFLICT');
    // Keys are per user: another user may use the same key.
    await g.credit('d', 10);
    expect((await g.send('d', { roomId: 'r1', giftId: 'heart', count: 1, idempotencyKey: 'key-conflict' })).balance).toBe(9);
    expect((await g.wallets.get({ userId: 'c' })).balance).toBe(999);
  });

  it('charges once for 20 concurrent duplicates', async () => {
    await g.credit('e', 1000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => g.send('e', { roomId: 'r1', giftId: 'rocket', count: 3, idempotencyKey: 'key-concurrent' })),
    );
    expect(new Set(results.map((r) => r.txId)).size).toBe(1);
    expect(results.every((r) => r.balance === 700)).toBe(true);
    expect((await g.wallets.get({ userId: 'e' })).balance).toBe(700);
    expect(await txCount('e')).toBe(1);
    const [outbox] = (await g.db.query(`SELECT COUNT(*)::int AS n FROM gift_outbox WHERE tx_id = $1`, [results[0]?.txId])) as { n: number }[];
    expect(outbox?.n).toBe(1);
  });

  it('makes top-ups idempotent the same way', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => g.credit('f', 250, 'topup-key-1')));
    expect(new Set(results.map((r) => r.txId)).size).toBe(1);
    expect((await g.wallets.get({ userId: 'f' })).balance).toBe(250);
    expect(await codeOf(g.credit('f', 300, 'topup-key-1'))).toBe('IDEMPOTENCY_CONFLICT');
    expect((await g.credit('f', 250, 'topup-key-1')).balance).toBe(250);
    expect((await g.credit('f', 250, 'topup-key-2')).balance).toBe(500);
  });

  it('leaves a balanced ledger', async () => {
    expect(await g.ledger.check({})).toMatchObject({ balanced: true, mismatches: [] });
  });
});
