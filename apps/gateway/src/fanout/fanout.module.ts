import { Module } from '@nestjs/common';
import { RoomLogModule } from '#room-log';
import { FanoutService } from './fanout.service.js';

@Module({
  imports: [RoomLogModule],
  providers: [FanoutService],
  exports: [FanoutService, RoomLogModule],
})
export class FanoutModule {}
