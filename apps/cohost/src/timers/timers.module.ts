import { Module } from '@nestjs/common';
import { CohostTimers } from './cohost-timers.js';

@Module({ providers: [CohostTimers], exports: [CohostTimers] })
export class TimersModule {}
