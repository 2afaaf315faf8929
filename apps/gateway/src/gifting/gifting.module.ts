import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module.js';
import { ServicesModule } from '../services/services.module.js';
import { GiftingController } from './gifting.controller.js';
import { GiftingService } from './gifting.service.js';

@Module({
  imports: [ServicesModule, RoomsModule],
  controllers: [GiftingController],
  providers: [GiftingService],
  exports: [GiftingService],
})
export class GiftingModule {}
