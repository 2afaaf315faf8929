import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type CohostTimerJob, LiveroomError } from '#contracts';
import { COHOST_CONFIG, type CohostConfig } from '../config.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { CohostTimers } from '../timers/cohost-timers.js';
import { PresenceSweepService } from './presence-sweep.service.js';

/** Runs the co-host timers: each job is a conditional transition, so a late or repeated job is harmless. */
@Injectable()
export class TimerWorkerService implements OnApplicationBootstrap {
  constructor(
    private readonly timers: CohostTimers,
    private readonly sessions: SessionsService,
    private readonly sweeper: PresenceSweepService,
    @Inject(COHOST_CONFIG) private readonly config: CohostConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.timers.process((job) => this.run(job), 16);
    await this.timers.startSweep(this.config.COHOST_SWEEP_MS);
  }

  private async run(job: CohostTimerJob): Promise<void> {
    switch (job.kind) {
      case 'pending-timeout':
        await this.ignoreMissing(this.sessions.system(job.sessionId, 'timeout'));
        return;
      case 'disconnect-grace':
        await this.ignoreMissing(this.sessions.system(job.sessionId, 'disconnect', job.offlineSince));
        return;
      case 'sweep':
        await this.sweeper.sweep();
    }
  }

  /** A timer of a session that was refused at creation (or has expired) has nothing to do. */
  private async ignoreMissing(work: Promise<boolean>): Promise<void> {
    try {
      await work;
    } catch (error) {
      if (error instanceof LiveroomError && error.code === 'SESSION_NOT_FOUND') return;
      throw error;
    }
  }
}
