import { Module } from '@nestjs/common';
import { RoomsModule } from '../rooms/rooms.module.js';
import { ServicesModule } from '../services/services.module.js';
import { SocketRouterModule } from '../socket-router/socket-router.module.js';
import { CohostEvents } from './cohost-events.js';
import { CohostService } from './cohost.service.js';

@Module({ imports: [ServicesModule, RoomsModule, SocketRouterModule], providers: [CohostService, CohostEvents] })
export class CohostModule {}
