/**
 * Concurrent calls for the same key share one in-flight promise; nothing is kept once it settles, so a
 * caller never gets a result read before its call started... except from a read already in flight,
 * which is as fresh as the caller could have hoped for anyway (the read could have been the caller's).
 * Why: when a node dies, its clients rejoin their rooms on the other nodes in the same instant, and
 * every join of a room would otherwise read the same room state from Redis.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  run(key: string, read: () => Promise<V>): Promise<V> {
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const started = read().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  /** Keys with a read in flight (for tests and metrics). */
  get size(): number {
    return this.inFlight.size;
  }
}
