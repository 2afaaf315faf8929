import { SignJWT } from 'jose';
import { io, type Socket } from 'socket.io-client';

export const DEV_SECRET = 'liveroom-dev-secret';

export async function tokenFor(sub: string, extra: { name?: string; roles?: string[]; expiresIn?: string } = {}): Promise<string> {
  const { expiresIn = '1h', ...claims } = extra;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(DEV_SECRET));
}

/** A stock socket.io-client connected to a gateway (rejects on connect_error). */
export async function connect(url: string, token?: string, transports: ('websocket' | 'polling')[] = ['websocket']): Promise<Socket> {
  const socket = io(url, { auth: token === undefined ? {} : { token }, transports, reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

export async function createRoom(url: string, hostToken: string, title = 'test room'): Promise<{ id: string; hostId: string }> {
  const res = await fetch(`${url}/v1/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${hostToken}` },
    body: JSON.stringify({ title }),
  });
  if (res.status !== 201) throw new Error(`create room: ${res.status} ${await res.text()}`);
  return (await res.json()) as { id: string; hostId: string };
}

export interface ReceivedEvent {
  seq: number;
  type: string;
  [field: string]: unknown;
}

/** Collects what a viewer receives for one room: the join's missed events, then frames. */
export class StreamRecorder {
  readonly events: ReceivedEvent[] = [];
  /** The seq the stream continues from (room.seq of the join, or its sinceSeq). */
  from = 0;
  /** Frames that arrived before the join's ack (a protocol violation if any). */
  framesBeforeJoin = 0;
  private joined = false;
  private waiters: { seq: number; resolve: () => void }[] = [];

  constructor(
    readonly socket: Socket,
    readonly roomId: string,
  ) {
    socket.on('room:events', (frame: { roomId: string; events: ReceivedEvent[] }) => {
      if (frame.roomId !== roomId) return;
      if (!this.joined) this.framesBeforeJoin++;
      this.add(frame.events);
    });
  }

  /**
   * Joins with an ack callback (not emitWithAck): the callback runs as the ack packet is read, so
   * `missed` is recorded before any frame that followed it on the wire.
   */
  join(sinceSeq?: number, timeoutMs = 10_000): Promise<{ ok: boolean; room?: { seq: number }; missed?: ReceivedEvent[]; resync?: boolean; error?: { code: string } }> {
    return new Promise((resolve, reject) => {
      const payload = sinceSeq === undefined ? { roomId: this.roomId } : { roomId: this.roomId, sinceSeq };
      this.socket.timeout(timeoutMs).emit('room:join', payload, (error: Error | null, ack: { ok: boolean; room?: { seq: number }; missed?: ReceivedEvent[]; resync?: boolean }) => {
        if (error) return reject(error);
        if (ack.ok) {
          this.joined = true;
          this.from = sinceSeq !== undefined && !ack.resync ? sinceSeq : (ack.room?.seq ?? 0);
          if (ack.missed) this.add(ack.missed);
          else this.add([]);
        }
        resolve(ack);
      });
    });
  }

  add(events: ReceivedEvent[]): void {
    this.events.push(...events);
    const last = this.lastSeq;
    this.waiters = this.waiters.filter((w) => (w.seq <= last ? (w.resolve(), false) : true));
  }

  /** The newest seq this viewer has: its last event, or the join point when nothing came since. */
  get lastSeq(): number {
    return this.events.at(-1)?.seq ?? this.from;
  }

  /** Resolves once an event with seq >= `seq` arrived. */
  until(seq: number, timeoutMs = 15_000): Promise<void> {
    if (this.lastSeq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`seq ${seq} not received (last ${this.lastSeq}, joined at ${this.from}, ${this.events.length} events, connected ${this.socket.connected})`)), timeoutMs);
      this.waiters.push({ seq, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/** Asserts a strictly increasing, gap-free run of seqs starting right after `from`. */
export function continuityProblems(seqs: number[], from: number): string[] {
  const problems: string[] = [];
  let expected = from + 1;
  for (const seq of seqs) {
    if (seq !== expected) problems.push(`expected ${expected}, got ${seq}`);
    expected = seq + 1;
  }
  return problems;
}

/**
 * Everything a socket receives of one event, kept from creation on, so a test can await a
 * message that may already have arrived: `next(match)` resolves with the first unconsumed match.
 */
export class EventInbox<T = unknown> {
  private readonly received: T[] = [];
  private waiters: { match: (p: T) => boolean; resolve: (p: T) => void }[] = [];

  constructor(
    socket: Socket,
    readonly event: string,
  ) {
    socket.on(event, (payload: T) => {
      const waiter = this.waiters.find((w) => w.match(payload));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(payload);
      } else this.received.push(payload);
    });
  }

  next(match: (p: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    const index = this.received.findIndex(match);
    if (index >= 0) return Promise.resolve(this.received.splice(index, 1)[0] as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching ${this.event} within ${timeoutMs} ms; got ${JSON.stringify(this.received).slice(0, 500)}`));
      }, timeoutMs);
      const done = (p: T) => {
        clearTimeout(timer);
        resolve(p);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  /** Unconsumed messages so far. */
  get pending(): readonly T[] {
    return this.received;
  }
}

/**
 * Runs a test body; when it fails, the error message gets `diagnostics()` appended (browser logs,
 * server output), so a CI failure explains itself.
 */
export async function withDiagnostics(work: () => Promise<void>, diagnostics: () => Promise<string>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof Error) {
      const message = `${error.message}\n${await diagnostics()}`;
      error.stack = error.stack?.replace(error.message, message);
      error.message = message;
    }
    throw error;
  }
}
