/**
 * gift-bench load phase: N viewer sockets (raw Socket.IO client) send `gift:send` at a steady total
 * rate; one observer socket in the room timestamps every `gift` room event by txId.
 */
import type { Histogram } from 'hdr-histogram-js';
import { AckTimeoutError, DisconnectedError, RawSioClient } from './sio-raw-client.js';
import { mapLimit } from './gift-bench-procs.js';
import { joinRoom } from './protocol.js';
import { newLatencyHistogram, nowMs, recordUs } from './stats.js';

const JOIN_TIMEOUT_MS = 10_000;

export interface LoadOptions {
  /** Gateway URLs: viewer i connects to urls[i % n], the observer to the first. */
  urls: string[];
  roomId: string;
  giftId: string;
  rate: number;
  /** Sent at the rate before the measured window, and not measured (JIT, caches, plans warm up). */
  warmupSec: number;
  durationSec: number;
  drainSec: number;
  ackTimeoutMs: number;
  runId: string;
  /** Viewer tokens, one per socket. */
  viewerTokens: string[];
  observerToken: string;
  /** Called when the measured window starts (after the warm-up). */
  onWindowStart?: () => void;
}

export interface LoadResult {
  /** Sent in the measured window (the warm-up's are in warmupSent). */
  sent: number;
  warmupSent: number;
  sendWindowSec: number;
  /** Acked ok, of those sent in the window. */
  ackOk: number;
  /** Error acks by code, for the whole run (warm-up included). */
  errors: Record<string, number>;
  ackHist: Histogram;
  /** Room event arrival − ack arrival (commit → room as a client sees it). */
  commitToRoomHist: Histogram;
  /** Room event arrival − send. */
  sendToRoomHist: Histogram;
  /** Events that arrived before their ack (counted as 0 in commitToRoom). */
  eventBeforeAck: number;
  missingInRoom: number;
  duplicateTxIds: number;
  /** gift events whose txId was not acked ok by us (e.g. committed after an ack timeout). */
  unknownTxIds: number;
  drainWaitSec: number;
  socketsLost: number;
}

interface Sent {
  sendAt: number;
  ackAt: number;
  /** Sent in the measured window. */
  measured: boolean;
}

type Ack = { ok: true; txId: string } | { ok: false; code: string };

function parseGiftAck(args: unknown[]): Ack {
  const a = args[0] as { ok?: unknown; txId?: unknown; error?: { code?: unknown } } | undefined;
  if (a?.ok === true && typeof a.txId === 'string') return { ok: true, txId: a.txId };
  const code = a?.error?.code;
  return { ok: false, code: typeof code === 'string' ? code : 'BAD_ACK' };
}

export async function connectViewers(o: LoadOptions): Promise<{ viewers: RawSioClient[]; observer: RawSioClient }> {
  const observer = await RawSioClient.connect(o.urls[0] as string, { auth: { token: o.observerToken }, connectTimeoutMs: 15_000 });
  await joinRoom(observer, o.roomId, JOIN_TIMEOUT_MS);
  const viewers: RawSioClient[] = new Array<RawSioClient>(o.viewerTokens.length);
  await mapLimit(o.viewerTokens.length, 50, async (i) => {
    const c = await RawSioClient.connect(o.urls[i % o.urls.length] as string, { auth: { token: o.viewerTokens[i] }, connectTimeoutMs: 15_000 });
    await joinRoom(c, o.roomId, JOIN_TIMEOUT_MS);
    viewers[i] = c;
  });
  return { viewers, observer };
}

export async function runLoad(o: LoadOptions, viewers: RawSioClient[], observer: RawSioClient): Promise<LoadResult> {
  const arrivals = new Map<string, number>();
  let duplicateTxIds = 0;
  observer.onRaw('room:events', (frame) => {
    const t = nowMs();
    const parsed = JSON.parse(frame.slice(2)) as [string, { events?: { type?: string; txId?: string }[] }];
    for (const e of parsed[1]?.events ?? []) {
      if (e.type !== 'gift' || typeof e.txId !== 'string') continue;
      if (arrivals.has(e.txId)) duplicateTxIds++;
      else arrivals.set(e.txId, t);
    }
  });

  const acked = new Map<string, Sent>();
  const errors: Record<string, number> = {};
  const ackHist = newLatencyHistogram();
  let sent = 0;
  let sentInWindow = 0;
  let ackOk = 0;
  let inflight = 0;
  let socketsLost = 0;
  for (const v of viewers) v.onClose(() => socketsLost++);

  const sendOne = (n: number): void => {
    const client = viewers[n % viewers.length] as RawSioClient;
    const payload = { roomId: o.roomId, giftId: o.giftId, count: 1, idempotencyKey: `gb-${o.runId}-${n}` };
    const sendAt = nowMs();
    const measured = sendAt >= windowStart;
    if (measured) sentInWindow++;
    inflight++;
    client.emitWithAck('gift:send', payload, o.ackTimeoutMs).then(
      (args) => {
        const ackAt = nowMs();
        inflight--;
        if (measured) recordUs(ackHist, ackAt - sendAt);
        const a = parseGiftAck(args);
        if (a.ok) {
          if (measured) ackOk++;
          acked.set(a.txId, { sendAt, ackAt, measured });
        } else errors[a.code] = (errors[a.code] ?? 0) + 1;
      },
      (err: unknown) => {
        inflight--;
        const code = err instanceof AckTimeoutError ? 'ACK_TIMEOUT' : err instanceof DisconnectedError ? 'DISCONNECTED' : 'CLIENT_ERROR';
        errors[code] = (errors[code] ?? 0) + 1;
      },
    );
  };

  // Steady pacing: every 2 ms, send what is due by the clock (catches up after event-loop stalls).
  const total = Math.round(o.rate * (o.warmupSec + o.durationSec));
  const t0 = nowMs();
  const windowStart = t0 + o.warmupSec * 1000;
  let windowStarted = false;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = nowMs();
      if (!windowStarted && now >= windowStart) {
        windowStarted = true;
        o.onWindowStart?.();
      }
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * o.rate));
      while (sent < due) sendOne(sent++);
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  const sendWindowSec = (nowMs() - windowStart) / 1000;

  // Outstanding acks settle within ackTimeoutMs; then wait for the room to show every acked gift.
  const waitUntil = async (cond: () => boolean, ms: number): Promise<void> => {
    const end = nowMs() + ms;
    while (!cond() && nowMs() < end) await new Promise((r) => setTimeout(r, 20));
  };
  await waitUntil(() => inflight === 0, o.ackTimeoutMs + 1000);
  const d0 = nowMs();
  const allArrived = (): boolean => {
    for (const tx of acked.keys()) if (!arrivals.has(tx)) return false;
    return true;
  };
  let lastCheck = 0;
  await waitUntil(() => {
    // allArrived is O(n); check it at most every 200 ms.
    if (nowMs() - lastCheck < 200) return false;
    lastCheck = nowMs();
    return allArrived();
  }, o.drainSec * 1000);
  const drainWaitSec = (nowMs() - d0) / 1000;

  const commitToRoomHist = newLatencyHistogram();
  const sendToRoomHist = newLatencyHistogram();
  let missingInRoom = 0;
  let eventBeforeAck = 0;
  for (const [tx, s] of acked) {
    const at = arrivals.get(tx);
    if (at === undefined) {
      missingInRoom++;
      continue;
    }
    if (!s.measured) continue;
    if (at < s.ackAt) eventBeforeAck++;
    recordUs(commitToRoomHist, Math.max(0, at - s.ackAt));
    recordUs(sendToRoomHist, at - s.sendAt);
  }
  let unknownTxIds = 0;
  for (const tx of arrivals.keys()) if (!acked.has(tx)) unknownTxIds++;
  return {
    sent: sentInWindow,
    warmupSent: sent - sentInWindow,
    sendWindowSec,
    ackOk,
    errors,
    ackHist,
    commitToRoomHist,
    sendToRoomHist,
    eventBeforeAck,
    missingInRoom,
    duplicateTxIds,
    unknownTxIds,
    drainWaitSec,
    socketsLost,
  };
}
