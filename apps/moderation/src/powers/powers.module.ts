import { Module } from '@nestjs/common';
import { RoomLogModule } from '#room-log';
import { AuditModule } from '../audit/audit.module.js';
import { BanSync } from './ban-sync.service.js';
import { PowersController } from './powers.controller.js';
import { PowersService } from './powers.service.js';
import { RoomAuthority } from './room-authority.js';

@Module({
  imports: [AuditModule, RoomLogModule],
  controllers: [PowersController],
  providers: [PowersService, RoomAuthority, BanSync],
})
export class PowersModule {}
