import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module.js';
import { ServicesModule } from '../services/services.module.js';
import { CohostGateway } from './cohost.gateway.js';
import { CohostService } from './cohost.service.js';

@Module({ imports: [ServicesModule, RoomsModule], providers: [CohostService, CohostGateway] })
export class CohostModule {}
