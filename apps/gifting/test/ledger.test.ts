import { randomUUID } from 'node:crypto';
import { Gifting, cleanup, codeOf, isolation } from './harness.js';

/** Rejects if `work` has not settled within ms: a blocked statement fails the test instead of hanging it. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)));
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

const env = isolation();
let g: Gifting;

beforeAll(async () => {
  g = await Gifting.start({ DATABASE_URL: env.DATABASE_URL, KEY_PREFIX: env.KEY_PREFIX, OUTBOX_RELAY: '0', HOST_SHARE: '0.5' });
  await g.openRoom('r1', 'host1');
});

afterAll(async () => {
  await g.close();
  await cleanup(env);
});

describe('ledger (real PostgreSQL)', () => {
  it('serves the seeded catalog and a zero wallet for unknown users', async () => {
    const catalog = await g.gifts.list({});
    expect(catalog.map((c) => [c.id, c.price])).toEqual(expect.arrayContaining([['heart', 1], ['rocket', 100], ['castle', 10000]]));
    expect(await g.wallets.get({ userId: 'nobody' })).toEqual({ userId: 'nobody', balance: 0 });
  });

  it('writes double entries that sum to zero, with the host share floored', async () => {
    expect((await g.credit('u1', 1000)).balance).toBe(1000);
    const res = await g.send('u1', { roomId: 'r1', giftId: 'heart', count: 3 });
    expect(res.balance).toBe(997);
    const entries = (await g.db.query(`SELECT account_id, amount::int AS amount FROM ledger_entries WHERE tx_id = $1 ORDER BY amount`, [
      res.txId,
    ])) as { account_id: string; amount: number }[];
    expect(entries).toEqual([
      { account_id: 'wallet:u1', amount: -3 },
      { account_id: 'host:host1', amount: 1 },
      { account_id: 'platform:revenue', amount: 2 },
    ]);
    const [tx] = (await g.db.query(`SELECT kind, room_id, host_id, gift_id, count, value::int AS value FROM ledger_tx WHERE id = $1`, [res.txId])) as {
      value: number;
    }[];
    expect(tx).toMatchObject({ kind: 'gift', room_id: 'r1', host_id: 'host1', gift_id: 'heart', count: 3, value: 3 });
    expect(await g.wallets.get({ userId: 'u1' })).toEqual({ userId: 'u1', balance: 997 });
  });

  it('refuses unknown rooms, ended rooms, unknown gifts and bad payloads', async () => {
    await g.credit('u2', 50);
    expect(await codeOf(g.send('u2', { roomId: 'nope', giftId: 'heart', count: 1 }))).toBe('ROOM_NOT_FOUND');
    await g.redis.hset(g.keys.roomMeta('ended'), { hostId: 'h', live: '0' });
    expect(await codeOf(g.send('u2', { roomId: 'ended', giftId: 'heart', count: 1 }))).toBe('ROOM_ENDED');
    expect(await codeOf(g.send('u2', { roomId: 'r1', giftId: 'unicorn', count: 1 }))).toBe('GIFT_NOT_FOUND');
    expect(await codeOf(g.send('u2', { roomId: 'r1', giftId: 'heart', count: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf((async () => g.gifts.send({ actor: { userId: 'u2' }, gift: {} }))())).toBe('INVALID_ARGUMENT');
    expect(await codeOf(g.send('u2', { roomId: 'r1', giftId: 'rocket', count: 1 }))).toBe('INSUFFICIENT_FUNDS');
    expect(await codeOf(g.send('broke', { roomId: 'r1', giftId: 'heart', count: 1 }))).toBe('INSUFFICIENT_FUNDS');
    expect((await g.wallets.get({ userId: 'u2' })).balance).toBe(50);
  });

  it('never goes negative under 50 concurrent overspends from one wallet', async () => {
    await g.credit('spender', 1000);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => g.send('spender', { roomId: 'r1', giftId: 'rocket', count: 1 })));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) expect(await codeOf(Promise.reject((r as PromiseRejectedResult).reason))).toBe('INSUFFICIENT_FUNDS');
    expect((await g.wallets.get({ userId: 'spender' })).balance).toBe(0);
    const balances = ok.map((r) => (r as PromiseFulfilledResult<{ balance: number }>).value.balance).sort((a, b) => a - b);
    expect(balances).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('has a CHECK constraint that refuses a negative wallet even from a buggy writer', async () => {
    await expect(g.db.query(`UPDATE wallets SET balance = -1 WHERE user_id = 'spender'`)).rejects.toThrow(/wallets_balance_non_negative/);
  });

  it('keeps a hot host append-only: host balance is the sum of its entries, no stored row', async () => {
    await g.credit('fan', 10_000);
    await Promise.all(Array.from({ length: 20 }, () => g.send('fan', { roomId: 'r1', giftId: 'rocket', count: 1 })));
    const [row] = (await g.db.query(`SELECT COALESCE(SUM(amount), 0)::int AS sum FROM ledger_entries WHERE account_id = 'host:host1'`)) as { sum: number }[];
    expect(row?.sum).toBe(1 + 20 * 50 + 10 * 50);
    expect(await g.db.query(`SELECT 1 FROM wallets WHERE user_id = 'host1'`)).toEqual([]);
  });

  it('reports a clean ledger check after the mixed run', async () => {
    const check = await g.ledger.check({});
    expect(check).toMatchObject({ balanced: true, mismatches: [] });
    expect(check.totalDebits).toBe(check.totalCredits);
    expect(check.totalCredits).toBeGreaterThan(0);
    // platform:revenue, platform:cashin, host:host1, wallets u1, u2, spender, fan
    expect(check.accounts).toBe(7);
    // The relay is off in this file: every gift is still waiting in the outbox.
    expect(check.undispatchedOutbox).toBe(1 + 10 + 20);
    expect(check.oldestUndispatchedMs).toBeGreaterThanOrEqual(0);
  });

  it('detects a tampered wallet in the ledger check', async () => {
    await g.db.query(`UPDATE wallets SET balance = balance + 5 WHERE user_id = 'fan'`);
    const check = await g.ledger.check({});
    expect(check.mismatches).toEqual([{ accountId: 'wallet:fan', balance: 8005, entriesSum: 8000 }]);
    await g.db.query(`UPDATE wallets SET balance = balance - 5 WHERE user_id = 'fan'`);
  });
  it('refuses to edit or remove ledger rows: corrections are new transfers', async () => {
    await expect(g.db.query(`UPDATE ledger_entries SET amount = amount + 1 WHERE account_id = 'wallet:fan'`)).rejects.toThrow(/append-only/);
    await expect(g.db.query(`DELETE FROM ledger_entries WHERE account_id = 'host:host1'`)).rejects.toThrow(/append-only/);
    await expect(g.db.query(`UPDATE ledger_tx SET value = 1`)).rejects.toThrow(/append-only/);
    await expect(g.db.query(`TRUNCATE ledger_entries, ledger_tx CASCADE`)).rejects.toThrow(/append-only/);
    expect((await g.ledger.check({})).balanced).toBe(true);
  });

  it('lets a gift to a host commit while another gift to the same host is still uncommitted (no host row lock)', async () => {
    await g.credit('held-fan', 1000);
    await g.credit('free-fan', 1000);
    const held = g.db.createQueryRunner();
    await held.connect();
    try {
      await held.startTransaction();
      // A gift to host1 written and not committed: with a stored host balance its row would stay locked.
      const [written] = (await held.query(
        `SELECT error_code FROM gifting_send_gifts($1::varchar[], $2::varchar[], $3::text[], $4::varchar[], $5::varchar[], $6::varchar[],
           $7::int[], $8::bigint[], $9::bigint[], $10::bigint[], $11::uuid[], $12::text[])`,
        [['held-fan'], ['held-key-1'], ['{"held":1}'], ['r1'], ['host1'], ['rocket'], [1], [100], [50], [50], [randomUUID()], ['{"type":"gift"}']],
      )) as { error_code: string | null }[];
      expect(written?.error_code).toBeNull();
      const other = await withDeadline(g.send('free-fan', { roomId: 'r1', giftId: 'rocket', count: 1 }), 5000);
      expect(other.balance).toBe(900);
      const waiting = (await g.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`)) as { n: number }[];
      expect(waiting[0]?.n).toBe(0);
    } finally {
      await held.rollbackTransaction().catch(() => undefined);
      await held.release();
    }
    expect((await g.wallets.get({ userId: 'held-fan' })).balance).toBe(1000);
  });
});
