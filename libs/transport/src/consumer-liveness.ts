import type { Redis } from 'ioredis';

/**
 * Liveness of consumers in a service's consumer group, and recovery of the work a dead one left.
 *
 * Every consumer keeps `${stream}:alive:${consumer}` alive (PX deadAfterMs, refreshed every
 * heartbeat). A consumer whose key is gone is dead: its pending entries (read, not yet acked)
 * are XCLAIMed by a live replica. The key is the only signal used, so a live consumer's entries
 * are never taken, however slow its handlers are.
 *
 * XCLAIM is given a min-idle-time: claiming resets an entry's idle time, so when two replicas
 * race for the same entry the second XCLAIM finds it "too fresh" and skips it.
 */

/** A raw stream entry as ioredis returns it: [id, [field, value, ...]]. */
export type RawEntry = [id: string, fields: unknown];

export interface ConsumerInfo {
  name: string;
  pending: number;
  idleMs: number;
}

export function aliveKey(stream: string, consumer: string): string {
  return `${stream}:alive:${consumer}`;
}

export async function refreshLiveness(redis: Redis, stream: string, consumer: string, deadAfterMs: number): Promise<void> {
  await redis.set(aliveKey(stream, consumer), '1', 'PX', deadAfterMs);
}

export async function dropLiveness(redis: Redis, stream: string, consumer: string): Promise<void> {
  await redis.del(aliveKey(stream, consumer));
}

/** XINFO CONSUMERS, parsed. Returns [] if the group or stream does not exist (yet). */
export async function listConsumers(redis: Redis, stream: string, group: string): Promise<ConsumerInfo[]> {
  let raw: unknown;
  try {
    raw = await redis.xinfo('CONSUMERS', stream, group);
  } catch (error) {
    if (isNoGroupError(error)) return [];
    throw error;
  }
  if (!Array.isArray(raw)) return [];
  const consumers: ConsumerInfo[] = [];
  for (const item of raw as unknown[]) {
    if (!Array.isArray(item)) continue;
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < item.length; i += 2) info.set(String(item[i]), item[i + 1]);
    const name = info.get('name');
    if (typeof name !== 'string') continue;
    consumers.push({ name, pending: Number(info.get('pending') ?? 0), idleMs: Number(info.get('idle') ?? 0) });
  }
  return consumers;
}

/** The other consumers of the group whose liveness key is missing. */
export async function findDeadConsumers(
  redis: Redis,
  stream: string,
  group: string,
  self: string,
): Promise<ConsumerInfo[]> {
  const others = (await listConsumers(redis, stream, group)).filter((c) => c.name !== self);
  if (others.length === 0) return [];
  const exists = await redis.mget(...others.map((c) => aliveKey(stream, c.name)));
  return others.filter((_, i) => exists[i] === null);
}

/**
 * Moves up to `count` of a dead consumer's pending entries to `self` and returns them.
 * Only entries idle for at least `minIdleMs` are taken (see the race note above).
 */
export async function claimFrom(
  redis: Redis,
  stream: string,
  group: string,
  dead: string,
  self: string,
  minIdleMs: number,
  count: number,
): Promise<RawEntry[]> {
  const pending = (await redis.xpending(stream, group, 'IDLE', minIdleMs, '-', '+', count, dead)) as unknown[];
  const ids = pending.flatMap((row) => (Array.isArray(row) && typeof row[0] === 'string' ? [row[0]] : []));
  if (ids.length === 0) return [];
  const claimed = (await redis.xclaim(stream, group, self, minIdleMs, ...ids)) as unknown[];
  // Entries deleted from the stream come back as nil (or not at all): nothing left to handle.
  return claimed.filter(isRawEntry);
}

/** Removes a dead consumer once it owns nothing; its entries would be lost otherwise. */
export async function removeConsumerIfIdle(
  redis: Redis,
  stream: string,
  group: string,
  consumer: ConsumerInfo,
  deadAfterMs: number,
): Promise<boolean> {
  if (consumer.pending > 0 || consumer.idleMs < deadAfterMs) return false;
  await redis.xgroup('DELCONSUMER', stream, group, consumer.name);
  return true;
}

export function isRawEntry(value: unknown): value is RawEntry {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string';
}

export function isNoGroupError(error: unknown): boolean {
  return error instanceof Error && /NOGROUP|no such key/i.test(error.message);
}
