import { connect, createRoom, StreamRecorder, TestSystem, tokenFor } from '#testing';

/** PROTOCOL §4 gift:send and the wallet/gift/ledger endpoints of §7, through a real gateway. */
const system = new TestSystem({ gateways: 1, barrages: 1 });
let url: string;
let admin: string;
const sockets = system.useInTests();

const http = async (method: string, path: string, token?: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
};

beforeAll(async () => {
  url = system.gateways[0]!.url;
  admin = await tokenFor('root', { roles: ['admin'] });
});

it('tops up, sends gifts, announces each once, ranks gifters and keeps the ledger balanced', async () => {
  const gifts = await http('GET', '/v1/gifts');
  expect(gifts.status).toBe(200);
  expect(gifts.body.length).toBeGreaterThanOrEqual(3);
  const cheapest = [...(gifts.body as { id: string; price: number }[])].sort((a, b) => a.price - b.price)[0]!;

  const fanToken = await tokenFor('fan', { name: 'Fan' });
  expect((await http('POST', '/v1/admin/wallets/fan/credits', fanToken, { amount: 1000, idempotencyKey: 'topup-0001' })).status).toBe(403);
  const topUp = await http('POST', '/v1/admin/wallets/fan/credits', admin, { amount: 1000, idempotencyKey: 'topup-0001' });
  expect(topUp).toMatchObject({ status: 200, body: { txId: expect.any(String), balance: 1000 } });
  expect(await http('POST', '/v1/admin/wallets/fan/credits', admin, { amount: 1000, idempotencyKey: 'topup-0001' })).toEqual(topUp);
  expect((await http('GET', '/v1/wallet', fanToken)).body).toEqual({ userId: 'fan', balance: 1000 });
  expect((await http('GET', '/v1/wallet')).status).toBe(401);

  const room = await createRoom(url, await tokenFor('host'));
  const fan = await connect(url, fanToken);
  sockets.push(fan);
  const rec = new StreamRecorder(fan, room.id);
  await rec.join();
  const gift = { roomId: room.id, giftId: cheapest.id, count: 3, idempotencyKey: 'gift-key-0001' };
  const sent = await fan.emitWithAck('gift:send', gift);
  expect(sent).toEqual({ ok: true, txId: expect.any(String), balance: 1000 - 3 * cheapest.price });
  expect(await fan.emitWithAck('gift:send', gift)).toEqual(sent);
  expect(await fan.emitWithAck('gift:send', { ...gift, count: 4 })).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
  expect(await fan.emitWithAck('gift:send', { ...gift, giftId: 'no-such-gift', idempotencyKey: 'gift-key-0002' })).toMatchObject({ error: { code: 'GIFT_NOT_FOUND' } });
  expect(await fan.emitWithAck('gift:send', { ...gift, count: 9999, idempotencyKey: 'gift-key-0003' })).toMatchObject({ error: { code: 'INSUFFICIENT_FUNDS' } });
  expect(await fan.emitWithAck('gift:send', { ...gift, idempotencyKey: 'short' })).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });

  await rec.until(1);
  expect(rec.events).toEqual([
    expect.objectContaining({ seq: 1, type: 'gift', txId: sent.txId, userId: 'fan', name: 'Fan', giftId: cheapest.id, count: 3, value: 3 * cheapest.price }),
  ]);
  let board = await http('GET', `/v1/rooms/${room.id}/leaderboard?limit=10`);
  for (let i = 0; i < 50 && board.body.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100)); // the relay updates it right after announcing
    board = await http('GET', `/v1/rooms/${room.id}/leaderboard?limit=10`);
  }
  expect(board.body).toEqual([{ userId: 'fan', name: 'Fan', value: 3 * cheapest.price }]);
  expect((await http('GET', '/v1/rooms/r_missing/leaderboard')).status).toBe(404);

  const check = await http('GET', '/v1/admin/ledger/check', admin);
  expect(check.body).toMatchObject({ balanced: true, mismatches: [], undispatchedOutbox: 0 });
  expect((await http('GET', '/v1/admin/ledger/check', fanToken)).status).toBe(403);
});
