import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/** One finished stream entry: its reply (requests only) and the entry to acknowledge and delete. */
export interface Completion {
  entryId: string;
  replyTo?: string;
  payload?: string;
}

interface Queued extends Completion {
  resolve(): void;
  reject(error: unknown): void;
}

/** Completions written in one MULTI at most: bounds the size of a single Redis command batch. */
const MAX_BATCH = 256;
const ATTEMPTS = 3;

/**
 * Finishes handled entries in batches: every completion queued in one event-loop turn goes to Redis
 * as one MULTI (the replies' PUBLISHes, then one XACK and one XDEL for all their ids), so a replica
 * under load pays one round trip per batch instead of one per request. Still atomic per entry: an
 * entry is acknowledged exactly when its reply is published. While a batch is in flight the next
 * one gathers, so an idle replica answers at once and a busy one batches more.
 */
export class CompletionBatcher {
  private queue: Queued[] = [];
  private scheduled = false;
  private inFlight = false;

  constructor(
    private readonly cmd: () => Redis,
    private readonly stream: string,
    private readonly group: string,
  ) {}

  /** Resolves once the entry is acknowledged (and its reply published); rejects after 3 failed attempts. */
  finish(completion: Completion): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...completion, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (batch.length === 0) return;
    this.inFlight = true;
    try {
      await this.write(batch);
      for (const c of batch) c.resolve();
    } catch (error) {
      for (const c of batch) c.reject(error);
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }

  /** One MULTI for the batch; retried on connection blips (a repeated PUBLISH is ignored by the caller). */
  private async write(batch: Queued[]): Promise<void> {
    const ids = batch.map((c) => c.entryId);
    for (let attempt = 1; ; attempt++) {
      try {
        const tx = this.cmd().multi();
        for (const c of batch) if (c.replyTo && c.payload !== undefined) tx.publish(c.replyTo, c.payload);
        await tx.xack(this.stream, this.group, ...ids).xdel(this.stream, ...ids).exec();
        return;
      } catch (error) {
        if (attempt >= ATTEMPTS) throw error;
        await delay(200 * attempt);
      }
    }
  }
}
