import type { Socket } from 'socket.io-client';
import { connect, continuityProblems, createRoom, type ReceivedEvent, StreamRecorder, TestSystem, tokenFor } from '#testing';

/**
 * The ordering contract under concurrent load, across two gateway processes and two barrage
 * replicas: every viewer, whenever it joins (fresh, or resuming with sinceSeq on the other
 * gateway), sees a gap-free, duplicate-free, ordered stream, and all viewers agree on every seq.
 */
const system = new TestSystem({ gateways: 2, barrages: 2, env: { BARRAGE_RATE_PER_SEC: '1000', BARRAGE_BURST: '1000' } });
const sockets = system.useInTests();

async function viewer(gateway: number, name: string): Promise<Socket> {
  const s = await connect(system.gateways[gateway]!.url, await tokenFor(name));
  sockets.push(s);
  return s;
}

/** One barrage replica's liveroom_barrage_requests_total, by result. */
async function barrageRequests(url: string): Promise<Record<'sequenced' | 'duplicate' | 'refused', number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (result: string): number => Number(new RegExp(`^liveroom_barrage_requests_total\\{result="${result}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { sequenced: value('sequenced'), duplicate: value('duplicate'), refused: value('refused') };
}

const SENDERS = 12;
const PER_SENDER = 60;

it('keeps every stream ordered and gap-free while viewers join and resume during a burst', async () => {
  const [gwA, gwB] = system.gateways;
  const room = await createRoom(gwA!.url, await tokenFor('host'));
  const recorders: StreamRecorder[] = [];

  // Viewers already in the room on both gateways.
  for (let i = 0; i < 10; i++) {
    const rec = new StreamRecorder(await viewer(i % 2, `early-${i}`), room.id);
    expect((await rec.join()).ok).toBe(true);
    recorders.push(rec);
  }

  const senders = await Promise.all(Array.from({ length: SENDERS }, (_, i) => viewer(i % 2, `sender-${i}`)));
  await Promise.all(senders.map((s) => s.emitWithAck('room:join', { roomId: room.id })));
  const acked: { seq: number; id: string; text: string }[] = [];
  const sending = Promise.all(
    senders.map(async (s, i) => {
      for (let n = 0; n < PER_SENDER; n++) {
        const text = `s${i}-m${n}`;
        const ack = await s.emitWithAck('barrage:send', { roomId: room.id, text, clientMsgId: `c-${n}` });
        expect(ack).toMatchObject({ ok: true });
        acked.push({ seq: ack.seq, id: ack.id, text });
      }
    }),
  );

  // Joins racing with the burst: fresh joins on either gateway, and resumes on the other gateway.
  const joining = (async () => {
    for (let i = 0; i < 16; i++) {
      const rec = new StreamRecorder(await viewer(i % 2, `late-${i}`), room.id);
      expect((await rec.join()).ok).toBe(true);
      recorders.push(rec);
      if (i % 4 === 3) {
        const first = recorders[i % 10]!;
        const resumed = new StreamRecorder(await viewer((i + 1) % 2, `resume-${i}`), room.id);
        const ack = await resumed.join(first.lastSeq);
        expect(ack).toMatchObject({ ok: true });
        expect(ack.resync).toBeUndefined();
        recorders.push(resumed);
      }
      await new Promise((r) => setImmediate(r));
    }
  })();

  await Promise.all([sending, joining]);
  const total = SENDERS * PER_SENDER;
  const finalSeq = Math.max(...acked.map((a) => a.seq));
  expect(finalSeq).toBe(total);
  await Promise.all(recorders.map((r) => r.until(finalSeq)));

  // Exactly once: every acked message has its own seq, and the seqs are 1..total.
  expect(new Set(acked.map((a) => a.seq)).size).toBe(total);
  // ...and was handled by exactly one replica, once: a second handling would be answered from the
  // clientMsgId dedupe with the same seq, so the replicas' own counts are what can show it.
  const perReplica = await Promise.all(system.barrages.map((b) => barrageRequests(b.url)));
  expect(perReplica.reduce((sum, r) => sum + r.sequenced, 0)).toBe(total);
  expect(perReplica.map((r) => r.duplicate + r.refused)).toEqual(perReplica.map(() => 0));
  for (const r of perReplica) expect(r.sequenced).toBeGreaterThan(0);
  const bySeq = new Map<number, ReceivedEvent>();
  for (const rec of recorders) {
    expect(rec.framesBeforeJoin).toBe(0);
    expect(continuityProblems(rec.events.map((e) => e.seq), rec.from)).toEqual([]);
    expect(rec.lastSeq).toBe(finalSeq);
    for (const e of rec.events) {
      const seen = bySeq.get(e.seq);
      if (seen) expect(e.id).toBe(seen.id);
      else bySeq.set(e.seq, e);
    }
  }
  for (const a of acked) expect(bySeq.get(a.seq)).toMatchObject({ id: a.id, text: a.text });
  // Viewers on both gateways took part.
  expect(new Set(recorders.map((r) => (r.socket.io as unknown as { uri: string }).uri)).size).toBe(2);
  expect(gwB).toBeDefined();
});

it('keeps streams gap-free when many viewers rejoin one room at the same instant (as after a node failure)', async () => {
  // The joins of one room that run together share their Redis reads (JoinReads); each must still
  // merge them with the channel's memory correctly while the room is busy.
  const room = await createRoom(system.gateways[0]!.url, await tokenFor('host'));
  const senders = await Promise.all(Array.from({ length: 4 }, (_, i) => viewer(1, `storm-sender-${i}`)));
  await Promise.all(senders.map((s) => s.emitWithAck('room:join', { roomId: room.id })));
  const send = (s: Socket, i: number, n: number) => s.emitWithAck('barrage:send', { roomId: room.id, text: `w${i}-${n}`, clientMsgId: `w-${n}` });
  // Some history first, so that the resumes have something to miss.
  for (let n = 0; n < 5; n++) await Promise.all(senders.map((s, i) => send(s, i, n)));
  const sinceSeq = 10;
  const sending = Promise.all(senders.map(async (s, i) => {
    for (let n = 5; n < 40; n++) expect(await send(s, i, n)).toMatchObject({ ok: true });
  }));
  const joiners = await Promise.all(Array.from({ length: 40 }, (_, i) => viewer(0, `storm-${i}`)));
  const recorders = joiners.map((s) => new StreamRecorder(s, room.id));
  // Half resume from the same seq, half join fresh: all in one burst.
  const acks = await Promise.all(recorders.map((r, i) => r.join(i % 2 === 0 ? sinceSeq : undefined)));
  for (const ack of acks) expect(ack).toMatchObject({ ok: true });
  for (let i = 0; i < acks.length; i += 2) expect(acks[i]!.resync).toBeUndefined();
  await sending;
  const finalSeq = 4 * 40;
  await Promise.all(recorders.map((r) => r.until(finalSeq)));
  for (const [i, rec] of recorders.entries()) {
    expect(rec.framesBeforeJoin).toBe(0);
    if (i % 2 === 0) expect(rec.from).toBe(sinceSeq);
    expect(continuityProblems(rec.events.map((e) => e.seq), rec.from)).toEqual([]);
    expect(rec.lastSeq).toBe(finalSeq);
  }
});

it('caps a user at 20 counted likes per second across gateways', async () => {
  const room = await createRoom(system.gateways[0]!.url, await tokenFor('host'));
  const onA = await viewer(0, 'liker');
  const onB = await viewer(1, 'liker');
  await Promise.all([onA.emitWithAck('room:join', { roomId: room.id }), onB.emitWithAck('room:join', { roomId: room.id })]);
  // Stay inside one wall-clock second so the cap applies to all of them.
  while (Date.now() % 1000 > 300) await new Promise((r) => setTimeout(r, 20));
  await Promise.all([
    ...Array.from({ length: 3 }, () => onA.emitWithAck('like:send', { roomId: room.id, count: 10 })),
    ...Array.from({ length: 3 }, () => onB.emitWithAck('like:send', { roomId: room.id, count: 10 })),
  ]);
  const likes = await new Promise<number>((resolve) =>
    onA.on('room:stats', (s: { roomId: string; likes: number }) => s.roomId === room.id && s.likes > 0 && resolve(s.likes)),
  );
  expect(likes).toBe(20);
  // Both gateways flush every 200 ms and nothing announces a flush: give them two rounds, then read.
  await new Promise((r) => setTimeout(r, 500));
  const info = (await (await fetch(`${system.gateways[1]!.url}/v1/rooms/${room.id}`)).json()) as { likes: number };
  expect(info.likes).toBe(20);
});

it('sends room:stats at most once per second per room, only on a change, never a frame per like', async () => {
  const room = await createRoom(system.gateways[0]!.url, await tokenFor('host'));
  const watchers = [await viewer(0, 'stats-a'), await viewer(1, 'stats-b')];
  const liker = await viewer(0, 'stats-liker');
  for (const s of [...watchers, liker]) await s.emitWithAck('room:join', { roomId: room.id });
  const arrivals: number[][] = watchers.map(() => []);
  watchers.forEach((s, i) => s.on('room:stats', (f: { roomId: string }) => f.roomId === room.id && arrivals[i]!.push(Date.now())));
  // 60 likes over ~3 s, one every 50 ms.
  const started = Date.now();
  let likes = 0;
  while (Date.now() - started < 3000) {
    await liker.emitWithAck('like:send', { roomId: room.id });
    likes++;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Let the last likes reach the counters (flushed every 200 ms) and the next stats tick send them.
  await new Promise((r) => setTimeout(r, 1500));
  const quietFrom = arrivals.map((a) => a.length);
  // Nothing changes from here on: no frame may follow.
  await new Promise((r) => setTimeout(r, 2200));
  for (const [i, times] of arrivals.entries()) {
    expect(times.length).toBe(quietFrom[i]);
    expect(times.length).toBeGreaterThanOrEqual(2);
    expect(times.length).toBeLessThanOrEqual(6);
    // 900: the server keeps its emits >= 1000 ms apart; the rest is this client's own receive jitter.
    for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeGreaterThanOrEqual(900);
  }
  expect(likes).toBeGreaterThan(30);
});
