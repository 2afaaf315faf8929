/**
 * Baseline: a deliberately plain Socket.IO implementation of the liveroom protocol subset the loadgen uses
 * (POST /v1/rooms, room:join, barrage:send). Redis adapter, Redis INCR per message, and one
 * `io.to(room).emit('room:events', ...)` per message — no batching. The comparison point for the gateway.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { jwtVerify } from 'jose';
import { Server, type Socket } from 'socket.io';

const PORT = Number(process.env.PORT ?? 3100);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = new TextEncoder().encode(process.env.JWT_SECRET ?? 'liveroom-dev-secret');
const P = 'baseline:';

interface User {
  id: string;
  name: string;
}
type Ack = (res: unknown) => void;

const redis = new Redis(REDIS_URL);
const sub = redis.duplicate();

async function verify(token: string): Promise<User> {
  const { payload } = await jwtVerify(token, SECRET, { algorithms: ['HS256'] });
  if (typeof payload.sub !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(payload.sub)) throw new Error('bad sub');
  return { id: payload.sub, name: typeof payload.name === 'string' ? payload.name.slice(0, 32) : payload.sub };
}

const fail = (code: string, message = code): unknown => ({ ok: false, error: { code, message } });

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024) throw new Error('too large');
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString() || '{}');
}

const http = createServer((req, res) => {
  void (async () => {
    if (req.method === 'GET' && req.url === '/healthz') return json(res, 200, { ok: true });
    if (req.method !== 'POST' || req.url !== '/v1/rooms') return json(res, 404, { error: { code: 'NOT_FOUND', message: 'not found' } });
    const auth = req.headers.authorization ?? '';
    let user: User;
    try {
      user = await verify(auth.replace(/^Bearer /, ''));
    } catch {
      return json(res, 401, { error: { code: 'UNAUTHORIZED', message: 'bad token' } });
    }
    let body: unknown;
    try {
      body = await readBody(req);
    } catch {
      return json(res, 400, { error: { code: 'INVALID_ARGUMENT', message: 'bad body' } });
    }
    const title = (body as { title?: unknown } | null)?.title;
    if (typeof title !== 'string' || !title.trim() || title.length > 100) {
      return json(res, 400, { error: { code: 'INVALID_ARGUMENT', message: 'title' } });
    }
    const room = { id: randomUUID(), title: title.trim(), hostId: user.id, createdAt: new Date().toISOString() };
    await redis.hset(`${P}room:${room.id}`, room);
    json(res, 201, room);
  })().catch(() => json(res, 500, { error: { code: 'INTERNAL', message: 'internal' } }));
});

const io = new Server(http, { maxHttpBufferSize: 16 * 1024, adapter: createAdapter(redis, sub, { key: `${P}socket.io` }) });

io.use((socket, next) => {
  const token: unknown = socket.handshake.auth?.token;
  if (token === undefined || token === null || token === '') return next(); // anonymous, read-only
  if (typeof token !== 'string') return next(new Error('UNAUTHORIZED'));
  verify(token).then(
    (user) => {
      socket.data.user = user;
      next();
    },
    () => next(new Error('UNAUTHORIZED')),
  );
});

// 5 msg/s, burst 10, per user (in memory: fine for a single node, approximate across nodes).
const buckets = new Map<string, { tokens: number; at: number }>();
function allow(userId: string): boolean {
  const now = Date.now();
  const b = buckets.get(userId) ?? { tokens: 10, at: now };
  b.tokens = Math.min(10, b.tokens + ((now - b.at) / 1000) * 5);
  b.at = now;
  buckets.set(userId, b);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

function handler(socket: Socket, fn: (payload: Record<string, unknown>, user: User | undefined) => Promise<unknown>) {
  return (payload: unknown, ack: unknown): void => {
    if (typeof ack !== 'function') return;
    if (typeof payload !== 'object' || payload === null) return void (ack as Ack)(fail('INVALID_ARGUMENT'));
    fn(payload as Record<string, unknown>, socket.data.user as User | undefined).then(
      (r) => (ack as Ack)(r),
      () => (ack as Ack)(fail('INTERNAL')),
    );
  };
}

io.on('connection', (socket) => {
  socket.on(
    'room:join',
    handler(socket, async ({ roomId }) => {
      if (typeof roomId !== 'string' || roomId.length > 64) return fail('INVALID_ARGUMENT');
      const room = await redis.hgetall(`${P}room:${roomId}`);
      if (!room.id) return fail('ROOM_NOT_FOUND');
      await socket.join(roomId);
      const seq = Number((await redis.get(`${P}room:${roomId}:seq`)) ?? 0);
      return {
        ok: true,
        room: { id: room.id, title: room.title, hostId: room.hostId, live: true, seq, viewers: 0, likes: 0, slowModeSec: 0, cohosts: [], recent: [] },
      };
    }),
  );

  socket.on(
    'barrage:send',
    handler(socket, async ({ roomId, text, clientMsgId }, user) => {
      if (!user) return fail('UNAUTHORIZED');
      if (typeof roomId !== 'string' || typeof text !== 'string' || typeof clientMsgId !== 'string') return fail('INVALID_ARGUMENT');
      const t = text.trim();
      if (t.length < 1 || t.length > 200 || clientMsgId.length < 1 || clientMsgId.length > 64) return fail('INVALID_ARGUMENT');
      if (!socket.rooms.has(roomId)) return fail('NOT_IN_ROOM');
      if (!allow(user.id)) return { ok: false, error: { code: 'RATE_LIMITED', message: 'slow down', retryAfterMs: 200 } };
      const seq = await redis.incr(`${P}room:${roomId}:seq`);
      const id = randomUUID();
      const event = { seq, type: 'barrage', ts: Date.now(), id, userId: user.id, name: user.name, text: t };
      io.to(roomId).emit('room:events', { roomId, events: [event] });
      return { ok: true, seq, id };
    }),
  );
});

http.listen(PORT, () => console.log(`baseline listening on :${PORT} (pid ${process.pid})`));

const stop = (): void => {
  io.close();
  redis.disconnect();
  sub.disconnect();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
