import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { COHOST_JOBS, COHOST_TIMER_QUEUE, type CohostTimerJob, cohostTimerJobSchema, RedisKeys } from '#contracts';
import { TypedQueue } from '#redis';
import { COHOST_CONFIG, type CohostConfig } from '../config.js';

/**
 * The co-host timers as BullMQ delayed jobs: they live in Redis, so a restart (or the loss) of a
 * cohost replica loses none; whichever replica is up runs them when due.
 */
@Injectable()
export class CohostTimers implements OnApplicationShutdown {
  readonly queue: TypedQueue<typeof cohostTimerJobSchema>;

  constructor(@Inject(COHOST_CONFIG) config: CohostConfig, keys: RedisKeys) {
    this.queue = new TypedQueue({ redisUrl: config.REDIS_URL, prefix: keys.queuePrefix(), name: COHOST_TIMER_QUEUE, schema: cohostTimerJobSchema });
  }

  pendingTimeout(sessionId: string, delayMs: number): Promise<void> {
    return this.queue.add(COHOST_JOBS.pendingTimeout, { kind: 'pending-timeout', sessionId }, delayMs);
  }

  disconnectGrace(sessionId: string, offlineSince: number, delayMs: number): Promise<void> {
    return this.queue.add(COHOST_JOBS.disconnectGrace, { kind: 'disconnect-grace', sessionId, offlineSince }, delayMs);
  }

  startSweep(everyMs: number): Promise<void> {
    return this.queue.every('cohost-sweep', everyMs, COHOST_JOBS.sweep, { kind: 'sweep' });
  }

  process(handler: (job: CohostTimerJob) => Promise<void>, concurrency: number): void {
    this.queue.process(handler, concurrency);
  }

  onApplicationShutdown(): Promise<void> {
    return this.queue.close();
  }
}
