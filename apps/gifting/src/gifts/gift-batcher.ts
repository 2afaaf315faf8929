import type pg from 'pg';
import type { StoredRow } from '../idempotency/idempotency.service.js';

/** One gift ready to be written: what gifting_send_gifts takes per element. */
export interface GiftOrder {
  userId: string;
  key: string;
  /** Canonical request text, stored with the key (a retry with other parameters is a conflict). */
  request: string;
  roomId: string;
  hostId: string;
  giftId: string;
  count: number;
  value: number;
  hostAmount: number;
  platformAmount: number;
  txId: string;
  /** The room event's JSON, stored in the outbox. */
  event: string;
}

export interface GiftBatcherOptions {
  /** Gifts per statement at most. */
  maxBatch: number;
  /** Statements in flight at once; more gifts wait and form the next batch. */
  maxInFlight: number;
}

interface Waiting {
  order: GiftOrder;
  resolve(row: StoredRow): void;
  reject(error: unknown): void;
}

/** gifting_send_gifts' parameters in order: one array per field, one element per gift. */
const COLUMNS = [
  'userId', 'key', 'request', 'roomId', 'hostId', 'giftId', 'count', 'value', 'hostAmount', 'platformAmount', 'txId', 'event',
] as const satisfies readonly (keyof GiftOrder)[];

const SEND_GIFTS: Omit<pg.QueryConfig, 'values'> = {
  name: 'gifting_send_gifts',
  text: `SELECT idx, request, result, error_code, error_message
         FROM gifting_send_gifts(${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
};

const RETRIES = 5;

/**
 * The statement rolled back entirely and can simply run again: a concurrent duplicate of one of its
 * gifts committed first (the retry finds its key and replays it), or a deadlock / serialization failure.
 */
function isRetryable(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  return e.code === '40P01' || e.code === '40001' || (e.code === '23505' && e.constraint === 'idempotency_keys_pkey');
}

/**
 * Writes gifts in batches (group commit): each batch is one gifting_send_gifts statement, so one round
 * trip and one WAL flush for all of its gifts. An idle service sends a gift at once (after the current
 * event-loop turn); under load, gifts that arrive while `maxInFlight` statements run wait for the next
 * batch, so batches grow with the load instead of the queue of round trips.
 *
 * Each gift keeps its own outcome: the statement stores every gift's result under its idempotency key.
 * The same (user, key) twice in one batch is sent once and both get the stored record. A batch that
 * lost a race with a concurrent duplicate runs again (it then replays the duplicate's result); one
 * that fails for another reason is halved until the bad gift is alone, so it fails alone.
 */
export class GiftBatcher {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly pool: () => pg.Pool,
    private readonly options: GiftBatcherOptions,
  ) {}

  /** The gift's idempotency record once its batch committed (this call's, or the one stored before). */
  submit(order: GiftOrder): Promise<StoredRow> {
    return new Promise<StoredRow>((resolve, reject) => {
      this.queue.push({ order, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
        void this.run(this.queue.splice(0, this.options.maxBatch));
      }
    });
  }

  private async run(batch: Waiting[]): Promise<void> {
    this.inFlight++;
    try {
      await this.send(batch);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  private async send(batch: Waiting[]): Promise<void> {
    const groups = groupByKey(batch);
    try {
      const rows = await this.execute(groups.map((g) => g[0]!.order));
      groups.forEach((group, i) => {
        const row = rows.get(i + 1);
        for (const w of group) {
          if (row) w.resolve(row);
          else w.reject(new Error(`gifting_send_gifts returned no row for ${i + 1}`));
        }
      });
    } catch (error) {
      if (groups.length === 1) {
        for (const w of batch) w.reject(error);
        return;
      }
      // Something in the batch failed the whole statement: halve it until the bad gift is alone.
      // One half after the other, so a failure never multiplies the statements on the pool.
      const half = Math.ceil(groups.length / 2);
      await this.send(groups.slice(0, half).flat());
      await this.send(groups.slice(half).flat());
    }
  }

  private async execute(orders: GiftOrder[]): Promise<Map<number, StoredRow>> {
    const values = COLUMNS.map((column) => orders.map((o) => o[column]));
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.pool().query<StoredRow & { idx: number }>({ ...SEND_GIFTS, values });
        return new Map(res.rows.map((row) => [row.idx, row]));
      } catch (error) {
        if (attempt >= RETRIES || !isRetryable(error)) throw error;
      }
    }
  }
}

/**
 * The batch's gifts grouped by (user, key), first occurrence first, groups sorted by (user, key): the
 * statement claims keys and locks wallets in array order, and one global order keeps concurrent
 * batches from deadlocking.
 */
function groupByKey(batch: Waiting[]): Waiting[][] {
  const groups = new Map<string, Waiting[]>();
  for (const w of batch) {
    const id = `${w.order.userId}\u0000${w.order.key}`;
    const group = groups.get(id);
    if (group) group.push(w);
    else groups.set(id, [w]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}
