/** liveroom protocol bits the loadgen needs (see /work/shared/PROTOCOL.md §1-4, §7). */
import { SignJWT } from 'jose';
import { z } from 'zod';
import { parseSioPacket, SIO_EVENT } from './sio-packets.js';
import type { RawSioClient } from './sio-raw-client.js';

export async function signToken(secret: string, sub: string, name: string, ttlSec = 6 * 3600): Promise<string> {
  return new SignJWT({ name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSec)
    .sign(new TextEncoder().encode(secret));
}

const errorAck = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.string(), message: z.string().optional(), retryAfterMs: z.number().optional() }),
});

const joinOk = z.object({
  ok: z.literal(true),
  room: z.object({ seq: z.number().int().nonnegative() }).loose(),
  missed: z.array(z.object({ seq: z.number().int() }).loose()).optional(),
  resync: z.boolean().optional(),
});

const barrageOk = z.object({ ok: z.literal(true), seq: z.number().int().positive(), id: z.string() }).loose();

export type AckResult<T> = { ok: true; value: T } | { ok: false; code: string };

function readAck<T>(args: unknown[], okSchema: z.ZodType<T>): AckResult<T> {
  const first = args[0];
  const ok = okSchema.safeParse(first);
  if (ok.success) return { ok: true, value: ok.data };
  const err = errorAck.safeParse(first);
  if (err.success) return { ok: false, code: err.data.error.code };
  return { ok: false, code: 'BAD_ACK' };
}

export interface JoinResult {
  seq: number;
  missed: number[];
}

export function readJoinAck(args: unknown[]): AckResult<JoinResult> {
  const r = readAck(args, joinOk);
  if (!r.ok) return r;
  return { ok: true, value: { seq: r.value.room.seq, missed: (r.value.missed ?? []).map((e) => e.seq) } };
}

export function readBarrageAck(args: unknown[]): AckResult<{ seq: number; id: string }> {
  const r = readAck(args, barrageOk);
  if (!r.ok) return r;
  return { ok: true, value: { seq: r.value.seq, id: r.value.id } };
}

/** Joins a room; unless the join is acked ok, closes the client and throws. */
export async function joinRoom(client: RawSioClient, roomId: string, timeoutMs: number): Promise<JoinResult> {
  try {
    const r = readJoinAck(await client.emitWithAck('room:join', { roomId }, timeoutMs));
    if (!r.ok) throw new Error(`room:join answered ${r.code}`);
    return r.value;
  } catch (e) {
    client.terminate();
    throw e;
  }
}

/** Barrage text carrying the send timestamp: `lg <epochMs.3f> <sender>/<n>`. */
export function barrageText(sendTs: number, sender: number, n: number): string {
  return `lg ${sendTs.toFixed(3)} ${sender}/${n}`;
}

export function sendTsFromText(text: unknown): number {
  if (typeof text !== 'string' || !text.startsWith('lg ')) return NaN;
  const end = text.indexOf(' ', 3);
  return Number(end === -1 ? text.slice(3) : text.slice(3, end));
}

/** A decoded `room:events` frame reduced to what verification needs. */
export interface DecodedFrame {
  roomId: string;
  seqs: number[];
  /** NaN for events not produced by the loadgen. */
  sendTs: number[];
}

/** Decodes a raw `42["room:events",{roomId,events}]` frame; undefined when malformed. */
export function decodeRoomEventsFrame(frame: string): DecodedFrame | undefined {
  let p;
  try {
    p = parseSioPacket(frame);
  } catch {
    return undefined;
  }
  if (p.type !== SIO_EVENT) return undefined;
  const body = p.args[0] as { roomId?: unknown; events?: unknown } | undefined;
  if (!body || typeof body.roomId !== 'string' || !Array.isArray(body.events)) return undefined;
  const seqs: number[] = [];
  const sendTs: number[] = [];
  for (const ev of body.events as unknown[]) {
    const e = ev as { seq?: unknown; text?: unknown } | null;
    if (!e || typeof e.seq !== 'number') return undefined;
    seqs.push(e.seq);
    sendTs.push(sendTsFromText(e.text));
  }
  return { roomId: body.roomId, seqs, sendTs };
}

interface CachedFrame {
  bytes: Buffer;
  decoded: DecodedFrame | null;
}

/**
 * Identical broadcast frames received by many viewers of one worker are decoded once. A frame is
 * recognised by its bytes (a memcmp against the few most recent frames): no string is made and
 * hashed per viewer, and the frames of one tick reach all the viewers before the next tick's.
 */
export class FrameCache {
  private readonly recent: CachedFrame[] = [];
  private next = 0;
  hits = 0;
  misses = 0;
  constructor(private readonly size = 8) {}

  /** The decoded frame of bytes buf[start, end) (undefined if it is no valid room:events frame). */
  get(buf: Buffer, start: number, end: number): DecodedFrame | undefined {
    const len = end - start;
    // Newest first: most lookups are for the frame just seen on the previous socket.
    for (let k = 0, i = this.next - 1; k < this.recent.length; k++, i--) {
      const c = this.recent[(i + this.recent.length) % this.recent.length] as CachedFrame;
      if (c.bytes.length === len && buf.compare(c.bytes, 0, len, start, end) === 0) {
        this.hits++;
        return c.decoded ?? undefined;
      }
    }
    this.misses++;
    const decoded = decodeRoomEventsFrame(buf.toString('utf8', start, end)) ?? null;
    this.recent[this.next] = { bytes: Buffer.from(buf.subarray(start, end)), decoded };
    this.next = (this.next + 1) % this.size;
    return decoded ?? undefined;
  }
}

const createRoomRes = z.object({ id: z.string().min(1) }).loose();

export async function createRoom(baseUrl: string, token: string, title: string, timeoutMs = 10_000): Promise<string> {
  let res: Response;
  try {
    res = await fetch(new URL('/v1/rooms', baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ title }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
    const detail = cause ? ` (${String(cause.code ?? cause.message)})` : '';
    throw new Error(`POST ${baseUrl}/v1/rooms: ${(e as Error).message}${detail}`);
  }
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /v1/rooms answered ${res.status}: ${text.slice(0, 300)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`POST /v1/rooms answered non-JSON: ${text.slice(0, 300)}`);
  }
  const parsed = createRoomRes.safeParse(body);
  if (!parsed.success) throw new Error(`POST /v1/rooms answered without id: ${text.slice(0, 300)}`);
  return parsed.data.id;
}
