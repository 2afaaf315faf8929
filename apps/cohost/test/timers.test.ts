import { connect, createRoom, TestSystem, tokenFor } from '#testing';
import { call, cohostEvent, join, party, sessionOf, updateFor, watch } from './harness.js';

/**
 * The co-host timers (pending timeout, disconnect grace) with short durations, including across a
 * SIGKILL and restart of the cohost app: the timers are BullMQ jobs in Redis and survive it.
 */
const PENDING_MS = 1500;
const GRACE_MS = 1500;
const system = new TestSystem({
  gateways: 2,
  barrages: 1,
  gifting: false,
  cohost: true,
  env: { COHOST_PENDING_TTL_MS: String(PENDING_MS), COHOST_DISCONNECT_GRACE_MS: String(GRACE_MS), COHOST_SWEEP_MS: '200' },
});
const sockets = system.useInTests();

/** Wall-clock wait: used only while the cohost app is down, when no event can tell time has passed. */
async function until(epochMs: number): Promise<void> {
  await new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now() + 50)));
}

async function cohostApp() {
  return system.apps.filter((a) => a.name.startsWith('cohost')).at(-1)!;
}

async function activeSession(host: string, guest: string, guestGateway = 1) {
  const roomId = (await createRoom(system.gateways[0]!.url, await tokenFor(host))).id;
  const h = await party(system, host, 0, sockets);
  const g = await party(system, guest, guestGateway, sockets);
  const s = sessionOf(await call(h, 'cohost:invite', { roomId, userId: guest }));
  sessionOf(await call(g, 'cohost:accept', { sessionId: s.id }));
  // Consumed here so that the next 'active' update a test awaits is a presence change.
  await updateFor(h, s.id, 'active');
  return { roomId, h, g, s };
}

it('a pending session times out after its TTL, told to both parties', async () => {
  const roomId = (await createRoom(system.gateways[0]!.url, await tokenFor('th1'))).id;
  const host = await party(system, 'th1', 0, sockets);
  const guest = await party(system, 'tg1', 1, sockets);
  const s = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'tg1' }));
  expect(s.expiresAt! - s.createdAt).toBe(PENDING_MS);
  const [h, g] = await Promise.all([updateFor(host, s.id, 'ended'), updateFor(guest, s.id, 'ended')]);
  expect(h.session.endReason).toBe('timeout');
  expect(g.session.endReason).toBe('timeout');
  expect(Date.now()).toBeGreaterThanOrEqual(s.expiresAt!);
  expect(await call(guest, 'cohost:accept', { sessionId: s.id })).toMatchObject({ ok: false, error: { code: 'INVALID_STATE' } });
});

it('a guest whose sockets are all gone is ended as disconnected after the grace period; the seat is freed', async () => {
  const { roomId, h, g, s } = await activeSession('th2', 'tg2');
  const watcher = await watch(system, roomId, sockets);
  const second = await connect(system.gateways[0]!.url, await tokenFor('tg2'));
  // One of two sockets closing is not a disconnect.
  second.disconnect();
  g.socket.disconnect();
  const offline = await updateFor(h, s.id, 'active');
  expect(offline.session.expiresAt).toBeGreaterThan(Date.now() - GRACE_MS);
  const ended = await updateFor(h, s.id, 'ended');
  expect(ended.session.endReason).toBe('disconnected');
  expect(Date.now()).toBeGreaterThanOrEqual(offline.session.expiresAt!);
  expect(await cohostEvent(watcher, 'left', 'tg2')).toMatchObject({ seats: [] });
});

it('a guest who comes back (on another gateway) within the grace period keeps the seat', async () => {
  const { roomId, h, g, s } = await activeSession('th3', 'tg3');
  g.socket.disconnect();
  const offline = await updateFor(h, s.id, 'active');
  expect(offline.session.expiresAt).toBeDefined();
  const back = await party(system, 'tg3', 0, sockets);
  const online = await updateFor(h, s.id, 'active');
  expect(online.session.expiresAt).toBeUndefined();
  // A sentinel that ends after the grace period would have: the seat must still be taken then.
  const sentinel = sessionOf(await call(h, 'cohost:invite', { roomId, userId: 'tg3-sentinel' }));
  await updateFor(h, sentinel.id, 'ended');
  expect(Date.now()).toBeGreaterThan(offline.session.expiresAt!);
  expect(h.updates.pending.filter((u) => u.session.id === s.id && u.session.state === 'ended')).toHaveLength(0);
  expect(await call(back, 'cohost:end', { sessionId: s.id })).toMatchObject({ ok: true, session: { endReason: 'ended' } });
});

it('timers survive a SIGKILL and restart of the cohost app', async () => {
  const roomId = (await createRoom(system.gateways[0]!.url, await tokenFor('th4'))).id;
  const host = await party(system, 'th4', 0, sockets);
  const guest = await party(system, 'tg4', 1, sockets);
  const pending = sessionOf(await call(host, 'cohost:invite', { roomId, userId: 'tg4' }));
  const { h, g, s } = await activeSession('th5', 'tg5');
  g.socket.disconnect();
  const offline = await updateFor(h, s.id, 'active');

  await system.kill(await cohostApp());
  await until(Math.max(pending.expiresAt!, offline.session.expiresAt!));
  await system.startApp('cohost', 1);

  expect((await updateFor(guest, pending.id, 'ended')).session.endReason).toBe('timeout');
  expect((await updateFor(host, pending.id, 'ended')).session.endReason).toBe('timeout');
  expect((await updateFor(h, s.id, 'ended')).session.endReason).toBe('disconnected');
});

it('ending the room ends its sessions (room_ended); banning a guest kicks them (kicked)', async () => {
  const a = await activeSession('th6', 'tg6');
  const watcher = await watch(system, a.roomId, sockets);
  await join(a.h, a.roomId);
  expect(await a.h.socket.emitWithAck('mod:ban', { roomId: a.roomId, userId: 'tg6' })).toMatchObject({ ok: true });
  expect((await updateFor(a.h, a.s.id, 'ended')).session.endReason).toBe('kicked');
  expect(await cohostEvent(watcher, 'left', 'tg6')).toMatchObject({ seats: [] });

  const b = await activeSession('th7', 'tg7');
  const pending = sessionOf(await call(b.h, 'cohost:invite', { roomId: b.roomId, userId: 'tg7b' }));
  const res = await fetch(`${system.gateways[0]!.url}/v1/rooms/${b.roomId}/end`, { method: 'POST', headers: { authorization: `Bearer ${await tokenFor('th7')}` } });
  expect(res.ok).toBe(true);
  expect((await updateFor(b.g, b.s.id, 'ended')).session.endReason).toBe('room_ended');
  expect((await updateFor(b.h, pending.id, 'ended')).session.endReason).toBe('room_ended');
});
