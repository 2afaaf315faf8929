import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from './outbox-relay.service.js';
import { OUTBOX_CHANNEL } from './outbox.service.js';

/** Longest a committed gift waits for the (coalesced) NOTIFY to the other processes' relays. */
const NOTIFY_COALESCE_MS = 5;

/**
 * Wakes a relay once a gift's outbox row has committed. The gift's own transaction does not NOTIFY:
 * PostgreSQL serializes every notifying commit on one lock held through the WAL flush, which caps the
 * gift rate and defeats group commit. Instead, after the commit: the relay of this process, when it
 * runs, is woken in memory (it takes any undispatched row, so it covers other replicas' gifts too);
 * otherwise one NOTIFY per few milliseconds, in its own small transaction, wakes the other processes'
 * relays. A wake-up lost to a crash is covered by the relays' poll.
 */
@Injectable()
export class OutboxNotifier implements OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private pending = false;
  private closed = false;

  constructor(
    private readonly db: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  /** A gift committed: its outbox row is visible now. */
  committed(): void {
    if (this.relay.isRunning) {
      this.relay.nudge();
      return;
    }
    this.pending = true;
    if (!this.timer && !this.sending && !this.closed) this.timer = setTimeout(() => void this.flush(), NOTIFY_COALESCE_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sending;
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.closed || !this.pending) return;
    this.pending = false;
    this.sending = this.db.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`).then(
      () => undefined,
      () => undefined, // the relays' poll covers a lost wake-up
    );
    await this.sending;
    this.sending = undefined;
    if (this.pending && !this.closed) this.timer = setTimeout(() => void this.flush(), NOTIFY_COALESCE_MS);
  }
}
