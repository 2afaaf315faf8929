import { Module } from '@nestjs/common';
import { RoomLogModule } from '#room-log';
import { LeaderboardModule } from '../leaderboard/leaderboard.module.js';
import { OutboxRelay } from './outbox-relay.service.js';
import { OutboxNotifier } from './outbox-notifier.service.js';

@Module({
  imports: [LeaderboardModule, RoomLogModule],
  providers: [OutboxNotifier, OutboxRelay],
  exports: [OutboxNotifier, OutboxRelay],
})
export class OutboxModule {}
