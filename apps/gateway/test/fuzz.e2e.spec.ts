import type { Socket } from 'socket.io-client';
import { PacketType } from 'socket.io-parser';
import { CLIENT_EVENTS, COHOST_EVENTS, COHOST_SIGNAL_MAX_BYTES, ERROR_CODES, modActionSchema } from '#contracts';
import { connect, createRoom, StreamRecorder, TestSystem, tokenFor } from '#testing';

/**
 * PROTOCOL §1-2 under hostile input, at every client event: schema-invalid payloads answer
 * INVALID_ARGUMENT, anonymous writes UNAUTHORIZED, thousands of random payloads one ack each within
 * 5 s, and afterwards every process is up and nothing (prototype pollution included) shows on the wire.
 */
const system = new TestSystem({ gateways: 1, barrages: 1, cohost: true });

// Every client -> server event. mod:* has no constant in contracts: derived from its actions, so a new one gets fuzzed.
const { update: _serverToClient, ...COHOST_REQUESTS } = COHOST_EVENTS;
const MOD_EVENTS = modActionSchema.options.map((o) => `mod:${o.shape.action.value}`);
const EVENTS: string[] = [...Object.values(CLIENT_EVENTS), ...MOD_EVENTS, ...Object.values(COHOST_REQUESTS)];
const READS = new Set<string>([CLIENT_EVENTS.roomJoin, CLIENT_EVENTS.roomLeave]);
const CODES = new Set<string>(ERROR_CODES);
/** Longer than any field allows, yet under the 16 KiB payload limit (past which the connection is closed, by design). */
const HUGE = 'x'.repeat(15_000);

type Payload = Record<string, unknown>;
type Ack = { ok: boolean; error?: { code: string } };

/** A payload each event accepts, optional fields included so that their types get fuzzed too. */
function validPayloads(roomId: string): Record<string, Payload> {
  const sessionId = `${roomId}~fuzzsession0`; // well-formed: reaches the cohost service, which knows no such session
  const target = { roomId, userId: 'someone' };
  return {
    [CLIENT_EVENTS.roomJoin]: { roomId, sinceSeq: 0 },
    [CLIENT_EVENTS.roomLeave]: { roomId },
    [CLIENT_EVENTS.barrageSend]: { roomId, text: 'hi', clientMsgId: 'c1', color: '#ff0000', mode: 'top' },
    [CLIENT_EVENTS.likeSend]: { roomId, count: 1 },
    [CLIENT_EVENTS.giftSend]: { roomId, giftId: 'rose', count: 1, idempotencyKey: 'fuzz-key-0001' },
    'mod:mute': { ...target, seconds: 60 },
    'mod:unmute': target, 'mod:ban': target, 'mod:unban': target,
    'mod:delete': { roomId, seq: 1 },
    'mod:slowmode': { roomId, seconds: 0 },
    [COHOST_EVENTS.request]: { roomId },
    [COHOST_EVENTS.invite]: target,
    [COHOST_EVENTS.accept]: { sessionId }, [COHOST_EVENTS.reject]: { sessionId },
    [COHOST_EVENTS.cancel]: { sessionId }, [COHOST_EVENTS.end]: { sessionId },
    [COHOST_EVENTS.signal]: { sessionId, data: { sdp: 'v=0' } },
  };
}

/** An own `__proto__` key, as JSON.parse makes it (`out.__proto__ = x` would set the prototype instead). */
function withProto(payload: Payload, value: unknown): Payload {
  return Object.defineProperty({ ...payload }, '__proto__', { value, enumerable: true, writable: true, configurable: true });
}

/** Argument lists that are invalid by construction for an event whose valid payload is `valid`. */
function invalidCases(valid: Payload): unknown[][] {
  const cases: unknown[][] = [[], [valid, valid], [null], [42], ['text'], [true], [[valid]], [{}]];
  cases.push([{ ...valid, extra: 1 }], [JSON.parse(JSON.stringify(valid).replace('{', '{"__proto__":{"polluted":true},'))]);
  cases.push([{ ...valid, constructor: { prototype: { polluted: true } } }]);
  for (const [key, value] of Object.entries(valid)) {
    const wrong =
      typeof value === 'string' ? [12345, '', HUGE, null, ['a'], {}]
      : typeof value === 'number' ? ['1', -1, 1.5, 1e300, null, true]
      : ['x'.repeat(COHOST_SIGNAL_MAX_BYTES)]; // signal `data` is any JSON of up to 16 KiB: only its size can be wrong (quotes make it 2 over)
    for (const bad of wrong) cases.push([{ ...valid, [key]: bad }]);
  }
  return cases;
}

/** Small seeded PRNG so that a failure can be replayed. */
function rng(seed: number): () => number {
  return () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** Any JSON value, including pollution attempts (`roles: ['admin']` would make a claim-less token an admin). */
function randomValue(rand: () => number, depth = 0): unknown {
  switch (Math.floor(rand() * 14)) {
    case 0: return null;
    case 1: return Math.floor(rand() * 1e9) - 5e8;
    case 2: return rand() * 1e300;
    case 3: return 'x'.repeat(Math.floor(rand() * HUGE.length));
    case 4: return '';
    case 5: return rand() > 0.5;
    case 6: return [1, 'a', null, {}];
    case 7: return JSON.parse('{"__proto__": {"polluted": true, "roles": ["admin"]}, "roomId": "r"}');
    case 8: return { constructor: { prototype: { polluted: true, roles: ['admin'] } } };
    case 9: return { $gt: '' };
    case 10: return '../../etc/passwd\u0000\u200b';
    case 11: return depth < 3 ? { nested: randomValue(rand, depth + 1) } : {};
    case 12: return '🙂'.repeat(Math.floor(rand() * 300));
    default: return 'room-' + Math.floor(rand() * 10);
  }
}

/** A random argument list for an event: mostly its valid payload with one thing changed, sometimes anything. */
function randomArgs(rand: () => number, valid: Payload): unknown[] {
  const r = rand();
  if (r < 0.05) return [];
  if (r < 0.1) return [valid, randomValue(rand)];
  if (r < 0.4) return [randomValue(rand)];
  const keys = Object.keys(valid);
  const key = keys[Math.floor(rand() * keys.length)]!;
  const { [key]: _dropped, ...without } = valid;
  switch (Math.floor(rand() * 5)) {
    case 0: return [valid]; // reaches the services (and answers whatever they answer)
    case 1: return [without];
    case 2: return [{ ...valid, extra: randomValue(rand) }];
    case 3: return [withProto(valid, randomValue(rand))];
    default: return [{ ...valid, [key]: randomValue(rand) }];
  }
}

/** Paths of any `polluted` key in what the gateway returned. */
function pollutedPaths(value: unknown, path = '$'): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [...(k === 'polluted' ? [`${path}.${k}`] : []), ...pollutedPaths(v, `${path}.${k}`)]);
}

const preview = (event: string, args: unknown[]) => `${event} ${JSON.stringify(args).slice(0, 150)}`;
const answered = (event: string, args: unknown[], ack: Ack) => `${preview(event, args)} -> ${JSON.stringify(ack).slice(0, 200)}`;

/**
 * A socket whose requests are counted, and its ACK packets per ack id on the wire: emitWithAck
 * alone would silently drop a second ack, which PROTOCOL §2 forbids.
 */
class Client {
  requests = 0;
  readonly acks = new Map<number, number>();
  constructor(readonly socket: Socket) {
    socket.io.on('packet', (p) => {
      if (p.type === PacketType.ACK || p.type === PacketType.BINARY_ACK) this.acks.set(p.id!, (this.acks.get(p.id!) ?? 0) + 1);
    });
  }
  ask(event: string, args: unknown[]): Promise<Ack> {
    this.requests++;
    return this.socket.timeout(5000).emitWithAck(event, ...args).catch(() => Promise.reject(new Error(`no ack within 5 s: ${preview(event, args)}`)));
  }
}

/** PROTOCOL §2's ack shape with a known code, echoing no `polluted` key. */
function wellFormed(ack: Ack): boolean {
  return typeof ack?.ok === 'boolean' && (ack.ok || CODES.has(ack.error?.code ?? '')) && pollutedPaths(ack).length === 0;
}

let url: string, room: { id: string }, viewer: Client, anon: Client;
const clients: Client[] = [];

async function joinedClient(token?: string): Promise<Client> {
  const client = new Client(await connect(url, token));
  clients.push(client);
  expect(await client.ask(CLIENT_EVENTS.roomJoin, [{ roomId: room.id }])).toMatchObject({ ok: true });
  return client;
}

beforeAll(async () => {
  await system.start();
  url = system.gateways[0]!.url;
  room = await createRoom(url, await tokenFor('host'));
  // Joined, so that no answer can be NOT_IN_ROOM; a plain viewer, so that none comes from moderators' powers.
  viewer = await joinedClient(await tokenFor('viewer'));
  anon = await joinedClient();
});
afterAll(async () => {
  for (const c of clients) c.socket.disconnect();
  await system.stop();
});

it('knows a valid payload for every client event', () => {
  expect(Object.keys(validPayloads('r')).sort()).toEqual([...EVENTS].sort());
});

it('answers INVALID_ARGUMENT to every schema-invalid payload of every event (and of unknown events)', async () => {
  const wrong: string[] = [];
  for (const [event, valid] of Object.entries(validPayloads(room.id))) {
    for (const args of invalidCases(valid)) {
      const ack = await viewer.ask(event, args);
      if (ack.ok || ack.error?.code !== 'INVALID_ARGUMENT') wrong.push(answered(event, args, ack));
    }
  }
  for (const unknown of ['no:such', '__proto__', 'constructor', 'toString', 'cohost:update']) {
    const ack = await viewer.ask(unknown, [{ roomId: room.id }]);
    if (ack.error?.code !== 'INVALID_ARGUMENT') wrong.push(answered(unknown, [{ roomId: room.id }], ack));
  }
  expect(wrong).toEqual([]);
});

it('answers UNAUTHORIZED to every anonymous write, whatever the payload; reads validate as usual', async () => {
  const rand = rng(7);
  const wrong: string[] = [];
  const valid = validPayloads(room.id);
  const check = async (event: string, args: unknown[], expected: string) => {
    const ack = await anon.ask(event, args);
    if (ack.ok || ack.error?.code !== expected) wrong.push(answered(event, args, ack));
  };
  for (const [event, payload] of Object.entries(valid)) {
    if (!READS.has(event)) await check(event, [payload], 'UNAUTHORIZED');
    for (const args of invalidCases(payload)) await check(event, args, READS.has(event) ? 'INVALID_ARGUMENT' : 'UNAUTHORIZED');
  }
  // Random writes (random reads are fuzzed by the signed-in fuzzer below).
  const writes = EVENTS.filter((e) => !READS.has(e));
  for (let i = 0; i < 1000; i++) {
    const event = writes[Math.floor(rand() * writes.length)]!;
    await check(event, randomArgs(rand, valid[event]!), 'UNAUTHORIZED');
  }
  expect(wrong).toEqual([]);
});

it('acks thousands of random payloads on every event, one well-formed ack each within 5 s', async () => {
  const fuzzer = await joinedClient(await tokenFor('fuzzer'));
  const valid = validPayloads(room.id);
  const rand = rng(20261125);
  const problems: string[] = [];
  const perEvent = new Map<string, number>();
  for (let batch = 0; batch < 25; batch++) {
    // 200 requests in flight at once: the gateway and the services behind it see them concurrently.
    const requests = Array.from({ length: 200 }, () => {
      const event = EVENTS[Math.floor(rand() * EVENTS.length)]!;
      perEvent.set(event, (perEvent.get(event) ?? 0) + 1);
      const args = randomArgs(rand, valid[event]!);
      return fuzzer.ask(event, args).then((ack) => wellFormed(ack) || problems.push(answered(event, args, ack)));
    });
    await Promise.all(requests);
    // Events without an ack callback get no ack (there is nothing to answer) and break nothing.
    fuzzer.socket.emit(CLIENT_EVENTS.barrageSend, randomValue(rand));
    fuzzer.socket.emit(CLIENT_EVENTS.roomJoin, 1, 2, 3);
  }
  expect(problems).toEqual([]);
  expect(fuzzer.requests).toBeGreaterThanOrEqual(5000);
  for (const event of EVENTS) expect({ event, fuzzed: (perEvent.get(event) ?? 0) > 100 }).toEqual({ event, fuzzed: true });
});

it('still serves afterwards: every process up, one ack per request, no pollution visible on the wire', async () => {
  // Still serving: a new client joins, sends and receives its own barrage.
  const probeToken = await tokenFor('probe'); // no `roles` claim
  const probe = await connect(url, probeToken);
  const rec = new StreamRecorder(probe, room.id);
  const joined = await rec.join();
  expect(joined).toMatchObject({ ok: true });
  const ack = await probe.emitWithAck(CLIENT_EVENTS.barrageSend, { roomId: room.id, text: 'still alive', clientMsgId: 'alive' });
  expect(ack).toMatchObject({ ok: true });
  await rec.until(ack.seq);
  expect(rec.events.at(-1)).toMatchObject({ text: 'still alive' });

  // Pollution as a client sees it: nothing in the join ack or the REST snapshot...
  expect(pollutedPaths(joined)).toEqual([]);
  const info = await fetch(`${url}/v1/rooms/${room.id}`);
  expect(info.status).toBe(200);
  expect(pollutedPaths(await info.json())).toEqual([]);
  // ...and, since inherited properties never reach JSON, in behaviour: with `roles: ['admin']` on the
  // gateway's Object.prototype, a token without `roles` would be an admin.
  const role = await fetch(`${url}/v1/rooms/${room.id}/role`, { headers: { authorization: `Bearer ${probeToken}` } });
  expect(await role.json()).toEqual({ roomId: room.id, role: 'viewer' });
  expect(await probe.emitWithAck('mod:slowmode', { roomId: room.id, seconds: 0 })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  probe.disconnect();

  // Exactly one ack per request on every fuzzed socket (checked last, so that late duplicates count).
  for (const c of clients) {
    expect([...c.acks.values()].filter((n) => n !== 1)).toEqual([]);
    expect(c.acks.size).toBe(c.requests);
  }
  // Nothing crashed a process.
  expect(system.apps.map((a) => a.name.split('-')[0]).sort()).toEqual(['barrage', 'cohost', 'gateway', 'gifting', 'moderation']);
  for (const app of system.apps) expect({ app: app.name, exitCode: app.process.exitCode, signal: app.process.signalCode }).toEqual({ app: app.name, exitCode: null, signal: null });
});
