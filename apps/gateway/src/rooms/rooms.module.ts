import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { RoomDirectory } from './room-directory.js';
import { RoomStatsService } from './room-stats.service.js';
import { RoomsController } from './rooms.controller.js';
import { RoomsService } from './rooms.service.js';

@Module({
  imports: [AuthModule, FanoutModule],
  controllers: [RoomsController],
  providers: [RoomDirectory, RoomStatsService, RoomsService],
  exports: [RoomDirectory, RoomStatsService],
})
export class RoomsModule {}
