import { once } from 'node:events';
import type { Socket } from 'socket.io-client';
import { connect, continuityProblems, createRoom, TestSystem, tokenFor } from '#testing';
import { rankGateways } from '../src/index.js';
import { BarragePump, SdkViewer } from './sdk-harness.js';

/**
 * A gateway's SIGTERM drain (apps/gateway/src/realtime/drain.service.ts), as SDK clients live it: told
 * to move, disconnected spread over GATEWAY_DRAIN_MS, back on the other gateway with their room
 * stream intact, while the draining node refuses new work and then exits.
 */
const DRAIN_MS = 2500;
const VIEWERS = 5;
// TestSystem's env applies to every app it starts; only the gateway reads GATEWAY_DRAIN_MS, and only
// the one that gets SIGTERM drains while the test watches.
const system = new TestSystem({
  gateways: 2,
  barrages: 1,
  env: { GATEWAY_DRAIN_MS: String(DRAIN_MS), BARRAGE_RATE_PER_SEC: '1000', BARRAGE_BURST: '1000' },
});
const viewers: SdkViewer[] = [];
let sender: Socket | null = null;
// Registered before useInTests(): clients close before the system stops.
afterAll(() => {
  for (const v of viewers) v.client.close();
  sender?.disconnect();
});
system.useInTests();

it('drains on SIGTERM: not ready, refuses new sockets, tells every client, spreads the disconnects, clients resume elsewhere gap-free, then exits', async () => {
  const urls = system.gateways.map((g) => g.url);
  const room = await createRoom(urls[0]!, await tokenFor('host'));
  // The viewers share the room's best-ranked gateway: that one drains.
  const doomed = system.gateways.find((g) => g.url === rankGateways(urls, room.id)[0])!;
  const survivor = system.gateways.find((g) => g !== doomed)!;
  for (let i = 0; i < VIEWERS; i++) {
    viewers.push(await SdkViewer.join(`viewer-${i}`, room.id, { urls, token: await tokenFor(`viewer-${i}`), affinityKey: room.id, ackTimeoutMs: 3000 }));
  }
  expect(viewers.map((v) => v.client.url)).toEqual(viewers.map(() => doomed.url));

  // The room stays busy through the drain: a sender on the other gateway, ~one message per 10 ms.
  sender = await connect(survivor.url, await tokenFor('sender'));
  expect(await sender.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });
  const pump = new BarragePump(
    async (text) => {
      const ack = await sender!.timeout(5000).emitWithAck('barrage:send', { roomId: room.id, text, clientMsgId: text });
      if (!ack.ok) throw new Error(JSON.stringify(ack.error));
      return ack;
    },
    { prefix: 'm', total: 2000, concurrency: 1, pauseMs: 10 },
  );
  await pump.waitAcked(20);

  const exited = once(doomed.process, 'exit');
  doomed.process.kill('SIGTERM');
  await Promise.any(viewers.map((v) => v.waitFor('server:drain', () => v.drains.length > 0)));

  // While it drains: not ready, and a new connection is refused.
  const ready = await fetch(`${doomed.url}/readyz`);
  expect(ready.status).toBe(503);
  expect(((await ready.json()) as { checks: Record<string, string> }).checks).toMatchObject({ process: 'draining' });
  await expect(connect(doomed.url, await tokenFor('latecomer'))).rejects.toMatchObject({ message: 'UNAVAILABLE' });
  expect((await fetch(`${survivor.url}/readyz`)).status).toBe(200);

  // Every client moves to the other gateway and resumes its room there; the process exits.
  await Promise.all(viewers.map((v) => v.waitFor('resume on the survivor', () => v.connections.length === 2 && v.resumes === 1, 3 * DRAIN_MS)));
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  // Nest closes the app, then re-raises the signal: the process ends by SIGTERM after draining.
  expect(code ?? signal).toBe('SIGTERM');
  expect(doomed.output.join('')).toContain(`draining ${VIEWERS} connections over ${DRAIN_MS} ms`);

  await pump.stop();
  expect(pump.failures).toEqual([]);
  const lastSeq = Math.max(...pump.acked.values());
  expect(lastSeq).toBe(pump.acked.size);
  await Promise.all(viewers.map((v) => v.until(lastSeq)));

  for (const v of viewers) {
    // Told once, with the drain window, before being disconnected by the server.
    expect(v.drains).toEqual([{ at: expect.any(Number), payload: { reconnectInMs: DRAIN_MS } }]);
    expect(v.disconnects).toEqual([{ at: expect.any(Number), reason: 'io server disconnect' }]);
    expect(v.disconnects[0]!.at).toBeGreaterThanOrEqual(v.drains[0]!.at);
    expect(v.connections).toEqual([doomed.url, survivor.url]);
    // The stream went on across the move: every message once, in order, none missing.
    expect(continuityProblems(v.seqs, 0)).toEqual([]);
    expect(v.seqs).toHaveLength(lastSeq);
    for (const [text, seq] of pump.acked) expect(v.texts.get(seq)).toBe(text);
  }

  // Spread over the drain window, not all at once (the service waits DRAIN_MS / VIEWERS between them).
  const times = viewers.map((v) => v.disconnects[0]!.at).sort((a, b) => a - b);
  const spread = times.at(-1)! - times[0]!;
  expect(spread).toBeGreaterThanOrEqual(DRAIN_MS / 2);
  expect(spread).toBeLessThan(DRAIN_MS + 1000);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  expect(Math.min(...gaps)).toBeGreaterThanOrEqual(DRAIN_MS / VIEWERS / 2);
}, 60_000);
