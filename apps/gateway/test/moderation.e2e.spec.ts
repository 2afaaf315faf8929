import type { Socket } from 'socket.io-client';
import { connect, createRoom, StreamRecorder, TestSystem, tokenFor } from '#testing';

/** PROTOCOL §6 and the moderated barrage path of §4, end to end through two gateways. */
// A barrage replica waits at most 2 s for its first dictionary here (one test starts one while moderation is down).
const system = new TestSystem({ gateways: 2, barrages: 1, env: { BARRAGE_RATE_PER_SEC: '50', BARRAGE_BURST: '50', DICTIONARY_FIRST_LOAD_MS: '2000' } });
const sockets = system.useInTests();
let hostToken: string;

async function user(name: string, gateway = 0, roles?: string[]): Promise<Socket> {
  const s = await connect(system.gateways[gateway]!.url, await tokenFor(name, roles ? { roles } : {}));
  sockets.push(s);
  return s;
}

beforeAll(async () => {
  hostToken = await tokenFor('host');
});

it('mutes and unmutes; only the host, room moderators and admins may; nobody acts on the host', async () => {
  const room = await createRoom(system.gateways[0]!.url, hostToken);
  const host = await user('host');
  const viewer = await user('viewer-m');
  const stranger = await user('stranger');
  for (const s of [host, viewer, stranger]) await s.emitWithAck('room:join', { roomId: room.id });
  expect(await stranger.emitWithAck('mod:mute', { roomId: room.id, userId: 'viewer-m' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await host.emitWithAck('mod:mute', { roomId: room.id, userId: 'host' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  expect(await host.emitWithAck('mod:mute', { roomId: room.id, userId: 'viewer-m', seconds: 60 })).toMatchObject({ ok: true });
  expect(await viewer.emitWithAck('barrage:send', { roomId: room.id, text: 'hi', clientMsgId: 'm1' })).toMatchObject({ ok: false, error: { code: 'MUTED' } });
  // Mutes apply to gifts too, before any money moves.
  const gift = await viewer.emitWithAck('gift:send', { roomId: room.id, giftId: 'heart', count: 1, idempotencyKey: 'muted-gift-1' });
  expect(gift).toMatchObject({ ok: false, error: { code: 'MUTED', retryAfterMs: expect.any(Number) } });
  expect(await host.emitWithAck('mod:unmute', { roomId: room.id, userId: 'viewer-m' })).toMatchObject({ ok: true });
  expect(await viewer.emitWithAck('barrage:send', { roomId: room.id, text: 'hi', clientMsgId: 'm2' })).toMatchObject({ ok: true });
  const admin = await user('root', 0, ['admin']);
  expect(await admin.emitWithAck('mod:mute', { roomId: room.id, userId: 'stranger', seconds: 5 })).toMatchObject({ ok: true });
  expect(await host.emitWithAck('mod:mute', { roomId: room.id, userId: 'x', seconds: 0 })).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
});

it('slow mode applies to viewers but not to the host, and is announced in the room', async () => {
  const room = await createRoom(system.gateways[0]!.url, hostToken);
  const host = await user('host');
  const viewer = await user('viewer-s', 1);
  const rec = new StreamRecorder(viewer, room.id);
  await host.emitWithAck('room:join', { roomId: room.id });
  await rec.join();
  const set = await host.emitWithAck('mod:slowmode', { roomId: room.id, seconds: 30 });
  expect(set).toMatchObject({ ok: true, seq: 1 });
  await rec.until(1);
  expect(rec.events[0]).toMatchObject({ type: 'moderation', action: 'slowmode', seconds: 30 });
  expect(await viewer.emitWithAck('barrage:send', { roomId: room.id, text: 'one', clientMsgId: 's1' })).toMatchObject({ ok: true });
  const second = await viewer.emitWithAck('barrage:send', { roomId: room.id, text: 'two', clientMsgId: 's2' });
  expect(second).toMatchObject({ ok: false, error: { code: 'SLOW_MODE' } });
  expect(second.error.retryAfterMs).toBeGreaterThan(25_000);
  expect(await host.emitWithAck('barrage:send', { roomId: room.id, text: 'host 1', clientMsgId: 'h1' })).toMatchObject({ ok: true });
  expect(await host.emitWithAck('barrage:send', { roomId: room.id, text: 'host 2', clientMsgId: 'h2' })).toMatchObject({ ok: true });
  expect(((await (await fetch(`${system.gateways[1]!.url}/v1/rooms/${room.id}`)).json()) as { slowModeSec: number }).slowModeSec).toBe(30);
});

it('bans: the event reaches the room, the user is kicked on every gateway, later joins answer BANNED', async () => {
  const room = await createRoom(system.gateways[0]!.url, hostToken);
  const host = await user('host');
  const onA = await user('troll');
  const onB = await user('troll', 1);
  const witness = await user('witness', 1);
  const rec = new StreamRecorder(witness, room.id);
  await rec.join();
  for (const s of [host, onA, onB]) await s.emitWithAck('room:join', { roomId: room.id });
  const kicked = [onA, onB].map((s) => new Promise((resolve) => s.once('room:kicked', resolve)));
  expect(await host.emitWithAck('mod:ban', { roomId: room.id, userId: 'troll' })).toMatchObject({ ok: true });
  expect(await Promise.all(kicked)).toEqual([
    { roomId: room.id, reason: 'banned' },
    { roomId: room.id, reason: 'banned' },
  ]);
  await rec.until(1);
  expect(rec.events[0]).toMatchObject({ type: 'moderation', action: 'ban', userId: 'troll' });
  expect(await onA.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: false, error: { code: 'BANNED' } });
  expect(await onB.emitWithAck('barrage:send', { roomId: room.id, text: 'x', clientMsgId: 'b1' })).toMatchObject({ error: { code: 'NOT_IN_ROOM' } });
  expect(await witness.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });
  expect(await host.emitWithAck('mod:unban', { roomId: room.id, userId: 'troll' })).toMatchObject({ ok: true });
  expect(await onA.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });
  const del = await host.emitWithAck('mod:delete', { roomId: room.id, seq: 1 });
  expect(del).toMatchObject({ ok: true, seq: 2 });
});

it('filters terms: a PUT is in force within 2 s; blocked terms answer BLOCKED, masked ones are starred', async () => {
  const url = system.gateways[0]!.url;
  const admin = await tokenFor('root', { roles: ['admin'] });
  const put = (token: string, terms: unknown) =>
    fetch(`${url}/v1/admin/moderation/terms`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ terms }) });
  expect((await put(hostToken, [])).status).toBe(403);
  const res = await put(admin, [
    { term: 'badword', action: 'block' },
    { term: 'darn', action: 'mask' },
    { term: '发财', action: 'block' },
  ]);
  expect(res.status).toBe(200);
  const room = await createRoom(url, hostToken);
  const s = await user('speaker', 1);
  const rec = new StreamRecorder(s, room.id);
  await rec.join();
  const started = Date.now();
  let blocked: { ok: boolean; error?: { code: string } } = { ok: true };
  for (let i = 0; Date.now() - started < 2000 && blocked.ok !== false; i++) {
    blocked = await s.emitWithAck('barrage:send', { roomId: room.id, text: `B a d W o r d ${i}`, clientMsgId: `t${i}` });
    if (blocked.ok) await new Promise((r) => setTimeout(r, 100));
  }
  expect(blocked).toMatchObject({ ok: false, error: { code: 'BLOCKED' } });
  expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: '恭喜發\u200b財', clientMsgId: 'cn' })).toMatchObject({ error: { code: 'BLOCKED' } });
  const masked = await s.emitWithAck('barrage:send', { roomId: room.id, text: 'oh ＤＡＲＮ it', clientMsgId: 'mask' });
  expect(masked).toMatchObject({ ok: true, masked: true });
  await rec.until(masked.seq);
  expect(rec.events.at(-1)).toMatchObject({ text: 'oh **** it' });
  expect(await (await fetch(`${url}/v1/admin/moderation/terms`, { headers: { authorization: `Bearer ${admin}` } })).json()).toMatchObject({
    terms: expect.arrayContaining([{ term: 'darn', action: 'mask' }]),
  });
});

it('lets a user send the same text again (no repeat rule by default), and answers BLOCKED to every blocked spelling without spending the rate', async () => {
  const room = await createRoom(system.gateways[0]!.url, hostToken);
  const s = await user('repeater');
  await s.emitWithAck('room:join', { roomId: room.id });
  expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: '666', clientMsgId: 'r1' })).toMatchObject({ ok: true });
  expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: '666', clientMsgId: 'r2' })).toMatchObject({ ok: true });
  // More blocked messages than this file's burst of 50 ('badword' is blocked by the test above):
  // every one answers BLOCKED, none RATE_LIMITED, and the rate is still there afterwards.
  const spellings = ['badword', 'BADWORD', 'ｂａｄｗｏｒｄ', 'b a d w o r d', 'b.a.d-w.o.r.d', 'bad\u200bword'];
  const texts = Array.from({ length: 60 }, (_, i) => `${spellings[i % spellings.length]} ${i}`);
  const answers = await Promise.all(texts.map((text, i) => s.emitWithAck('barrage:send', { roomId: room.id, text, clientMsgId: `blk${i}` })));
  expect(answers.map((a) => a.error?.code)).toEqual(texts.map(() => 'BLOCKED'));
  expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: 'still here', clientMsgId: 'r3' })).toMatchObject({ ok: true });
});

/** Sends until the expected refusal shows up (a dictionary change is in force within ~2 s), or gives up. */
async function untilCode(s: Socket, roomId: string, text: string, code: string, withinMs: number): Promise<{ ok: boolean; error?: { code: string; retryAfterMs?: number } }> {
  const started = Date.now();
  let last: { ok: boolean; error?: { code: string } } = { ok: true };
  for (let i = 0; Date.now() - started < withinMs; i++) {
    last = await s.emitWithAck('barrage:send', { roomId, text: `${text} ${i} ${Date.now()}`, clientMsgId: `u-${code}-${Date.now()}-${i}` });
    if (last.error?.code === code) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  return last;
}

it('keeps filtering with the last dictionary while moderation is down; a replica that never had one answers UNAVAILABLE', async () => {
  const url = system.gateways[0]!.url;
  const admin = await tokenFor('root', { roles: ['admin'] });
  await fetch(`${url}/v1/admin/moderation/terms`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ terms: [{ term: 'zzforbidden', action: 'block' }] }),
  });
  const room = await createRoom(url, hostToken);
  const s = await user('policy-tester');
  await s.emitWithAck('room:join', { roomId: room.id });
  expect(await untilCode(s, room.id, 'zz forbidden', 'BLOCKED', 3000)).toMatchObject({ error: { code: 'BLOCKED' } });

  await system.kill(system.apps.find((a) => a.name === 'moderation-0')!);
  const started = Date.now();
  expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: 'zzforbidden again', clientMsgId: 'down-1' })).toMatchObject({ error: { code: 'BLOCKED' } });
  expect(await s.emitWithAck('barrage:send', { roomId: room.id, text: 'harmless', clientMsgId: 'down-2' })).toMatchObject({ ok: true });
  expect(Date.now() - started).toBeLessThan(2000);

  // A fresh replica while moderation is down has nothing to filter with: it is not ready, and once it
  // has waited for a dictionary it takes requests and refuses them rather than guess.
  await system.kill(system.barrages[0]!);
  const fresh = await system.startApp('barrage', 1, 'live');
  expect(await (await fetch(`${fresh.url}/readyz`)).json()).toMatchObject({ ready: false, checks: { dictionary: expect.any(String) } });
  const refused = await s.emitWithAck('barrage:send', { roomId: room.id, text: 'hello?', clientMsgId: 'down-3' });
  expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE', retryAfterMs: expect.any(Number) } });

  // Moderation back: the replica loads the dictionary by itself (poll + breaker half-open).
  await system.startApp('moderation', 1);
  expect(await untilCode(s, room.id, 'zz-forbidden', 'BLOCKED', 10_000)).toMatchObject({ error: { code: 'BLOCKED' } });
  expect((await fetch(`${fresh.url}/readyz`)).status).toBe(200);
});
