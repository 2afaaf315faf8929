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
