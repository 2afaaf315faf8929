import { Redis, type RedisOptions } from 'ioredis';

/**
 * One place that decides how liveroom talks to Redis. Commands fail fast while Redis is down
 * (no unbounded offline queue), so callers can answer UNAVAILABLE instead of hanging.
 */
export function createRedis(url: string, connectionName: string, extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    connectionName,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    ...extra,
  });
  // Without a listener ioredis prints every reconnect error; one line per outage is enough.
  let reported = false;
  redis.on('error', (error: Error) => {
    if (!reported) process.stderr.write(`redis ${connectionName}: ${error.message}\n`);
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  return redis;
}

/** Resolves once the connection is ready (or rejects after timeoutMs). */
export async function waitReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}

export async function quietQuit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
