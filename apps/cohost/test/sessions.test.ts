import { type CohostSignalRelay, cohostSignalSchema, type CohostUpdate } from '#contracts';
import { LiveroomClient } from '#sdk';
import { TestSystem, tokenFor } from '#testing';
import { call, cohostEvent, join, party, sessionOf, updateFor, watch } from './harness.js';

/** PROTOCOL §5 state machine end to end: two gateways, one cohost replica, real Redis. */
const system = new TestSystem({ gateways: 2, barrages: 1, moderation: true, gifting: false, cohost: true, env: { COHOST_MAX_SEATS: '2' } });
const sockets = system.useInTests();

it('invite -> accept -> end: updates to both parties on two gateways, seats in the room stream and the snapshot', async () => {
  const roomId = await system.liveRoom('h1');
  const host = await party(system, 'h1', 0, sockets);
  const guest = await party(system, 'g1', 1, sockets);
  const watcher = await watch(system, roomId, sockets);
  const invited = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'g1' }));
  expect(invited).toMatchObject({ roomId, hostId: 'h1', guestId: 'g1', initiator: 'host', state: 'pending' });
  expect(invited.expiresAt! - invited.createdAt).toBe(30_000);
  await Promise.all([updateFor(host, invited.id, 'pending'), updateFor(guest, invited.id, 'pending')]);

  const active = sessionOf(await call(guest, 'cohost:accept', { sessionId: invited.id }));
  expect(active.state).toBe('active');
  expect(active.expiresAt).toBeUndefined();
  await Promise.all([updateFor(host, invited.id, 'active'), updateFor(guest, invited.id, 'active')]);
  expect(await cohostEvent(watcher, 'joined', 'g1')).toMatchObject({ seats: ['g1'] });
  const snapshot = (await guest.socket.emitWithAck('room:join', { roomId })) as { ok: true; room: { cohosts: string[] } };
  expect(snapshot.room.cohosts).toEqual(['g1']);

  const ended = sessionOf(await call(host, 'cohost:end', { sessionId: invited.id }));
  expect(ended).toMatchObject({ state: 'ended', endReason: 'ended' });
  await Promise.all([updateFor(host, invited.id, 'ended'), updateFor(guest, invited.id, 'ended')]);
  expect(await cohostEvent(watcher, 'left', 'g1')).toMatchObject({ seats: [] });
  const info = (await (await fetch(`${system.gateways[1]!.url}/v1/rooms/${roomId}`)).json()) as { cohosts: string[] };
  expect(info.cohosts).toEqual([]);
});

it('request -> host accepts or rejects; the initiator cancels', async () => {
  const roomId = await system.liveRoom('h2');
  const host = await party(system, 'h2', 0, sockets);
  const viewer = await party(system, 'v2', 1, sockets);
  await join(viewer, roomId);
  const asked = sessionOf(await call(viewer, 'cohost:request', { roomId }));
  expect(asked).toMatchObject({ initiator: 'guest', guestId: 'v2', hostId: 'h2', state: 'pending' });
  await updateFor(host, asked.id, 'pending');
  expect(sessionOf(await call(host, 'cohost:reject', { sessionId: asked.id }))).toMatchObject({ state: 'ended', endReason: 'rejected' });
  expect((await updateFor(viewer, asked.id, 'ended')).session.endReason).toBe('rejected');

  const again = sessionOf(await call(viewer, 'cohost:request', { roomId }));
  expect(sessionOf(await call(viewer, 'cohost:cancel', { sessionId: again.id }))).toMatchObject({ endReason: 'cancelled' });
  expect((await updateFor(host, again.id, 'ended')).session.endReason).toBe('cancelled');

  const third = sessionOf(await call(viewer, 'cohost:request', { roomId }));
  expect(sessionOf(await call(host, 'cohost:accept', { sessionId: third.id })).state).toBe('active');
  expect(sessionOf(await call(viewer, 'cohost:end', { sessionId: third.id }))).toMatchObject({ endReason: 'ended' });
});

it('refuses every illegal transition with the PROTOCOL code', async () => {
  const roomId = await system.liveRoom('h3');
  const host = await party(system, 'h3', 0, sockets);
  const guest = await party(system, 'g3', 1, sockets);
  const stranger = await party(system, 's3', 0, sockets);
  const code = async (p: typeof host, event: string, payload: object) => {
    const ack = await call(p, event, payload);
    return ack.ok ? 'ok' : ack.error.code;
  };
  // Who may open a session.
  expect(await code(stranger, 'cohost:invite', { roomId, userId: 'g3' })).toBe('FORBIDDEN');
  expect(await code(host, 'cohost:invite', { roomId, userId: 'h3' })).toBe('INVALID_ARGUMENT');
  expect(await code(host, 'cohost:request', { roomId })).toBe('NOT_IN_ROOM');
  await join(host, roomId);
  expect(await code(host, 'cohost:request', { roomId })).toBe('INVALID_ARGUMENT');
  expect(await code(host, 'cohost:invite', { roomId: 'r_nope', userId: 'g3' })).toBe('ROOM_NOT_FOUND');
  expect(await code(host, 'cohost:invite', { roomId, userId: 'bad id!' })).toBe('INVALID_ARGUMENT');
  expect(await code(guest, 'cohost:accept', { sessionId: 'nope' })).toBe('INVALID_ARGUMENT');
  expect(await code(guest, 'cohost:accept', { sessionId: `${roomId}~000000000abcdefgh` })).toBe('SESSION_NOT_FOUND');
  expect(await code(guest, 'cohost:accept', { sessionId: 'r_gone~000000000abcdefgh' })).toBe('SESSION_NOT_FOUND');
  expect(await code(guest, 'cohost:accept', {})).toBe('INVALID_ARGUMENT');

  const s = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'g3' }));
  // One open session per guest per room, whoever opens it.
  expect(await code(host, 'cohost:invite', { roomId, userId: 'g3' })).toBe('INVALID_STATE');
  await join(guest, roomId);
  expect(await code(guest, 'cohost:request', { roomId })).toBe('INVALID_STATE');
  // Pending: only the other side answers, only the initiator cancels, nobody ends or signals.
  expect(await code(host, 'cohost:accept', { sessionId: s.id })).toBe('FORBIDDEN');
  expect(await code(host, 'cohost:reject', { sessionId: s.id })).toBe('FORBIDDEN');
  expect(await code(guest, 'cohost:cancel', { sessionId: s.id })).toBe('FORBIDDEN');
  expect(await code(stranger, 'cohost:accept', { sessionId: s.id })).toBe('FORBIDDEN');
  expect(await code(guest, 'cohost:end', { sessionId: s.id })).toBe('INVALID_STATE');
  expect(await code(host, 'cohost:signal', { sessionId: s.id, data: { type: 'offer' } })).toBe('INVALID_STATE');
  // Active: no second answer, no cancel, strangers cannot end or signal.
  expect(await code(guest, 'cohost:accept', { sessionId: s.id })).toBe('ok');
  expect(await code(guest, 'cohost:accept', { sessionId: s.id })).toBe('INVALID_STATE');
  expect(await code(host, 'cohost:reject', { sessionId: s.id })).toBe('INVALID_STATE');
  expect(await code(host, 'cohost:cancel', { sessionId: s.id })).toBe('INVALID_STATE');
  expect(await code(stranger, 'cohost:end', { sessionId: s.id })).toBe('FORBIDDEN');
  expect(await code(stranger, 'cohost:signal', { sessionId: s.id, data: {} })).toBe('FORBIDDEN');
  // Ended: everything is INVALID_STATE for the parties.
  expect(await code(guest, 'cohost:end', { sessionId: s.id })).toBe('ok');
  for (const event of ['cohost:accept', 'cohost:reject', 'cohost:cancel', 'cohost:end']) {
    expect(await code(host, event, { sessionId: s.id })).toBe('INVALID_STATE');
  }
  expect(await code(guest, 'cohost:signal', { sessionId: s.id, data: {} })).toBe('INVALID_STATE');
  // Ended rooms take no new sessions.
  await fetch(`${system.gateways[0]!.url}/v1/rooms/${roomId}/end`, { method: 'POST', headers: { authorization: `Bearer ${await tokenFor('h3')}` } });
  expect(await code(host, 'cohost:invite', { roomId, userId: 's3' })).toBe('ROOM_ENDED');
});

it('holds the seat limit (2 here) under concurrent accepts', async () => {
  const roomId = await system.liveRoom('h4');
  const host = await party(system, 'h4', 0, sockets);
  const viewers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n, i) => party(system, `v4${n}`, i % 2, sockets)));
  const watcher = await watch(system, roomId, sockets);
  const sessions = await Promise.all(
    viewers.map(async (v) => {
      await join(v, roomId);
      return sessionOf(await call(v, 'cohost:request', { roomId }));
    }),
  );
  const acks = await Promise.all(sessions.map((s) => call(host, 'cohost:accept', { sessionId: s.id })));
  const accepted = acks.filter((a) => a.ok);
  expect(accepted).toHaveLength(2);
  expect(acks.filter((a) => !a.ok && a.error.code === 'SEAT_LIMIT')).toHaveLength(3);
  // A refused accept leaves the request pending; a freed seat can then be given.
  const waiting = sessions.find((s, i) => !acks[i]!.ok)!;
  const seated = sessions.find((s, i) => acks[i]!.ok)!;
  await cohostEvent(watcher, 'joined', seated.guestId);
  sessionOf(await call(host, 'cohost:end', { sessionId: seated.id }));
  expect(sessionOf(await call(host, 'cohost:accept', { sessionId: waiting.id })).state).toBe('active');
  const joined = await cohostEvent(watcher, 'joined', waiting.guestId);
  expect(joined.seats).toHaveLength(2);
  expect(joined.seats).toContain(waiting.guestId);
});

it('relays signals to the other party across gateways, only while active', async () => {
  const roomId = await system.liveRoom('h5');
  const host = await party(system, 'h5', 0, sockets);
  const guest = await party(system, 'g5', 1, sockets);
  const guestOtherDevice = await party(system, 'g5', 0, sockets);
  const s = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'g5' }));
  sessionOf(await call(guest, 'cohost:accept', { sessionId: s.id }));
  const offer = { type: 'offer', sdp: 'v=0\r\n'.repeat(500) };
  expect(await call(host, 'cohost:signal', { sessionId: s.id, data: offer })).toEqual({ ok: true });
  expect(await guest.signals.next()).toEqual({ sessionId: s.id, from: 'h5', data: offer });
  expect(await guestOtherDevice.signals.next()).toEqual({ sessionId: s.id, from: 'h5', data: offer });
  const ice = { type: 'ice', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' } };
  expect(await call(guest, 'cohost:signal', { sessionId: s.id, data: ice })).toEqual({ ok: true });
  expect(await host.signals.next()).toEqual({ sessionId: s.id, from: 'g5', data: ice });
  // The sender gets nothing back.
  expect(host.signals.pending).toHaveLength(0);
  expect(await call(host, 'cohost:signal', { sessionId: s.id })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
});

it('bounds signal data at 16 KiB of JSON', () => {
  const sessionId = 'r_x~000000000abcdefgh';
  expect(cohostSignalSchema.safeParse({ sessionId, data: { sdp: 'x'.repeat(16 * 1024 - 20) } }).success).toBe(true);
  expect(cohostSignalSchema.safeParse({ sessionId, data: { sdp: 'x'.repeat(16 * 1024) } }).success).toBe(false);
  expect(cohostSignalSchema.safeParse({ sessionId, data: null }).success).toBe(true);
});

it('the SDK drives a session: typed calls, updates and signals', async () => {
  const roomId = await system.liveRoom('h6');
  const urls = system.gateways.map((g) => g.url);
  const host = new LiveroomClient({ urls, token: await tokenFor('h6') });
  const guest = new LiveroomClient({ urls: [...urls].reverse(), token: await tokenFor('g6') });
  try {
    await Promise.all([host.connect(), guest.connect()]);
    const invited = new Promise<CohostUpdate>((resolve) => guest.cohost.onUpdate(resolve));
    const signal = new Promise<CohostSignalRelay>((resolve) => host.cohost.onSignal(resolve));
    const session = await host.cohost.invite(roomId, 'g6');
    expect((await invited).session.id).toBe(session.id);
    expect((await guest.cohost.accept(session.id)).state).toBe('active');
    await guest.cohost.signal(session.id, { type: 'answer', sdp: 'v=0' });
    expect(await signal).toEqual({ sessionId: session.id, from: 'g6', data: { type: 'answer', sdp: 'v=0' } });
    await expect(host.cohost.accept(session.id)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect((await host.cohost.end(session.id)).endReason).toBe('ended');
  } finally {
    host.close();
    guest.close();
  }
});
