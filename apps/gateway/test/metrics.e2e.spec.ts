import { connect, createRoom, StreamRecorder, TestSystem, tokenFor } from '#testing';

/**
 * The gateway's fan-out and request metrics (the Grafana dashboard's frame size, delivery latency and
 * ack latency panels): present on /metrics, observed once per frame (not per socket), bytes in UTF-8.
 */
const system = new TestSystem({ gateways: 1, barrages: 1, gifting: false });
const sockets = system.useInTests();

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(): Promise<{ samples: Sample[]; text: string }> {
  const text = await (await fetch(`${system.gateways[0]!.url}/metrics`)).text();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, text };
}

/** The one sample of `name` whose labels include `labels` (0 if there is none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]?.value ?? 0;
}

it('reports frame size, delivery latency and request duration', async () => {
  const url = system.gateways[0]!.url;
  const room = await createRoom(url, await tokenFor('host'));
  const host = await connect(url, await tokenFor('host'));
  const viewer = await connect(url, await tokenFor('viewer'));
  sockets.push(host, viewer);
  const hostStream = new StreamRecorder(host, room.id);
  const viewerStream = new StreamRecorder(viewer, room.id);
  await hostStream.join();
  await viewerStream.join();
  const frames: unknown[] = [];
  viewer.on('room:events', (frame: unknown) => frames.push(frame));

  const before = (await scrape()).samples;
  // 150 CJK characters: 450 bytes in UTF-8, 150 UTF-16 units.
  const text = '弹'.repeat(150);
  expect(await host.emitWithAck('barrage:send', { roomId: room.id, text, clientMsgId: 'm1' })).toMatchObject({ ok: true, seq: 1 });
  expect(await host.emitWithAck('barrage:send', { roomId: room.id, clientMsgId: 'm2' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  await hostStream.until(1);
  await viewerStream.until(1);
  const { samples: after, text: exposition } = await scrape();
  const delta = (name: string, labels?: Record<string, string>) => value(after, name, labels) - value(before, name, labels);

  // One frame to two sockets: written twice, built (and measured) once.
  expect(delta('liveroom_gateway_frames_total')).toBe(2);
  expect(delta('liveroom_gateway_frame_bytes_count')).toBe(1);
  expect(frames).toHaveLength(1);
  const packet = `2["room:events",${JSON.stringify(frames[0])}]`;
  expect(delta('liveroom_gateway_frame_bytes_sum')).toBe(Buffer.byteLength(packet));
  expect(delta('liveroom_gateway_frame_bytes_bucket', { le: '+Inf' })).toBe(1);

  expect(delta('liveroom_gateway_delivery_latency_seconds_count')).toBe(1);
  const latency = delta('liveroom_gateway_delivery_latency_seconds_sum');
  expect(latency).toBeGreaterThanOrEqual(0);
  expect(latency).toBeLessThan(5);
  expect(exposition).toMatch(/# HELP liveroom_gateway_delivery_latency_seconds .*once per frame/);

  const request = (event: string, outcome: string, kind = 'socket') =>
    value(after, 'liveroom_gateway_request_duration_seconds_count', { kind, event, outcome });
  expect(request('barrage:send', 'ok')).toBe(1);
  expect(request('barrage:send', 'INVALID_ARGUMENT')).toBe(1);
  expect(request('room:join', 'ok')).toBe(2);
  expect(request('POST /v1/rooms', 'ok', 'http')).toBe(1);
  expect(value(after, 'liveroom_gateway_request_duration_seconds_bucket', { kind: 'socket', event: 'barrage:send', outcome: 'ok', le: '+Inf' })).toBe(1);
});
