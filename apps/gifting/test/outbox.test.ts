import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Gifting, cleanup, giftEvents, isolation, waitFor } from './harness.js';

const env = isolation();
const base = { DATABASE_URL: env.DATABASE_URL, KEY_PREFIX: env.KEY_PREFIX };

afterAll(async () => {
  await cleanup(env);
});

async function undispatched(g: Gifting): Promise<number> {
  return (await g.ledger.check({})).undispatchedOutbox;
}

describe('outbox relay', () => {
  it('announces each gift exactly once, also across a second pass and a restart', async () => {
    let g = await Gifting.start({ ...base, OUTBOX_RELAY: '0' });
    await g.openRoom('r1', 'host1');
    await g.credit('u1', 10_000);
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await g.send('u1', { roomId: 'r1', giftId: 'rocket', count: i + 1 }));
    expect(await giftEvents(g, 'r1')).toEqual([]);
    expect(await g.relay.runOnce()).toEqual({ dispatched: 5, taken: 5, failed: false });
    expect(await g.relay.runOnce()).toEqual({ dispatched: 0, taken: 0, failed: false });
    const events = await giftEvents(g, 'r1');
    expect(events.map((e) => e.txId)).toEqual(sent.map((s) => s.txId));
    expect(events.map((e) => e.value)).toEqual([100, 200, 300, 400, 500]);
    // A crash after the append and before the mark: the row is undispatched again, the dedupe key holds.
    await g.db.query(`UPDATE gift_outbox SET dispatched_at = NULL`);
    await g.close();
    g = await Gifting.start({ ...base, OUTBOX_RELAY: '0' });
    expect(await g.relay.runOnce()).toMatchObject({ dispatched: 5, failed: false });
    expect((await giftEvents(g, 'r1')).map((e) => e.txId)).toEqual(sent.map((s) => s.txId));
    // ... and the leaderboard counted each gift once.
    expect(await g.leaderboard.top({ roomId: 'r1', limit: 10 })).toEqual([{ userId: 'u1', name: 'name-u1', value: 1500 }]);
    await g.close();
  });

  it('announces a round with several rooms: each room in commit order, one leaderboard each', async () => {
    const g = await Gifting.start({ ...base, OUTBOX_RELAY: '0' });
    await g.openRoom('r7', 'host7');
    await g.openRoom('r8', 'host8');
    await g.credit('u7', 10_000);
    await g.credit('u8', 10_000);
    const sent: { roomId: string; txId: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const roomId = i % 3 === 0 ? 'r8' : 'r7';
      const { txId } = await g.send(i % 2 === 0 ? 'u7' : 'u8', { roomId, giftId: 'heart', count: 1 });
      sent.push({ roomId, txId });
    }
    expect(await g.relay.runOnce()).toEqual({ dispatched: 6, taken: 6, failed: false });
    for (const roomId of ['r7', 'r8']) {
      const events = await giftEvents(g, roomId);
      expect(events.map((e) => e.txId)).toEqual(sent.filter((s) => s.roomId === roomId).map((s) => s.txId));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => events[0]!.seq + i));
    }
    const [r7, r8] = await Promise.all(['r7', 'r8'].map((roomId) => g.leaderboard.top({ roomId, limit: 10 })));
    expect(r7!.map((u) => u.value).reduce((a, b) => a + b, 0)).toBe(4);
    expect(r8!.map((u) => u.value).reduce((a, b) => a + b, 0)).toBe(2);
    await g.close();
  });

  it('leaves a row that is not a gift event undispatched, without holding up its room or backing off', async () => {
    const g = await Gifting.start({ ...base, OUTBOX_RELAY: '0' });
    try {
      await g.openRoom('r-bad', 'host1');
      await g.credit('u-bad', 10_000);
      const sent = [];
      for (let i = 0; i < 3; i++) sent.push(await g.send('u-bad', { roomId: 'r-bad', giftId: 'rose', count: 1 }));
      // Tampered by hand: no longer a gift event.
      const [original] = (await g.db.query(`SELECT event FROM gift_outbox WHERE tx_id = $1`, [sent[1]!.txId])) as { event: object }[];
      await g.db.query(`UPDATE gift_outbox SET event = '{"type":"gift","txId":42}' WHERE tx_id = $1`, [sent[1]!.txId]);
      expect(await g.relay.runOnce()).toEqual({ dispatched: 2, taken: 3, failed: false });
      expect((await giftEvents(g, 'r-bad')).map((e) => e.txId)).toEqual([sent[0]!.txId, sent[2]!.txId]);
      expect(await undispatched(g)).toBe(1);
      const [row] = (await g.db.query(`SELECT attempts FROM gift_outbox WHERE tx_id = $1`, [sent[1]!.txId])) as { attempts: number }[];
      expect(row?.attempts).toBe(1);
      // Repaired, it is announced by the next round (after its room's later gift: it was held back).
      await g.db.query(`UPDATE gift_outbox SET event = $2 WHERE tx_id = $1`, [sent[1]!.txId, JSON.stringify(original!.event)]);
      expect(await g.relay.runOnce()).toEqual({ dispatched: 1, taken: 1, failed: false });
      expect(await undispatched(g)).toBe(0);
    } finally {
      await g.close();
    }
  });

  it('dispatches a row that commits after a later one', async () => {
    const g = await Gifting.start({ ...base, OUTBOX_RELAY: '0' });
    await g.openRoom('r2', 'host2');
    // A gift transaction that started first and commits last (its created_at is older).
    const slow = new pg.Client({ connectionString: env.DATABASE_URL });
    await slow.connect();
    const lateTx = randomUUID();
    await slow.query('BEGIN');
    await slow.query(`INSERT INTO ledger_tx (id, kind, user_id, room_id, host_id, gift_id, count, value) VALUES ($1, 'gift', 'late', 'r2', 'host2', 'heart', 1, 1)`, [lateTx]);
    await slow.query(`INSERT INTO gift_outbox (tx_id, room_id, event) VALUES ($1, 'r2', $2)`, [
      lateTx,
      JSON.stringify({ type: 'gift', txId: lateTx, userId: 'late', name: 'Late', giftId: 'heart', giftName: 'Heart', count: 1, value: 1 }),
    ]);
    await g.credit('u2', 100);
    const early = await g.send('u2', { roomId: 'r2', giftId: 'heart', count: 1 });
    expect(await g.relay.runOnce()).toMatchObject({ dispatched: 1 });
    await slow.query('COMMIT');
    await slow.end();
    expect(await g.relay.runOnce()).toMatchObject({ dispatched: 1 });
    expect((await giftEvents(g, 'r2')).map((e) => e.txId)).toEqual([early.txId, lateTx]);
    await g.close();
  });

  it('runs by itself (LISTEN/NOTIFY), with two relays sharing the work and no duplicate', async () => {
    const a = await Gifting.start({ ...base, OUTBOX_RELAY: '1', OUTBOX_POLL_MS: '60000' });
    const b = await Gifting.start({ ...base, OUTBOX_RELAY: '1', OUTBOX_POLL_MS: '60000', OUTBOX_BATCH_SIZE: '3' });
    await a.openRoom('r3', 'host3');
    await a.credit('u3', 100_000);
    await b.credit('u4', 100_000);
    try {
      const sent = await Promise.all(
        Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).send(i % 2 ? 'u3' : 'u4', { roomId: 'r3', giftId: 'rocket', count: 1 })),
      );
      // The poll is 60 s: only NOTIFY can make this quick.
      await waitFor(async () => (await undispatched(a)) === 0, 10_000, 'the outbox to drain');
      const events = await giftEvents(a, 'r3');
      expect(events).toHaveLength(60);
      expect(new Set(events.map((e) => e.txId))).toEqual(new Set(sent.map((s) => s.txId)));
      const board = await a.leaderboard.top({ roomId: 'r3', limit: 10 });
      expect(board.map((r) => r.value)).toEqual([3000, 3000]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('wakes the relay of another process (NOTIFY after the commit) when the sender runs none', async () => {
    const sender = await Gifting.start({ ...base, OUTBOX_RELAY: '0' });
    const relay = await Gifting.start({ ...base, OUTBOX_RELAY: '1', OUTBOX_POLL_MS: '60000' });
    await sender.openRoom('r5', 'host5');
    await sender.credit('u6', 100_000);
    try {
      // Let the relay's first round (at LISTEN) pass: from here on only a NOTIFY can wake it in time.
      await new Promise((r) => setTimeout(r, 300));
      const sent = await Promise.all(Array.from({ length: 20 }, () => sender.send('u6', { roomId: 'r5', giftId: 'rose', count: 1 })));
      await waitFor(async () => (await giftEvents(relay, 'r5')).length === 20, 10_000, 'the other process to announce');
      expect(new Set((await giftEvents(relay, 'r5')).map((e) => e.txId))).toEqual(new Set(sent.map((s) => s.txId)));
    } finally {
      await Promise.all([sender.close(), relay.close()]);
    }
  });

  it('retries while Redis refuses, then announces once', async () => {
    const g = await Gifting.start({ ...base, OUTBOX_RELAY: '0' });
    await g.openRoom('r4', 'host4');
    await g.credit('u5', 100);
    const sent = await g.send('u5', { roomId: 'r4', giftId: 'heart', count: 1 });
    // Stand-in for a Redis outage: the room log's script fails for this round.
    const log = (g.relay as unknown as { roomLog: { appendMany: (...a: unknown[]) => Promise<unknown> } }).roomLog;
    const real = log.appendMany.bind(log);
    log.appendMany = () => Promise.reject(new Error('Connection is closed.'));
    expect(await g.relay.runOnce()).toEqual({ dispatched: 0, taken: 1, failed: true });
    log.appendMany = real;
    expect(await g.relay.runOnce()).toEqual({ dispatched: 1, taken: 1, failed: false });
    expect((await giftEvents(g, 'r4')).map((e) => e.txId)).toEqual([sent.txId]);
    const [row] = (await g.db.query(`SELECT attempts, seq::int AS seq FROM gift_outbox WHERE tx_id = $1`, [sent.txId])) as { attempts: number; seq: number }[];
    expect(row).toEqual({ attempts: 2, seq: 1 });
    expect(await g.ledger.check({})).toMatchObject({ balanced: true, mismatches: [], undispatchedOutbox: 0, oldestUndispatchedMs: null });
    await g.close();
  });
});
