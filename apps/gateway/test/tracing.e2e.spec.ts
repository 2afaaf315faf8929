import type { Socket } from 'socket.io-client';
import { connect, createRoom, TestSystem, tokenFor } from '#testing';
import { descendsFrom, OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

/**
 * Tracing end to end: spans exported over OTLP/HTTP by the real apps (to a receiver in this
 * process) show one trace per client request, from the gateway through the Redis Streams
 * transport into the gifting service; the gateway's request log line carries the same trace id.
 */
const receiver = new OtlpReceiver();
let system: TestSystem;
let url: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  const endpoint = await receiver.start();
  system = new TestSystem({
    barrages: 0,
    moderation: false,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '100', LOG_LEVEL: 'log' },
  });
  await system.start();
  url = system.gateways[0]!.url;
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await system.stop();
  await receiver.stop();
});

/** The spans of `service` in the trace of `root` that descend from it. */
function descendants(spans: ReceivedSpan[], root: ReceivedSpan, service: string): ReceivedSpan[] {
  return spans.filter((s) => s.service === service && s.traceId === root.traceId && descendsFrom(s, root, spans));
}

it('traces a gift from the socket request at the gateway into the gifting service, and logs it with the trace id', async () => {
  const admin = await tokenFor('root', { roles: ['admin'] });
  const topUp = await fetch(`${url}/v1/admin/wallets/fan/credits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ amount: 1000, idempotencyKey: 'trace-topup-1' }),
  });
  expect(topUp.status).toBe(200);
  const gifts = (await (await fetch(`${url}/v1/gifts`)).json()) as { id: string; price: number }[];

  const room = await createRoom(url, await tokenFor('host'));
  const fan = await connect(url, await tokenFor('fan', { name: 'Fan' }));
  sockets.push(fan);
  expect(await fan.emitWithAck('room:join', { roomId: room.id })).toMatchObject({ ok: true });
  const sent: unknown = await fan.emitWithAck('gift:send', { roomId: room.id, giftId: gifts[0]!.id, count: 1, idempotencyKey: 'trace-gift-1' });
  expect(sent).toMatchObject({ ok: true });

  // The socket request: a root span at the gateway, and the gifting service's span under it.
  const [request, handled] = await receiver.waitFor((spans) => {
    const root = spans.find((s) => s.service === 'gateway' && s.name === 'socket gift:send');
    const below = root && descendants(spans, root, 'gifting').find((s) => s.name === 'process gifting.gift.send');
    return root && below ? ([root, below] as const) : undefined;
  });
  expect(request.parentSpanId ?? '').toBe('');
  expect(request.attributes).toMatchObject({
    'liveroom.event': 'gift:send',
    'liveroom.room_id': room.id,
    'liveroom.outcome': 'ok',
    'enduser.id': 'fan',
  });
  expect(handled.traceId).toBe(request.traceId);
  expect(handled.attributes).toMatchObject({ 'liveroom.pattern': 'gifting.gift.send', 'liveroom.outcome': 'ok' });
  // In between: the gateway's client span of the call, carried to gifting in the message headers.
  const send = receiver.spans.find((s) => s.spanId === handled.parentSpanId);
  expect(send).toMatchObject({ service: 'gateway', name: 'send gifting.gift.send', parentSpanId: request.spanId });

  // An HTTP request is a trace of its own, named by its route.
  const [http] = await receiver.waitFor((spans) => {
    const root = spans.find((s) => s.service === 'gateway' && s.name === 'POST /v1/admin/wallets/:userId/credits');
    const below = root && descendants(spans, root, 'gifting').find((s) => s.name === 'process gifting.wallet.credit');
    return root && below ? ([root, below] as const) : undefined;
  });
  expect(http.attributes).toMatchObject({ 'http.response.status_code': 200, 'enduser.id': 'root', 'liveroom.outcome': 'ok' });
  expect(http.traceId).not.toBe(request.traceId);
  expect(receiver.requests.every((r) => r.contentType.startsWith('application/json'))).toBe(true);

  // One JSON log line per request outcome, with the request's trace id; secrets never logged.
  const lines = system.gateways[0]!.output.join('').split('\n').filter((l) => l.startsWith('{'));
  const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(logs.find((l) => l.msg === 'request' && l.event === 'gift:send')).toMatchObject({
    kind: 'socket',
    userId: 'fan',
    roomId: room.id,
    outcome: 'ok',
    durationMs: expect.any(Number),
    trace_id: request.traceId,
    span_id: request.spanId,
  });
  expect(logs.find((l) => l.msg === 'request' && l.route === 'POST /v1/admin/wallets/:userId/credits')).toMatchObject({
    kind: 'http',
    userId: 'root',
    outcome: 'ok',
    status: 200,
    trace_id: http.traceId,
  });
  expect(lines.join('\n')).not.toContain(admin);
});

it('logs a refused request with its error code', async () => {
  const fan = await connect(url, await tokenFor('fan2'));
  sockets.push(fan);
  expect(await fan.emitWithAck('gift:send', { roomId: 'r_nowhere', giftId: 'g', count: 1, idempotencyKey: 'trace-gift-2' })).toMatchObject({
    ok: false,
    error: { code: 'NOT_IN_ROOM' },
  });
  const span = await receiver.waitFor((spans) =>
    spans.find((s) => s.name === 'socket gift:send' && s.attributes['enduser.id'] === 'fan2'),
  );
  expect(span.attributes).toMatchObject({ 'liveroom.outcome': 'NOT_IN_ROOM', 'error.type': 'NOT_IN_ROOM' });
  const logged = () => system.gateways[0]!.output.join('').includes(`"outcome":"NOT_IN_ROOM"`);
  for (let i = 0; i < 20 && !logged(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(logged()).toBe(true);
});
