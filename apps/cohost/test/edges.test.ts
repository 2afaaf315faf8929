import { connect, TestSystem } from '#testing';
import { call, join, party, sessionOf, updateFor } from './harness.js';

/**
 * PROTOCOL §5 edges the state-machine test leaves out: anonymous callers, unknown sessions on every
 * action, the other side answering or the initiator cancelling an invite, a pending guest banned,
 * the default seat limit (3), and the 16 KiB bound of signal data through a real gateway (§1 closes
 * connections on payloads over 16 KiB; a signal's envelope must not make 16 KiB of data fail).
 */
const system = new TestSystem({ gateways: 2, cohost: true, gifting: false });
const sockets = system.useInTests();

it('answers UNAUTHORIZED to anonymous viewers on every co-host action', async () => {
  const roomId = await system.liveRoom('eh1');
  const anon = await connect(system.gateways[0]!.url);
  sockets.push(anon);
  expect(await anon.emitWithAck('room:join', { roomId })).toMatchObject({ ok: true });
  const sessionId = `${roomId}~000000000abcdefgh`;
  const attempts: [string, object][] = [
    ['cohost:request', { roomId }],
    ['cohost:invite', { roomId, userId: 'x' }],
    ['cohost:accept', { sessionId }],
    ['cohost:reject', { sessionId }],
    ['cohost:cancel', { sessionId }],
    ['cohost:end', { sessionId }],
    ['cohost:signal', { sessionId, data: {} }],
  ];
  for (const [event, payload] of attempts) {
    expect([event, await anon.emitWithAck(event, payload)]).toEqual([event, { ok: false, error: expect.objectContaining({ code: 'UNAUTHORIZED' }) }]);
  }
});

it('answers SESSION_NOT_FOUND for an unknown session on every session action', async () => {
  const roomId = await system.liveRoom('eh2');
  const user = await party(system, 'eu2', 1, sockets);
  const sessionId = `${roomId}~000000000abcdefgh`;
  for (const event of ['cohost:accept', 'cohost:reject', 'cohost:cancel', 'cohost:end']) {
    expect([event, await call(user, event, { sessionId })]).toEqual([event, { ok: false, error: expect.objectContaining({ code: 'SESSION_NOT_FOUND' }) }]);
  }
  expect(await call(user, 'cohost:signal', { sessionId, data: { type: 'offer' } })).toMatchObject({ ok: false, error: { code: 'SESSION_NOT_FOUND' } });
});

it('the guest rejects an invite, the host cancels one; both parties hear of each', async () => {
  const roomId = await system.liveRoom('eh3');
  const host = await party(system, 'eh3', 0, sockets);
  const guest = await party(system, 'eg3', 1, sockets);
  const first = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'eg3' }));
  expect(sessionOf(await call(guest, 'cohost:reject', { sessionId: first.id }))).toMatchObject({ state: 'ended', endReason: 'rejected' });
  for (const p of [host, guest]) expect((await updateFor(p, first.id, 'ended')).session.endReason).toBe('rejected');

  const second = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'eg3' }));
  expect(sessionOf(await call(host, 'cohost:cancel', { sessionId: second.id }))).toMatchObject({ state: 'ended', endReason: 'cancelled' });
  for (const p of [host, guest]) expect((await updateFor(p, second.id, 'ended')).session.endReason).toBe('cancelled');
});

it('a guest banned while invited is ended as kicked', async () => {
  const roomId = await system.liveRoom('eh4');
  const host = await party(system, 'eh4', 0, sockets);
  const guest = await party(system, 'eg4', 1, sockets);
  const s = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'eg4' }));
  expect(await call(host, 'mod:ban', { roomId, userId: 'eg4' })).toMatchObject({ ok: true });
  for (const p of [host, guest]) expect((await updateFor(p, s.id, 'ended')).session.endReason).toBe('kicked');
});

it('seats 3 guests by default (COHOST_MAX_SEATS), the 4th accept is SEAT_LIMIT', async () => {
  const roomId = await system.liveRoom('eh5');
  const host = await party(system, 'eh5', 0, sockets);
  const guests = await Promise.all(['a', 'b', 'c', 'd'].map((n, i) => party(system, `eg5${n}`, i % 2, sockets)));
  const sessions = [];
  for (const g of guests) sessions.push(sessionOf(await call(host, 'cohost:invite', { roomId, userId: g.userId })));
  for (const [i, g] of guests.slice(0, 3).entries()) expect(sessionOf(await call(g, 'cohost:accept', { sessionId: sessions[i]!.id })).state).toBe('active');
  expect(await call(guests[3]!, 'cohost:accept', { sessionId: sessions[3]!.id })).toMatchObject({ ok: false, error: { code: 'SEAT_LIMIT' } });
});

it('relays 16 KiB of signal data across gateways; 1 byte more is INVALID_ARGUMENT and the connection stays', async () => {
  const roomId = await system.liveRoom('eh6');
  const host = await party(system, 'eh6', 0, sockets);
  const guest = await party(system, 'eg6', 1, sockets);
  await join(guest, roomId);
  const s = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'eg6' }));
  sessionOf(await call(guest, 'cohost:accept', { sessionId: s.id }));
  // JSON.stringify({ sdp }) is the string plus 10 bytes of `{"sdp":""}`.
  const largest = { sdp: 'v'.repeat(16 * 1024 - 10) };
  expect(await call(host, 'cohost:signal', { sessionId: s.id, data: largest })).toEqual({ ok: true });
  expect(await guest.signals.next()).toEqual({ sessionId: s.id, from: 'eh6', data: largest });
  const tooLarge = { sdp: 'v'.repeat(16 * 1024 - 9) };
  expect(await call(host, 'cohost:signal', { sessionId: s.id, data: tooLarge })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  expect(host.socket.connected).toBe(true);
  // Any other event keeps §1's limit: a payload over 16 KiB closes the connection.
  const closed = new Promise<string>((resolve) => guest.socket.once('disconnect', (reason) => resolve(reason)));
  guest.socket.emit('barrage:send', { roomId, text: 'x'.repeat(16 * 1024), clientMsgId: 'big' });
  expect(await closed).toMatch(/transport close|transport error/);
});
