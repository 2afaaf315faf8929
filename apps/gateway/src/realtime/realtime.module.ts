import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { FanoutModule } from '../fanout/fanout.module.js';
import { GiftingModule } from '../gifting/gifting.module.js';
import { ModerationModule } from '../moderation/moderation.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { ServicesModule } from '../services/services.module.js';
import { SocketRouterModule } from '../socket-router/socket-router.module.js';
import { BarrageRelayService } from './barrage-relay.service.js';
import { DrainService } from './drain.service.js';
import { LikesService } from './likes.service.js';
import { PresenceService } from './presence.service.js';
import { RealtimeGateway } from './realtime.gateway.js';
import { JoinReads } from './join-reads.js';
import { RoomMembershipService } from './room-membership.service.js';
import { StatsBroadcasterService } from './stats-broadcaster.service.js';

@Module({
  imports: [SocketRouterModule, AuthModule, FanoutModule, RoomsModule, ServicesModule, GiftingModule, ModerationModule],
  providers: [PresenceService, DrainService, RealtimeGateway, JoinReads, RoomMembershipService, BarrageRelayService, LikesService, StatsBroadcasterService],
})
export class RealtimeModule {}
