import type { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { claimFrom, findDeadConsumers, type RawEntry, removeConsumerIfIdle } from './consumer-liveness.js';

export interface ReclaimerHost {
  cmd(): Redis;
  running(): boolean;
  freeSlots(): number;
  /** Entry ids this replica is handling right now. */
  isInFlight(entryId: string): boolean;
  track(entry: RawEntry): void;
}

/** Orphans are rare (a lost XREADGROUP reply, a failed ack): look for them every this many scans. */
const ORPHAN_SCAN_EVERY = 20;

/**
 * Finds pending entries nobody will finish and hands them to this replica: those of dead consumers
 * (liveness key expired), and this consumer's own entries that it is not handling (their
 * XREADGROUP reply was lost on a broken connection, or the final ack failed).
 */
export class PendingReclaimer {
  private scanning = false;
  private scans = 0;

  constructor(
    private readonly host: ReclaimerHost,
    private readonly stream: string,
    private readonly group: string,
    private readonly consumer: string,
    private readonly heartbeatMs: number,
    private readonly deadAfterMs: number,
    /** How long an entry may sit pending under this very consumer, not being handled, before it is taken back. */
    private readonly orphanIdleMs: number,
    private readonly logger: Logger,
  ) {}

  async scan(): Promise<void> {
    if (!this.host.running() || this.scanning) return;
    this.scanning = true;
    try {
      const cmd = this.host.cmd();
      for (const dead of await findDeadConsumers(cmd, this.stream, this.group, this.consumer)) {
        if (!this.host.running()) return;
        if (dead.pending === 0) {
          if (await removeConsumerIfIdle(cmd, this.stream, this.group, dead, this.deadAfterMs)) {
            this.logger.log(`removed dead consumer ${dead.name} from ${this.stream}`);
          }
          continue;
        }
        const free = this.host.freeSlots();
        if (free <= 0) return;
        const claimed = await claimFrom(cmd, this.stream, this.group, dead.name, this.consumer, this.heartbeatMs, free);
        if (claimed.length > 0) this.logger.warn(`claimed ${claimed.length} entries of dead consumer ${dead.name}`);
        for (const entry of claimed) this.host.track(entry);
      }
      if (++this.scans % ORPHAN_SCAN_EVERY === 0) await this.recoverOrphans(cmd);
    } catch (error) {
      this.logger.warn(`pending scan failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.scanning = false;
    }
  }

  private async recoverOrphans(cmd: Redis): Promise<void> {
    const free = this.host.freeSlots();
    if (free <= 0) return;
    // XCLAIM to ourselves resets the idle time, so an entry is never taken twice in a row.
    const stale = await claimFrom(cmd, this.stream, this.group, this.consumer, this.consumer, this.orphanIdleMs, free);
    const orphans = stale.filter(([id]) => !this.host.isInFlight(id));
    if (orphans.length > 0) this.logger.warn(`recovered ${orphans.length} orphaned entries on ${this.stream}`);
    for (const entry of orphans) this.host.track(entry);
  }
}
