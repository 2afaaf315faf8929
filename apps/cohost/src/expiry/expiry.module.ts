import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module.js';
import { TimersModule } from '../timers/timers.module.js';
import { PresenceSweepService } from './presence-sweep.service.js';
import { TimerWorkerService } from './timer-worker.service.js';

@Module({ imports: [SessionsModule, TimersModule], providers: [PresenceSweepService, TimerWorkerService] })
export class ExpiryModule {}
