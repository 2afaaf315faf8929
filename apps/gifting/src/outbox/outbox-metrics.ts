import { Gauge, Histogram, type Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { type OutboxBacklog, readOutboxBacklog } from './outbox.service.js';

/** A scrape waits at most this long for the backlog query (PostgreSQL down must not hang /metrics). */
const BACKLOG_QUERY_TIMEOUT_MS = 2000;
/** Both backlog gauges of one scrape share one query. */
const BACKLOG_REUSE_MS = 1000;

/**
 * Outbox lag: how long a committed gift waits to be announced (a histogram observed by the relay,
 * once per dispatched row), and the backlog (undispatched rows and the age of the oldest), read from
 * PostgreSQL when Prometheus scrapes: one indexed query per scrape, never on the gift path. Every
 * replica reports the same table-wide backlog (take `max` across replicas); ages use the database's
 * clock only, so app/DB clock skew does not show up as lag.
 */
export class OutboxMetrics {
  private readonly dispatch: Histogram;
  private backlog: { at: number; value: Promise<OutboxBacklog | null> } | null = null;

  constructor(
    registry: Registry,
    private readonly db: DataSource,
  ) {
    const registers = [registry];
    this.dispatch = new Histogram({
      name: 'liveroom_gifting_outbox_dispatch_seconds',
      help: "seconds from a gift's transaction (its outbox row's created_at) to its room-log append, once per dispatched row",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    const readBacklog = () => this.readBacklog();
    new Gauge({
      name: 'liveroom_gifting_outbox_pending',
      help: 'outbox rows not dispatched yet (the whole table: the same on every replica), read at scrape time',
      registers,
      async collect() {
        const backlog = await readBacklog();
        if (backlog) this.set(backlog.pending);
      },
    });
    new Gauge({
      name: 'liveroom_gifting_outbox_oldest_age_seconds',
      help: 'age of the oldest undispatched outbox row (0 when none), read at scrape time',
      registers,
      async collect() {
        const backlog = await readBacklog();
        if (backlog) this.set((backlog.oldestMs ?? 0) / 1000);
      },
    });
  }

  /** A row was announced: `waitedSec` is its age (DB clock) when taken, `sinceTakenMs` the local time since. */
  dispatched(waitedSec: number, sinceTakenMs: number): void {
    this.dispatch.observe(Math.max(0, waitedSec) + sinceTakenMs / 1000);
  }

  /** The backlog, or null when PostgreSQL did not answer in time (the gauges keep their last value). */
  private readBacklog(): Promise<OutboxBacklog | null> {
    const now = Date.now();
    if (this.backlog && now - this.backlog.at < BACKLOG_REUSE_MS) return this.backlog.value;
    const value = this.queryBacklog();
    this.backlog = { at: now, value };
    return value;
  }

  private async queryBacklog(): Promise<OutboxBacklog | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), BACKLOG_QUERY_TIMEOUT_MS)));
    try {
      return await Promise.race([readOutboxBacklog(this.db).catch(() => null), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
