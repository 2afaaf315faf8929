import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { MetricsRegistry } from '#observability';
import { RoomLog } from '#room-log';
import { GIFTING_CONFIG, type GiftingConfig } from '../config.js';
import { inTransaction, rows } from '#persistence';
import { LeaderboardService } from '../leaderboard/leaderboard.service.js';
import { OutboxMetrics } from './outbox-metrics.js';
import { draftOf, type GiftDraft, OUTBOX_CHANNEL } from './outbox.service.js';

interface OutboxRow {
  tx_id: string;
  room_id: string;
  event: unknown;
  /** Seconds since created_at when the row was taken (database clock). */
  waited: number;
}

export interface RelayRound {
  /** Rows announced and marked dispatched. */
  dispatched: number;
  /** Rows taken this round (a full batch means: go again at once). */
  taken: number;
  failed: boolean;
}

/**
 * Publishes committed gifts from the outbox to the room log, exactly once per txId: each round takes
 * undispatched rows FOR UPDATE SKIP LOCKED (replicas share the work; a row that commits late is simply
 * found by a later round: there is no cursor to skip it), appends with dedupe key `gift:<txId>` (so a
 * crash between the append and the mark can't announce twice), counts the leaderboard once per txId,
 * then marks the rows dispatched. Woken by LISTEN/NOTIFY, with a poll as fallback; backs off while
 * Redis or PostgreSQL fail.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OutboxRelay');
  private running = false;
  private loopDone: Promise<void> | undefined;
  private woken = false;
  private wake: (() => void) | undefined;
  private listener: pg.Client | undefined;
  private listenerRetry: NodeJS.Timeout | undefined;
  private failing = false;
  private readonly metrics: OutboxMetrics;

  constructor(
    private readonly db: DataSource,
    private readonly roomLog: RoomLog,
    private readonly leaderboard: LeaderboardService,
    @Inject(GIFTING_CONFIG) private readonly config: GiftingConfig,
    metrics: MetricsRegistry,
  ) {
    this.metrics = new OutboxMetrics(metrics.registry, db);
  }

  onApplicationBootstrap(): void {
    if (this.config.OUTBOX_RELAY === '1') this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.listen();
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.listenerRetry);
    this.nudge();
    await this.loopDone;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Whether this process runs the relay loop (OUTBOX_RELAY=1, started, not stopped). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Wakes the loop (a gift committed here, a NOTIFY arrived, or a test wants a round now). */
  nudge(): void {
    this.woken = true;
    this.wake?.();
  }

  /** One round: take a batch, announce it, mark it. Exposed for tests. */
  async runOnce(): Promise<RelayRound> {
    return inTransaction(this.db, async (q) => {
      const batch = await rows<OutboxRow>(
        q,
        `SELECT tx_id, room_id, event, EXTRACT(EPOCH FROM clock_timestamp() - created_at)::float8 AS waited
         FROM gift_outbox WHERE dispatched_at IS NULL
         ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.config.OUTBOX_BATCH_SIZE],
      );
      if (batch.length === 0) return { dispatched: 0, taken: 0, failed: false };
      const takenAt = performance.now();
      // A row that is not a gift event (written by a bug or by hand) is left undispatched, visible in
      // the ledger check, and logged; it neither holds up its room's other gifts nor backs the relay off.
      const { valid, invalid } = splitValid(batch);
      if (invalid.length > 0) {
        await q.query(`UPDATE gift_outbox SET attempts = attempts + 1 WHERE tx_id = ANY($1::uuid[])`, [invalid.map((r) => r.row.tx_id)]);
        for (const { row, reason } of invalid) this.logger.error(`outbox row ${row.tx_id} is not announced: ${reason}`);
      }
      // One append and one leaderboard update per room, rooms in parallel; a room keeps its rows' order.
      const rooms = [...groupByRoom(valid)];
      const results = await Promise.allSettled(rooms.map(([roomId, roomRows]) => this.announce(roomId, roomRows)));
      const sinceTakenMs = performance.now() - takenAt;
      const done: { txId: string; seq: number; waited: number }[] = [];
      const failedIds: string[] = [];
      results.forEach((r, i) => {
        const roomRows = rooms[i]![1];
        if (r.status === 'fulfilled') roomRows.forEach((row, j) => done.push({ txId: row.tx_id, seq: r.value[j]!, waited: Number(row.waited) }));
        else failedIds.push(...roomRows.map((row) => row.tx_id));
      });
      if (done.length > 0) {
        await q.query(
          `UPDATE gift_outbox o SET dispatched_at = now(), seq = d.seq, attempts = o.attempts + 1
           FROM unnest($1::uuid[], $2::bigint[]) AS d (tx_id, seq) WHERE o.tx_id = d.tx_id`,
          [done.map((d) => d.txId), done.map((d) => d.seq)],
        );
        for (const d of done) this.metrics.dispatched(d.waited, sinceTakenMs);
      }
      if (failedIds.length > 0) {
        await q.query(`UPDATE gift_outbox SET attempts = attempts + 1 WHERE tx_id = ANY($1::uuid[])`, [failedIds]);
        const first = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        this.reportFailure(first?.reason);
      }
      return { dispatched: done.length, taken: batch.length, failed: failedIds.length > 0 };
    });
  }

  /** Announces one room's rows (deduped per txId) and counts them into its leaderboard; their seqs in order. */
  private async announce(roomId: string, roomRows: readonly ValidRow[]): Promise<number[]> {
    const drafts = roomRows.map((row) => row.draft);
    const ttl = this.config.OUTBOX_DEDUPE_TTL_SEC;
    const appended = await this.roomLog.appendMany(
      roomId,
      drafts.map((draft, i) => ({ draft, dedupeKey: `gift:${roomRows[i]!.tx_id}` })),
      { dedupeTtlSec: ttl },
    );
    await this.leaderboard.apply(
      roomId,
      drafts.map((d, i) => ({ txId: roomRows[i]!.tx_id, userId: d.userId, name: d.name, value: d.value })),
      ttl,
    );
    return appended.map((r) => r.event.seq);
  }

  private async loop(): Promise<void> {
    let backoff = 0;
    while (this.running) {
      this.woken = false;
      let round: RelayRound;
      try {
        round = await this.runOnce();
      } catch (error) {
        this.reportFailure(error);
        round = { dispatched: 0, taken: 0, failed: true };
      }
      if (!this.running) break;
      if (round.failed) {
        backoff = Math.min(this.config.OUTBOX_MAX_BACKOFF_MS, backoff === 0 ? 100 : backoff * 2);
        await this.pause(backoff, false);
        continue;
      }
      if (this.failing) this.logger.log('outbox relay recovered');
      this.failing = false;
      backoff = 0;
      if (round.taken >= this.config.OUTBOX_BATCH_SIZE) continue;
      await this.pause(this.config.OUTBOX_POLL_MS, true);
    }
  }

  /** Sleeps up to ms; a wakeable pause ends early on NOTIFY (or at once if one came during the round). */
  private pause(ms: number, wakeable: boolean): Promise<void> {
    if (!this.running || (wakeable && this.woken)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = wakeable ? done : () => (this.running ? undefined : done());
    });
  }

  private reportFailure(error: unknown): void {
    if (!this.failing) this.logger.warn(`outbox relay failing, will retry: ${error instanceof Error ? error.message : String(error)}`);
    this.failing = true;
  }

  /** A dedicated connection for LISTEN; reconnects, and runs a round after each (re)connect. */
  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client({ connectionString: this.config.DATABASE_URL, connectionTimeoutMillis: 3000 });
    const retry = () => {
      if (this.listener === client) this.listener = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.running && !this.listenerRetry) {
        this.listenerRetry = setTimeout(() => {
          this.listenerRetry = undefined;
          void this.listen();
        }, 1000);
      }
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', () => this.nudge());
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (!this.running) {
        await client.end();
        return;
      }
      this.listener = client;
      this.nudge();
    } catch {
      retry();
    }
  }
}

/** A row whose event read back as a gift event. */
type ValidRow = OutboxRow & { draft: GiftDraft };

function splitValid(batch: readonly OutboxRow[]): { valid: ValidRow[]; invalid: { row: OutboxRow; reason: string }[] } {
  const valid: ValidRow[] = [];
  const invalid: { row: OutboxRow; reason: string }[] = [];
  for (const row of batch) {
    try {
      valid.push({ ...row, draft: draftOf(row.event) });
    } catch (error) {
      invalid.push({ row, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { valid, invalid };
}

/** The rows by room, each room's in the order taken (oldest first). */
function groupByRoom(batch: readonly ValidRow[]): Map<string, ValidRow[]> {
  const rooms = new Map<string, ValidRow[]>();
  for (const row of batch) {
    const list = rooms.get(row.room_id);
    if (list) list.push(row);
    else rooms.set(row.room_id, [row]);
  }
  return rooms;
}
